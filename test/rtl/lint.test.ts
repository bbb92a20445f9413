/**
 * The engine's RTL is clean under `verilator --lint-only -Wall` (design.md §3) — for small,
 * default and large parameters — and so are the chunk tops renderRtl generates.
 */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { ENGINE_SOURCES, renderRtl } from '../../src/backend/rtl/index.js';
import { PACKAGE_ROOT } from '../../src/core/paths.js';
import { programOf, loadFixture, verilatorMissing } from '../sim/helpers.js';

const RTL = join(PACKAGE_ROOT, 'hw', 'rtl');
const missing = await verilatorMissing();
const dir = mkdtempSync(join(tmpdir(), 'trips-hw-lint-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function lint(args: string[], cwd = PACKAGE_ROOT): Promise<string> {
  const r = await execa('verilator', ['--lint-only', '-Wall', ...args], { cwd, reject: false, all: true });
  return r.exitCode === 0 ? '' : (r.all ?? `exit ${r.exitCode}`);
}

describe.skipIf(missing !== undefined)(`verilator --lint-only -Wall ${missing ?? ''}`, () => {
  const sources = ENGINE_SOURCES.map((f) => join(RTL, f));
  it.each([
    ['defaults', []],
    ['1×1 PE, 4 lanes', ['-GPE_M=1', '-GPE_N=1', '-GLANES=4', '-GRQ_WORDS=2']],
    [
      '16×16 PE, 129 lanes, 17-bit words, 4-bit weights',
      ['-GPE_M=16', '-GPE_N=16', '-GLANES=129', '-GACT_W=17', '-GW_W=4', '-GIN_HALF=8192', '-GACC_WORDS=4096'],
    ],
  ])(
    'the engine is clean with %s',
    async (_name, params) => {
      expect(await lint([`-I${RTL}`, '--top-module', 'trips_chunk', ...params, ...sources])).toBe('');
    },
    60_000,
  );

  it('the generated chunk tops of a fixture design are clean', async () => {
    const { program } = await programOf(loadFixture('tiny-mixed.design.json'));
    for (const f of renderRtl(program, { toolVersion: 'test' })) {
      mkdirSync(dirname(join(dir, f.path)), { recursive: true });
      writeFileSync(join(dir, f.path), f.content);
    }
    for (const chunk of program.chunks) {
      expect(await lint(['-f', 'files.f', '--top-module', `${chunk.ident}_top`], join(dir, 'rtl')), chunk.ident).toBe('');
    }
  }, 120_000);
});
