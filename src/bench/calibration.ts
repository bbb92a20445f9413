/**
 * bench:calibration — the calibration set and what calibration buys on it. A sweep of random
 * designs (every layer kind, both loop orders and PE modes, bitwidths 4/6/8, four boards) is
 * generated and simulated in Verilator (resumable in runs/calibration-sweep); the cost model is
 * fitted with k-fold cross-validation by design, and a learning curve (held-out error against
 * the number of training records, on a fixed quarter of the designs held out) is printed. Then
 * a searched design is simulated and its FPS by the calibrated model compared with the FPS its
 * measured per-layer cycles give. Last line: JSON.
 *
 * SWEEP_DESIGNS (default 16), SWEEP_DIR, SEARCHED_DESIGN (default: runs/flow/search/design.json,
 * else the co-mid design of bench:search).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { estimateDesign } from '../accel/estimate.js';
import type { DesignPoint } from '../accel/types.js';
import { hashDesign } from '../backend/program.js';
import { generateToFolder } from '../backend/project.js';
import { calibrateCostModel } from '../calibrate/calibrate.js';
import { defaultCoefficients, fitCoefficients, predictCycles } from '../calibrate/fit.js';
import { readSimRecords } from '../calibrate/measurements.js';
import { runSweep } from '../calibrate/sweep.js';
import type { Measurement } from '../calibrate/types.js';
import { chooseRidge, errorStats } from '../calibrate/validate.js';
import { PACKAGE_ROOT } from '../core/paths.js';
import { makeProvenance } from '../core/provenance.js';
import { loadArtifact } from '../core/schema.js';
import { simulateProject } from '../sim/project.js';
import { machineLine } from './machine.js';
import { PROJECT_FILES } from '../core/run-layout.js';

const DESIGNS = Number(process.env.SWEEP_DESIGNS ?? 16);
const DIR = process.env.SWEEP_DIR ?? join(PACKAGE_ROOT, 'runs', 'calibration-sweep');

function learningCurve(ms: readonly Measurement[]): { trainRecords: number; trainDesigns: number; mapePct: number; p90Pct: number }[] {
  const designs = [...new Set(ms.map((m) => m.design))];
  const test = new Set(designs.filter((_, i) => i % 4 === 3));
  const trainDesigns = designs.filter((d) => !test.has(d));
  const held = ms.filter((m) => test.has(m.design));
  const defaults = errorStats(
    held.map((m) => predictCycles(m, defaultCoefficients())),
    held.map((m) => m.cycles),
  );
  const rows = [{ trainRecords: 0, trainDesigns: 0, mapePct: defaults.mapePct, p90Pct: defaults.p90Pct }];
  for (const n of [1, 2, 4, 8, 16, 32, 64].filter((k) => k < trainDesigns.length).concat([trainDesigns.length])) {
    const use = new Set(trainDesigns.slice(0, n));
    const train = ms.filter((m) => use.has(m.design));
    // as calibrate fits: the ridge chosen by cross-validation on the training designs
    const fit = fitCoefficients(train, chooseRidge(train));
    const s = errorStats(
      held.map((m) => predictCycles(m, fit)),
      held.map((m) => m.cycles),
    );
    rows.push({ trainRecords: train.length, trainDesigns: n, mapePct: s.mapePct, p90Pct: s.p90Pct });
  }
  return rows;
}

/** FPS of a design by the calibrated model and from its measured per-layer cycles. */
async function fpsCheck(calibration: ReturnType<typeof calibrateCostModel>): Promise<Record<string, unknown> | null> {
  const file = [
    process.env.SEARCHED_DESIGN,
    join(PACKAGE_ROOT, 'runs/flow/search/design.json'),
    join(PACKAGE_ROOT, 'runs/search-experiment/co-mid/design.json'),
  ].find((f) => f && existsSync(f));
  if (!file) return null;
  const design = loadArtifact<DesignPoint>('design', file);
  const out = join(DIR, `searched-${hashDesign(design).slice(0, 16)}`);
  if (!existsSync(join(out, PROJECT_FILES.simRecords))) {
    await generateToFolder({
      design,
      designFile: file,
      out,
      tool: 'vitis-hls-2023.2',
      images: 1,
      seed: 1,
      provenance: makeProvenance({ seed: 1 }),
    });
  }
  const sim = await simulateProject(out);
  const perChunk = new Map<string, number>();
  for (const l of sim.layers) perChunk.set(l.chunk, (perChunk.get(l.chunk) ?? 0) + (l.measuredCycles ?? 0));
  const measuredFps = (design.accelerator.clockMhz * 1e6) / Math.max(...perChunk.values());
  const before = estimateDesign(design).fps;
  const after = estimateDesign(design, calibration).fps;
  return {
    design: file,
    layers: sim.layers.length,
    bitExact: sim.bitExact,
    measuredFps,
    modelFps: before,
    calibratedFps: after,
    errorPct: (100 * (after - measuredFps)) / measuredFps,
    uncalibratedErrorPct: (100 * (before - measuredFps)) / measuredFps,
  };
}

async function main(): Promise<void> {
  console.log(`bench:calibration on ${JSON.stringify(machineLine())}: ${DESIGNS} random designs in ${DIR}`);
  const t0 = performance.now();
  const files = await runSweep({
    designs: DESIGNS,
    seed: 1,
    boards: ['zc706', 'zcu102', 'ultra96v2', 'kv260'],
    dir: DIR,
    scale: { size: 8, channels: 3 },
    onDesign: (i, d) =>
      console.log(
        `  design ${i + 1}/${DESIGNS} ${d.name} on ${d.board}: ${d.layers} layers${d.cached ? ' (simulated before)' : `, ${d.seconds.toFixed(0)} s`}`,
      ),
  });
  const ms = files.flatMap((f) => readSimRecords(f).measurements);
  const cal = calibrateCostModel(ms, { toolVersion: makeProvenance().toolVersion, createdAt: new Date().toISOString() });
  const held = cal.heldOut;
  if (!held) throw new Error('too few measurements to hold any out');
  console.log(
    `sweep: ${ms.length} measured layers of ${cal.records.designs} designs in ${((performance.now() - t0) / 1e3).toFixed(0)} s; per key ${JSON.stringify(cal.records.perKey)}`,
  );
  console.log(
    `held out (${held.method}): before MAPE ${held.before.mapePct} %, P90 ${held.before.p90Pct} %, max ${held.before.maxPct} %; after MAPE ${held.after.mapePct} %, P90 ${held.after.p90Pct} %, max ${held.after.maxPct} %, within ±10 % ${held.after.within10Pct} %, Spearman ${held.after.spearman}`,
  );
  const curve = learningCurve(ms);
  console.log('learning curve (a quarter of the designs held out):');
  for (const r of curve)
    console.log(
      `  ${String(r.trainDesigns).padStart(3)} designs, ${String(r.trainRecords).padStart(4)} records: MAPE ${r.mapePct.toFixed(2)} %, P90 ${r.p90Pct.toFixed(2)} %`,
    );
  const fps = await fpsCheck(cal);
  if (fps)
    console.log(
      `searched design ${fps.design}: measured ${(fps.measuredFps as number).toFixed(1)} FPS; calibrated model ${(fps.calibratedFps as number).toFixed(1)} (${(fps.errorPct as number).toFixed(2)} %), default model ${(fps.modelFps as number).toFixed(1)} (${(fps.uncalibratedErrorPct as number).toFixed(2)} %)`,
    );
  console.log(
    JSON.stringify({
      records: ms.length,
      designs: cal.records.designs,
      heldOut: {
        before: { mapePct: held.before.mapePct, p90Pct: held.before.p90Pct },
        after: {
          mapePct: held.after.mapePct,
          p90Pct: held.after.p90Pct,
          within10Pct: held.after.within10Pct,
          spearman: held.after.spearman,
        },
      },
      learningCurve: curve,
      fps,
      machine: machineLine(),
    }),
  );
}

await main();
