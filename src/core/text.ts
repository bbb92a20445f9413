/**
 * Free text from user files (network and design names, board parts and display names, paths)
 * on its way into generated files. Two layers, both always applied by the lowerings:
 *
 * 1. `plainText` reduces the text to a label of printable ASCII that is inert in every syntax
 *    trips-hw writes (no newline, quote, bracket, brace, `$`, `#`, `*`, `\`, `<`, `;`, `|`, `` ` ``),
 *    capped in length — so what a user wrote can be read back in the files, but never acts there;
 * 2. one escaper per target syntax, each correct for ANY string on its own (C/C++ comment and
 *    string, Verilog comment, Tcl word, Make comment, YAML scalar, HTML), so a template slot that
 *    is given a raw string by mistake still cannot be broken out of.
 *
 * Identifiers (C++, Verilog, file names) are a third kind: `backend/identifiers.ts`.
 */

/** Characters a label keeps; everything else becomes `_`. */
const LABEL_CHAR = /[A-Za-z0-9 _.,:+/@()=-]/;

/**
 * A printable, inert label for `text`: accents folded (é → e), every other character outside
 * letters, digits and ` _.,:+/@()=-` replaced by `_`, whitespace and `_` runs collapsed, at most
 * `maxLength` characters (cut with `...`). Never empty.
 */
export function plainText(text: string, maxLength = 120): string {
  const folded = text.normalize('NFKD').replace(/\p{M}/gu, '');
  let label = '';
  for (const ch of folded) label += LABEL_CHAR.test(ch) ? ch : ch === '\t' || ch === '\n' || ch === '\r' ? ' ' : '_';
  label = label.replace(/\s+/g, ' ').replace(/_+/g, '_').trim();
  if (label.length > maxLength) label = `${label.slice(0, Math.max(1, maxLength - 3)).trimEnd()}...`;
  return label === '' ? 'unnamed' : label;
}

const isPrintableAscii = (code: number) => code >= 0x20 && code < 0x7f;

/**
 * Text for a C/C++ `//` or block comment: no line break (it would end the comment), no `\`
 * (a line splice at the end of a `//` comment), no `*` + `/` (the end of a block comment), no
 * `??` (trigraphs under -std=c++11), only printable ASCII.
 */
export function escapeCComment(text: string): string {
  let out = '';
  for (const ch of text) {
    const code = ch.codePointAt(0) as number;
    out += ch === '\\' ? '/' : isPrintableAscii(code) ? ch : code === 0x09 || code === 0x0a || code === 0x0d ? ' ' : '?';
  }
  return out.replace(/\*\//g, '* /').replace(/\?\?/g, '? ?').replace(/\/\*/g, '/ *');
}

/** A C/C++ string literal (with its quotes) that reads back as `text`'s UTF-8 bytes. */
export function escapeCString(text: string): string {
  let out = '"';
  for (const byte of Buffer.from(text, 'utf8')) {
    const ch = String.fromCharCode(byte);
    if (ch === '"' || ch === '\\' || ch === '?') out += `\\${ch}`;
    else if (isPrintableAscii(byte)) out += ch;
    else out += `\\${byte.toString(8).padStart(3, '0')}`;
  }
  return `${out}"`;
}

/** Text for a Verilog `//` or block comment: one line, printable ASCII, no comment end. */
export function escapeVerilogComment(text: string): string {
  let out = '';
  for (const ch of text) {
    const code = ch.codePointAt(0) as number;
    out += isPrintableAscii(code) ? ch : code === 0x09 || code === 0x0a || code === 0x0d ? ' ' : '?';
  }
  return out.replace(/\*\//g, '* /').replace(/\/\*/g, '/ *');
}

/** Characters a Tcl word may hold unquoted. */
const TCL_PLAIN = /^[A-Za-z0-9_.:/+,@=%-]$/;

/**
 * One Tcl word that the interpreter reads back as `text`, with no substitution: every character
 * that is not plainly literal is backslash-escaped (`\[`, `\$`, `\{`, `\"`, `\ `, `\;` …), line
 * breaks and other control or non-ASCII characters as `\uHHHH` (exactly four digits).
 */
export function escapeTclWord(text: string): string {
  if (text === '') return '{}';
  let out = '';
  for (const ch of text) {
    const code = ch.codePointAt(0) as number;
    if (TCL_PLAIN.test(ch)) out += ch;
    else if (isPrintableAscii(code)) out += `\\${ch}`;
    else if (code <= 0xffff) out += `\\u${code.toString(16).padStart(4, '0')}`;
    else out += '?';
  }
  return out;
}

/** Text for a Makefile `#` comment: one line (no break, no `\` that would continue it). */
export function escapeMakeComment(text: string): string {
  return escapeVerilogComment(text).replace(/\\/g, '/');
}

/** A double-quoted YAML scalar (with its quotes) that a YAML reader reads back as `text`. */
export function escapeYamlScalar(text: string): string {
  let out = '"';
  for (const ch of text) {
    const code = ch.codePointAt(0) as number;
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (isPrintableAscii(code)) out += ch;
    else if (code <= 0xffff) out += `\\u${code.toString(16).padStart(4, '0')}`;
    else out += `\\U${code.toString(16).padStart(8, '0')}`;
  }
  return `${out}"`;
}

const HTML_ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text for HTML (element content or a quoted attribute). */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => HTML_ENTITIES[ch] as string);
}
