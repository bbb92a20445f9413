/**
 * Random layers under the real Verilator: seeded micro-networks, each around one layer under
 * test (conv with kernel 1/3/5 and stride 1/2, grouped conv with and without shuffle,
 * depthwise, add, pool, fc with logits or codes) behind a stem that sets its input precision
 * (4, 6, 8 bits), on random chunk parameters (mn/mp, os/ws, tiles, PE, port width, DRAM
 * sharing). Every layer of every network must be bit-exact. The cases of one PE array, mode
 * and kind run on one engine build (universal buffer depths ≥ every case's): the timing
 * comes from the program, not the build.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { lowerProgramToRtl } from '../../src/backend/rtl/lower.js';
import { checkNetwork } from '../../src/core/network-check.js';
import { Rng } from '../../src/core/random.js';
import { cycleError, defaultCacheDir, runChunk, verilatorVersion, type SimRecord } from '../../src/sim/index.js';
import {
  CASE_KINDS,
  loadFixture,
  programOf,
  randomDesign,
  randomNetwork,
  UNIVERSAL_DEPTHS,
  universalSizes,
  verilatorMissing,
} from './helpers.js';

const missing = await verilatorMissing();
const work = mkdtempSync(join(tmpdir(), 'trips-hw-random-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const cacheDir = process.env.TRIPS_HW_SIM_CACHE ?? defaultCacheDir();
const CASES = 36;

describe.skipIf(missing !== undefined)(`random layers under Verilator ${missing ?? ''}`, () => {
  it(`${CASES} random networks: every layer bit-exact`, async () => {
    const simulator = await verilatorVersion();
    const base = loadFixture('tiny-chain.design.json');
    const records: SimRecord[] = [];
    for (let i = 0; i < CASES; i++) {
      const rng = new Rng(700 + i);
      // every kind once per block of six; the blocks vary bits, PE mode and loop order
      const kind = CASE_KINDS[i % CASE_KINDS.length];
      const block = Math.floor(i / CASE_KINDS.length);
      const network = checkNetwork(randomNetwork(rng, kind, [4, 6, 8][block % 3]), `random case ${i}`);
      const design = randomDesign(base, network, rng, block % 2 === 0 ? 'mn' : 'mp', Math.floor(block / 2) % 2 === 0 ? 'os' : 'ws');
      const { program, golden } = await programOf(design, i + 1);
      for (const rtl of lowerProgramToRtl(program, { toolVersion: 'test' }).chunks) {
        for (const [name, depth] of Object.entries(UNIVERSAL_DEPTHS))
          expect(rtl.sizes[name as keyof typeof UNIVERSAL_DEPTHS], `case ${i} ${rtl.id} ${name}`).toBeLessThanOrEqual(depth);
        const sizes = universalSizes(rtl.sizes);
        const run = await runChunk({ program, golden, rtl, sizes, image: 0, cacheDir, workDir: work, simulator });
        expect(run.hang, `case ${i}`).toBeUndefined();
        records.push(...run.records);
      }
    }
    const bad = records.filter((r) => !r.bitExact).map((r) => `${r.designHash.slice(0, 8)} ${r.layer} ${r.mismatches}/${r.words}`);
    expect(bad).toEqual([]);
    expect(records.length).toBeGreaterThanOrEqual(30);
    // what the cases cover
    const seen = (f: (r: SimRecord) => string | number) => new Set(records.map(f));
    expect(seen((r) => r.arch.loopOrder)).toEqual(new Set(['os', 'ws']));
    expect(seen((r) => r.arch.parallel)).toEqual(new Set(['mn', 'mp']));
    expect(seen((r) => r.op)).toEqual(new Set(['conv', 'dwconv', 'add', 'pool', 'fc']));
    for (const bits of [4, 6, 8]) expect(seen((r) => r.prec.inBits).has(bits)).toBe(true);
    for (const k of [1, 3, 5]) expect(seen((r) => (r.op === 'conv' ? r.prob.kernel : 0)).has(k)).toBe(true);
    expect(seen((r) => r.prob.stride).has(2)).toBe(true);
    expect(records.some((r) => r.op === 'conv' && r.prob.groups > 1)).toBe(true);
    for (const op of ['conv', 'dwconv', 'add', 'pool', 'fc']) {
      const of = records.filter((r) => r.op === op);
      expect(new Set(of.map((r) => `${r.arch.parallel}/${r.arch.loopOrder}`)).size, op).toBe(4);
      expect(new Set(of.map((r) => r.prec.inBits)), op).toEqual(new Set([4, 6, 8]));
    }
    expect(records.some((r) => r.arch.portBitsEffective < r.arch.portBits)).toBe(true);
    const error = cycleError(records);
    process.stderr.write(
      `random: ${records.length} layers bit-exact; cycle MAPE ${error.mapePct.toFixed(2)}%, max ${error.maxPct.toFixed(2)}%\n`,
    );
  }, 600_000);
});
