/**
 * Hostile but legal names through `trips-hw generate`: a network and design name, a board part
 * and display name, a DRAM description that try to break out of every syntax the project is
 * written in (C++ comment, Tcl word, Make, YAML, Markdown, JSON), layer names that are C++ and
 * Verilog keywords or differ only in case, and 300-character layer and chunk names. The project
 * must still C-simulate bit-exact, lint clean in Verilator, run through tclsh without executing
 * anything, and hold none of the hostile text.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_IDENTIFIER_LENGTH } from '../../src/backend/identifiers.js';
import { hasTool } from '../backend/helpers.js';
import { ROOT, runCli } from './run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'trips-hw-hostile-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Each one tries to end the line or the quoting it is printed in, and run something. */
const HOSTILE = {
  name: 'tiny */ "mixed"\n#error PWNED_CPP\n$(touch /tmp/PWNED_MAKE) `id` \\',
  designName: 'design\n[exec touch /tmp/PWNED_TCL]; {}\\',
  part: 'xczu3eg-sbva484-1-i\n[exec touch /tmp/PWNED_PART]',
  displayName: '<script>alert("PWNED_HTML")</script>\ndescription: "PWNED_YAML" #',
  dram: 'LPDDR4 ]]; exit; # \r\n\u0000\u202e',
} as const;
/** Strings that must appear in no generated file. */
const FORBIDDEN = [...Object.values(HOSTILE), '#error PWNED', '[exec', '$(touch', '<script', '"PWNED', '`id`', '\u202e'];

const LONG = `l${'o'.repeat(298)}ng`;
const LONG_CHUNK = `c${'h'.repeat(298)}k`;
/** Layer renames: keywords of C++ and Verilog, case-only differences, a 300-character name. */
const RENAME: Record<string, string> = {
  stem: 'int',
  c0_expand: 'INT',
  c0_dw: 'always',
  c0_project: 'main',
  c0_side: LONG,
  module: 'Module',
  pool: 'endmodule',
  fc: '_Reserved',
};

interface Layer {
  name: string;
  inputs: string[];
}
interface Design {
  name: string;
  network: { name: string; layers: Layer[] };
  board: { part: string; displayName: string; dram: { description: string } };
  accelerator: { chunks: { id: string; layers: string[] }[] };
}

function hostileDesign(): Design {
  const design = JSON.parse(readFileSync(join(ROOT, 'test', 'fixtures', 'tiny-mixed.design.json'), 'utf8')) as Design;
  const rename = (n: string) => RENAME[n] ?? n;
  design.name = HOSTILE.designName;
  design.network.name = HOSTILE.name;
  for (const l of design.network.layers) {
    l.name = rename(l.name);
    l.inputs = l.inputs.map(rename);
  }
  for (const c of design.accelerator.chunks) c.layers = c.layers.map(rename);
  design.accelerator.chunks[0].id = LONG_CHUNK;
  design.accelerator.chunks[1].id = 'class';
  design.board.part = HOSTILE.part;
  design.board.displayName = HOSTILE.displayName;
  design.board.dram.description = HOSTILE.dram;
  return design;
}

function filesUnder(root: string): string[] {
  return readdirSync(root).flatMap((name) => {
    const path = join(root, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

const out = join(dir, 'hw');
let generated: { exitCode: number; stderr: string };

beforeAll(async () => {
  const designFile = join(dir, 'hostile.design.json');
  writeFileSync(designFile, JSON.stringify(hostileDesign(), null, 2));
  generated = await runCli(['generate', '--design', designFile, '--out', out]);
}, 120_000);

describe('trips-hw generate with hostile names', () => {
  it('writes the project', () => {
    expect(generated.exitCode, generated.stderr).toBe(0);
  });

  it('no generated file holds any of the hostile text', () => {
    const files = filesUnder(out);
    expect(files.length).toBeGreaterThan(20);
    for (const file of files) {
      const text = readFileSync(file, 'latin1');
      for (const bad of FORBIDDEN) expect(text.includes(bad), `${relative(out, file)} holds ${JSON.stringify(bad)}`).toBe(false);
      expect(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/.test(text), `${relative(out, file)} holds a control character`).toBe(false);
    }
  });

  it('every file name is short and every identifier legal', () => {
    for (const file of filesUnder(out)) {
      const name = relative(out, file).split('/').pop() as string;
      expect(name.length, name).toBeLessThanOrEqual(MAX_IDENTIFIER_LENGTH + 16);
      expect(name).toMatch(/^[A-Za-z0-9_.-]+$/);
    }
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as {
      layers: { name: string; ident: string }[];
      chunks: { ident: string }[];
    };
    const idents = [...manifest.layers.map((l) => l.ident), ...manifest.chunks.map((c) => c.ident)];
    expect(new Set(idents.map((i) => i.toLowerCase())).size).toBe(idents.length);
    for (const ident of idents) expect(ident).toMatch(/^[A-Za-z][A-Za-z0-9_]*$/);
    // the manifest keeps the layer names as the design has them (they are identifier-safe by schema)
    expect(manifest.layers.map((l) => l.name)).toContain(LONG);
  });

  it.skipIf(!hasTool('g++') || !hasTool('make'))(
    'the HLS project C-simulates bit-exact',
    async () => {
      const r = await execa('make', ['-s', '-C', join(out, 'hls'), 'csim'], { reject: false, all: true });
      expect(r.exitCode, r.all).toBe(0);
      expect(r.stdout).toMatch(/bit-exact with the golden model/);
    },
    120_000,
  );

  it.skipIf(!hasTool('verilator'))(
    'every chunk top lints clean in Verilator',
    async () => {
      const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as { chunks: { ident: string }[] };
      for (const { ident } of manifest.chunks) {
        const r = await execa('verilator', ['--lint-only', '-Wall', '-f', 'files.f', '--top-module', `${ident}_top`], {
          cwd: join(out, 'rtl'),
          reject: false,
          all: true,
        });
        expect(r.exitCode, r.all).toBe(0);
      }
    },
    180_000,
  );

  it.skipIf(!hasTool('tclsh'))(
    'run_hls.tcl runs in tclsh with the tool commands stubbed, and executes nothing else',
    async () => {
      // every HLS command is a proc that logs its arguments; exec is refused
      const stubs = [
        'open_project',
        'set_top',
        'add_files',
        'open_solution',
        'set_part',
        'create_clock',
        'config_interface',
        'config_export',
        'csim_design',
        'csynth_design',
        'cosim_design',
        'export_design',
      ]
        .map((c) => `proc ${c} {args} { puts [list ${c} {*}$args] }`)
        .join('\n');
      const script = `${stubs}\nproc set_part {args} { puts "set_part [llength $args] [lindex $args 0]" }\nrename exec {}\nproc exec {args} { puts EXECUTED; exit 3 }\nproc exit {args} {}\nsource run_hls.tcl\n`;
      const r = await execa('tclsh', [], { input: script, cwd: join(out, 'hls'), reject: false, all: true });
      expect(r.exitCode, r.all).toBe(0);
      expect(r.stdout).not.toMatch(/EXECUTED/);
      const setPart = r.stdout.split('\n').filter((l) => l.startsWith('set_part'));
      // one word: the part as an inert label
      expect(setPart).toEqual(['set_part 1 xczu3eg-sbva484-1-i _exec touch /tmp/PWNED_PART_']);
    },
    60_000,
  );
});
