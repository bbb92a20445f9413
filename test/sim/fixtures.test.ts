/**
 * Co-simulation of the two fixture designs with the real Verilator: every layer's outputs
 * bit-exact with the golden model, the uncalibrated cost model within 10 % MAPE of the RTL's
 * cycles, schema-valid sim records; a layer subset; a hang caught by the liveness bound.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_COEFFICIENTS } from '../../src/accel/cost-model.js';
import { lowerProgramToRtl } from '../../src/backend/rtl/index.js';
import type { ProgramSpec } from '../../src/backend/types.js';
import { validateArtifact } from '../../src/core/schema.js';
import { buildEngine, defaultCacheDir, simulateProject, type SimRecord } from '../../src/sim/index.js';
import { jobText } from '../../src/sim/job.js';
import { loadFixture, programOf, verilatorMissing, writeProject } from './helpers.js';

const missing = await verilatorMissing();
const root = mkdtempSync(join(tmpdir(), 'trips-hw-sim-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const cacheDir = process.env.TRIPS_HW_SIM_CACHE ?? defaultCacheDir();

describe.skipIf(missing !== undefined)(`co-simulation of the fixture designs ${missing ?? ''}`, () => {
  it.each(['tiny-mixed', 'tiny-chain'])(
    '%s: bit-exact with cycle MAPE at most 10 percent, schema-valid records',
    async (name) => {
      const project = await programOf(loadFixture(`${name}.design.json`));
      const { program } = project;
      const dir = join(root, name);
      writeProject(dir, project);
      const result = await simulateProject(dir, { cacheDir });
      expect(result.layers.map((l) => l.name)).toEqual(program.layers.map((l) => l.name));
      expect(result.layers.filter((l) => !l.bitExact)).toEqual([]);
      expect(result.bitExact).toBe(true);
      expect(result.cycles.mapePct).toBeLessThanOrEqual(10);
      expect(result.cycles.maxPct).toBeLessThanOrEqual(10);
      const lines = readFileSync(join(dir, 'sim', 'records.jsonl'), 'utf8')
        .trim()
        .split('\n');
      expect(lines).toHaveLength(program.layers.length);
      const records = lines.map((l) => validateArtifact<SimRecord>('sim-record', JSON.parse(l), 'records.jsonl'));
      records.forEach((r, i) => {
        expect(r.layer).toBe(program.layers[i].name);
        expect(r.pred.cycles).toBe(program.layers[i].predictedCycles);
        // the raw terms reproduce the prediction with the default coefficients
        const t = r.pred.terms;
        const d = DEFAULT_COEFFICIENTS;
        expect(
          t.overlap + t.prologue + t.weightLoad + t.output + t.params + d.steps * t.steps + d.tiles * t.tiles + d.fixed * t.fixed,
        ).toBeCloseTo(r.pred.cycles, 6);
      });
      process.stderr.write(
        `${name}: MAPE ${result.cycles.mapePct.toFixed(2)}%, max ${result.cycles.maxPct.toFixed(2)}% over ${records.length} layers\n`,
      );
    },
    240_000,
  );

  it('simulates a subset of layers alone', async () => {
    const dir = join(root, 'tiny-mixed');
    const program = JSON.parse(readFileSync(join(dir, 'program.json'), 'utf8')) as ProgramSpec;
    const pick = [program.layers.find((l) => l.op === 'add'), program.layers[program.layers.length - 1]].map((l) => l?.name as string);
    const result = await simulateProject(dir, { cacheDir, layers: pick });
    expect(result.layers.map((l) => [l.name, l.bitExact])).toEqual(pick.map((name) => [name, true]));
    expect(result.chunks).toHaveLength(1);
  }, 240_000);

  it('reports a layer that runs past its liveness bound as a hang', async () => {
    const { program, golden } = await programOf(loadFixture('tiny-chain.design.json'));
    const rtl = lowerProgramToRtl(program, { toolVersion: 'test' }).chunks[0];
    const built = await buildEngine(rtl.sizes, cacheDir);
    // a liveness bound of 50 cycles for every layer: the first one cannot finish in time
    const job = jobText(program, program.chunks[0], rtl, golden, 0).replace(/^(layer \d+ \d+ \d+ \d+) \d+$/gm, '$1 50');
    writeFileSync(join(root, 'hang.job'), job);
    const r = await execa(built.executable, [join(root, 'hang.job'), join(root, 'hang.out')], { reject: false, all: true });
    expect(r.exitCode).toBe(3);
    expect(r.all).toContain('hangs');
    expect(readFileSync(join(root, 'hang.out'), 'utf8')).toContain('"hang":0');
  }, 240_000);
});
