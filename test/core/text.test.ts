/**
 * The free-text fence (src/core/text.ts): every escaper, on a corpus of hostile strings, checked
 * by the real reader of its syntax — tclsh reads the Tcl word back, g++ compiles and prints the
 * C string and compiles around the comments, the `yaml` package parses the scalar — and the
 * label of `plainText` holds no character that acts in any of them.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import {
  escapeCComment,
  escapeCString,
  escapeHtml,
  escapeMakeComment,
  escapeTclWord,
  escapeVerilogComment,
  escapeYamlScalar,
  plainText,
} from '../../src/core/text.js';
import { hasTool } from '../backend/helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'trips-hw-text-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const CORPUS = [
  '',
  'plain name',
  'line one\nline two',
  'crlf\r\nthen',
  'ends in a backslash \\',
  'ends in a trigraph ??/',
  '*/ int injected; /*',
  '"; system("rm -rf /"); "',
  '[exec touch /tmp/x]',
  '$(touch /tmp/x) ${HOME} $$',
  '{unbalanced brace',
  'closing } brace',
  '# a comment? ; and more',
  "<script>alert(1)</script> & 'quotes'",
  'tab\there and nul \u0000 and bell \u0007',
  'Réseau à 8 bits — ünïcödé',
  'astral 😀 and rtl \u202e override',
  'key: value - [list] {map}',
  '\\x41\\u0041\\101 escapes written out',
  '?? ??= ??( trigraphs',
];

describe('plainText', () => {
  it('keeps ordinary names and folds accents', () => {
    expect(plainText('tiny chain (v2)')).toBe('tiny chain (v2)');
    expect(plainText('fmnist-small_8bit')).toBe('fmnist-small_8bit');
    expect(plainText('Réseau à 8 bits')).toBe('Reseau a 8 bits');
    expect(plainText('')).toBe('unnamed');
    expect(plainText('\n\n')).toBe('unnamed');
  });

  it('leaves only inert characters, on one line, capped', () => {
    for (const text of CORPUS) {
      const label = plainText(text, 40);
      expect(label, text).toMatch(/^[A-Za-z0-9 _.,:+/@()=-]+$/);
      expect(label.length).toBeLessThanOrEqual(40);
      expect(label).not.toMatch(/\/\*|\*\/|\?\?/);
    }
    expect(plainText('x'.repeat(500), 20)).toBe(`${'x'.repeat(17)}...`);
    expect(plainText('a\n#error b')).toBe('a _error b');
  });
});

describe('escapers', () => {
  it('escapeHtml leaves no markup', () => {
    for (const text of CORPUS) expect(escapeHtml(text)).not.toMatch(/[<>"']|&(?!amp;|lt;|gt;|quot;|#39;)/);
    expect(escapeHtml('<a href="x">&</a>')).toBe('&lt;a href=&quot;x&quot;&gt;&amp;&lt;/a&gt;');
  });

  it('comments stay on one line of printable ASCII and never close', () => {
    for (const text of CORPUS) {
      for (const escaper of [escapeCComment, escapeVerilogComment, escapeMakeComment]) {
        const out = escaper(text);
        expect(out, text).toMatch(/^[\x20-\x7e]*$/);
        expect(out).not.toMatch(/\*\//);
      }
      expect(escapeCComment(text)).not.toMatch(/\\|\?\?/);
      expect(escapeMakeComment(text)).not.toMatch(/\\/);
    }
  });

  it('escapeYamlScalar reads back as the text (yaml parser)', () => {
    for (const text of CORPUS)
      expect(parseYaml(`description: ${escapeYamlScalar(text)}\nnext: 1\n`), text).toEqual({ description: text, next: 1 });
  });

  it.skipIf(!hasTool('tclsh'))('escapeTclWord reads back as the text in tclsh, with no substitution', () => {
    const texts = CORPUS.filter((t) => !t.includes('\u0000') && !/[\u{10000}-\u{10ffff}]/u.test(t));
    const script = `${texts.map((t, i) => `set w(${i}) ${escapeTclWord(t)}`).join('\n')}\nforeach i [lsort -integer [array names w]] { puts [binary encode hex [encoding convertto utf-8 $w($i)]] }\n`;
    const lines = execFileSync('tclsh', [], { input: script, encoding: 'utf8' }).replace(/\n$/, '').split('\n');
    expect(lines.map((hex) => Buffer.from(hex, 'hex').toString('utf8'))).toEqual(texts);
  });

  it.skipIf(!hasTool('g++'))('escapeCString prints the text, and the comments compile around code (g++ -std=c++11)', () => {
    const strings = CORPUS.map((t, i) => `  std::fputs(${escapeCString(t)}, stdout); std::fputs("\\n----${i}\\n", stdout);`).join('\n');
    const comments = CORPUS.map((t, i) => `  // ${escapeCComment(t)}\n  n += ${i};\n  /* ${escapeCComment(t)} */ n += 1;`).join('\n');
    const source = `#include <cstdio>\nint main() {\n  int n = 0;\n${comments}\n${strings}\n  std::printf("%d\\n", n);\n  return 0;\n}\n`;
    writeFileSync(join(dir, 'strings.cpp'), source);
    execFileSync('g++', [
      '-std=c++11',
      '-Wall',
      '-Wextra',
      '-Werror',
      '-Wno-trigraphs',
      '-trigraphs',
      join(dir, 'strings.cpp'),
      '-o',
      join(dir, 'strings'),
    ]);
    const printed = execFileSync(join(dir, 'strings')).toString('utf8');
    const expected = `${CORPUS.map((t, i) => `${t.split('\u0000')[0]}\n----${i}\n`).join('')}${(CORPUS.length * (CORPUS.length - 1)) / 2 + CORPUS.length}\n`;
    expect(printed).toBe(expected);
  });
});
