/**
 * A searched design under the real Verilator: the 31-layer fmnist-mbv2-8bit network with the
 * accelerator DAS finds for the Ultra96-V2 — every layer bit-exact, and the uncalibrated cost
 * model within 10 % MAPE of the RTL's cycles.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveBoard } from '../../src/accel/boards.js';
import { exploreAccelerator } from '../../src/accel/explore.js';
import { FMNIST_SPACE, lowerGenotypeToNetwork } from '../../src/search/index.js';
import { defaultCacheDir, simulateProject } from '../../src/sim/index.js';
import { FIXTURES, programOf, verilatorMissing, writeProject } from './helpers.js';

const missing = await verilatorMissing();
const dir = mkdtempSync(join(tmpdir(), 'trips-hw-searched-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const cacheDir = process.env.TRIPS_HW_SIM_CACHE ?? defaultCacheDir();

describe.skipIf(missing !== undefined)(`a searched design under Verilator ${missing ?? ''}`, () => {
  it('fmnist-mbv2-8bit on kv260 (DAS; its chunks need about 76k LUT, more than the Ultra96-V2 holds): bit-exact, cycle MAPE at most 10 percent', async () => {
    const genotype = JSON.parse(readFileSync(join(FIXTURES, 'fmnist-mbv2-8bit.genotype.json'), 'utf8'));
    const network = lowerGenotypeToNetwork(FMNIST_SPACE, genotype);
    const { design } = exploreAccelerator(network, resolveBoard('kv260'), { strategy: 'differentiable', samples: 256, seed: 3 });
    const project = await programOf(design, 1);
    writeProject(dir, project);
    const result = await simulateProject(dir, { cacheDir });
    expect(result.layers).toHaveLength(network.layers.length);
    expect(result.layers.filter((l) => !l.bitExact).map((l) => l.name)).toEqual([]);
    expect(result.bitExact).toBe(true);
    expect(result.cycles.mapePct).toBeLessThanOrEqual(10);
    const cycles = result.chunks.reduce((s, c) => s + c.simCycles, 0);
    process.stderr.write(
      `searched: ${result.layers.length} layers on ${result.chunks.length} chunks, ${cycles} cycles; MAPE ${result.cycles.mapePct.toFixed(2)}%, max ${result.cycles.maxPct.toFixed(2)}%\n`,
    );
  }, 600_000);
});
