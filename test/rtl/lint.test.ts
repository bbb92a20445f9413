/**
 * The engine's RTL is clean under `verilator --lint-only -Wall` (design.md §3) — for the
 * defaults and parameter sets the lowering forms (1×1 and 16×16 PE arrays, mn and mp, os and ws,
 * depthwise, 17-bit activations, block and LUT RAM) — and so are the chunk tops renderRtl generates.
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
  // parameter sets as lowerChunk forms them (backend/rtl/lower.ts): LANES = max(4, PE_M, VI, VW),
  // exact depths (not powers of two), *_BLOCK by the resource model's rule (> 1024 bits)
  it.each([
    ['defaults', []],
    [
      '1×1 PE, mn, os, 4 lanes, 2-word LUT RAM buffers',
      [
        '-GPE_M=1',
        '-GPE_N=1',
        '-GMP=0',
        '-GWS=0',
        '-GLANES=4',
        '-GIN_DEPTH=2',
        '-GW_DEPTH=2',
        '-GACC_DEPTH=2',
        '-GRQ_DEPTH=2',
        '-GPROG_WORDS=128',
      ],
    ],
    [
      '16×16 PE, mp, ws, 17-bit activations, 4-bit weights, block RAM (272-bit input words in 4 slices)',
      [
        '-GPE_M=16',
        '-GPE_N=16',
        '-GMP=1',
        '-GWS=1',
        '-GLANES=16',
        '-GACT_W=17',
        '-GW_W=4',
        '-GIN_DEPTH=1000',
        '-GW_DEPTH=4608',
        '-GACC_DEPTH=300',
        '-GRQ_DEPTH=40',
        '-GPROG_WORDS=4096',
        '-GIN_BLOCK=1',
        '-GW_BLOCK=1',
        '-GACC_BLOCK=1',
        '-GRQ_BLOCK=1',
        '-GROT=0',
      ],
    ],
    [
      'depthwise 8×1 PE, mn, os (72-bit input words in block RAM, LUT RAM weights)',
      [
        '-GDW=1',
        '-GPE_M=8',
        '-GPE_N=1',
        '-GLANES=8',
        '-GIN_DEPTH=200',
        '-GW_DEPTH=18',
        '-GACC_DEPTH=128',
        '-GRQ_DEPTH=4',
        '-GIN_BLOCK=1',
        '-GACC_BLOCK=1',
        '-GPROG_WORDS=128',
      ],
    ],
    [
      'depthwise 8×2 PE, mp, os (2 column banks)',
      [
        '-GDW=1',
        '-GPE_M=8',
        '-GPE_N=2',
        '-GMP=1',
        '-GLANES=8',
        '-GIN_DEPTH=120',
        '-GW_DEPTH=18',
        '-GACC_DEPTH=64',
        '-GRQ_DEPTH=4',
        '-GIN_BLOCK=1',
        '-GACC_BLOCK=1',
        '-GPROG_WORDS=128',
      ],
    ],
  ])(
    'the engine is clean with %s',
    async (_name, params) => {
      expect(await lint([`-I${RTL}`, '--top-module', 'trips_chunk', ...params, ...sources])).toBe('');
    },
    60_000,
  );

  it('the generated chunk tops and system top of a fixture design are clean', async () => {
    const { program } = await programOf(loadFixture('tiny-mixed.design.json'));
    for (const f of renderRtl(program, { toolVersion: 'test' })) {
      mkdirSync(dirname(join(dir, f.path)), { recursive: true });
      writeFileSync(join(dir, f.path), f.content);
    }
    for (const chunk of program.chunks) {
      expect(await lint(['-f', 'files.f', '--top-module', `${chunk.ident}_top`], join(dir, 'rtl')), chunk.ident).toBe('');
    }
    // and the system top: every chunk, the synchronisation, the control registers
    expect(await lint(['-f', 'files.f', '--top-module', 'trips_accel'], join(dir, 'rtl')), 'trips_accel').toBe('');
  }, 120_000);
});
