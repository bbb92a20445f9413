/**
 * The report's plots: Vega-Lite specifications compiled and rendered to SVG in Node (vega's
 * headless view), so the report embeds them inline and needs no script or network to show them.
 */
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { COST_TERMS } from '../accel/types.js';
import type { RunData } from './data.js';

export interface Chart {
  readonly id: string;
  readonly title: string;
  readonly caption: string;
  readonly svg: string;
}

const FONT = { config: { font: 'Helvetica, Arial, sans-serif', view: { stroke: '#ddd' }, axis: { labelFontSize: 11, titleFontSize: 12 } } };

async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile({ ...FONT, ...spec } as TopLevelSpec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

const pct = (v: number) => Math.round(v * 10000) / 100;

/** Accuracy against FPS: every search epoch's derived path, the searched design, baselines. */
function accuracyFpsSpec(run: RunData): TopLevelSpec | undefined {
  const points: { series: string; fps: number; accuracy: number }[] = run.search.map((e) => ({
    series: `search epochs (${e.phase}, supernet)`,
    fps: e.fps,
    accuracy: pct(e.accuracy),
  }));
  if (run.train) {
    points.push({
      series: 'searched design, retrained',
      fps: run.design.predicted.fps,
      accuracy: pct(run.train.integerAccuracy ?? run.train.accuracy),
    });
    if (run.finalDesign)
      points.push({
        series: 'searched design, calibrated accelerator',
        fps: run.finalDesign.predicted.fps,
        accuracy: pct(run.train.integerAccuracy ?? run.train.accuracy),
      });
  }
  for (const b of run.baselines) points.push({ series: b.label, fps: b.fps, accuracy: pct(b.accuracy) });
  if (points.length === 0) return undefined;
  // a mean over seeds: ± one standard deviation in accuracy (vertical) and in FPS (horizontal)
  const spreads = run.baselines
    .filter((b) => b.accuracySd !== undefined || b.fpsSd !== undefined)
    .map((b) => ({
      series: b.label,
      fps: b.fps,
      accuracy: pct(b.accuracy),
      accLo: pct(b.accuracy - (b.accuracySd ?? 0)),
      accHi: pct(b.accuracy + (b.accuracySd ?? 0)),
      fpsLo: b.fps - (b.fpsSd ?? 0),
      fpsHi: b.fps + (b.fpsSd ?? 0),
    }));
  const x = { field: 'fps', type: 'quantitative', title: 'frames per second (model)', scale: { zero: false } } as const;
  const y = { field: 'accuracy', type: 'quantitative', title: 'test accuracy (%)', scale: { zero: false } } as const;
  const color = { field: 'series', type: 'nominal', title: null, legend: { orient: 'bottom', columns: 2, labelLimit: 400 } } as const;
  return {
    width: 520,
    height: 320,
    layer: [
      {
        data: { values: points },
        mark: { type: 'point', filled: true, size: 80, opacity: 0.85 },
        encoding: { x, y, color, shape: { field: 'series', type: 'nominal', title: null } },
      },
      ...(spreads.length === 0
        ? []
        : [
            {
              data: { values: spreads },
              mark: { type: 'rule', strokeWidth: 1.5 },
              encoding: { x, y: { ...y, field: 'accLo' }, y2: { field: 'accHi' }, color },
            },
            {
              data: { values: spreads },
              mark: { type: 'rule', strokeWidth: 1.5 },
              encoding: { x: { ...x, field: 'fpsLo' }, x2: { field: 'fpsHi' }, y, color },
            },
          ]),
    ],
  } as TopLevelSpec;
}

/** Cycles per chunk (model, and RTL where simulated) against the bottleneck that sets the FPS. */
function chunkCyclesSpec(run: RunData): TopLevelSpec {
  const report = run.cost;
  const rows: { chunk: string; source: string; cycles: number }[] = report.chunks.map((c) => ({
    chunk: c.id,
    source: 'model',
    cycles: c.cycles,
  }));
  const image0 = run.records.filter((r) => r.image === 0 && r.measured !== null);
  for (const chunk of report.chunks) {
    const measured = image0.filter((r) => r.chunk === chunk.id);
    if (measured.length > 0)
      rows.push({ chunk: chunk.id, source: 'RTL (Verilator)', cycles: measured.reduce((s, r) => s + (r.measured as number), 0) });
  }
  return {
    width: 520,
    height: 260,
    layer: [
      {
        data: { values: rows },
        mark: 'bar',
        encoding: {
          x: { field: 'chunk', type: 'nominal', title: null, axis: { labelAngle: -30 } },
          xOffset: { field: 'source' },
          y: { field: 'cycles', type: 'quantitative', title: 'cycles per image' },
          color: { field: 'source', type: 'nominal', title: null, legend: { orient: 'bottom' } },
        },
      },
      {
        data: { values: [{ cycles: report.bottleneckCycles }] },
        mark: { type: 'rule', strokeDash: [4, 3], color: '#c0392b' },
        encoding: { y: { field: 'cycles', type: 'quantitative' } },
      },
    ],
  };
}

/** The whole accelerator's run: every layer of every image on its chunk, from its go to its done cycle. */
function systemTimelineSpec(run: RunData): TopLevelSpec | undefined {
  const s = run.system;
  if (!s || s.timeline.length === 0) return undefined;
  const chunks = run.design.accelerator.chunks.map((c) => c.id);
  const rows = s.timeline.map((t) => ({ chunk: chunks[t.chunk] ?? String(t.chunk), image: t.image, from: t.go, to: t.done + 1 }));
  return {
    width: 520,
    height: Math.max(60, 28 * chunks.length),
    data: { values: rows },
    mark: { type: 'bar', height: { band: 0.8 } },
    encoding: {
      y: { field: 'chunk', type: 'nominal', title: null, sort: chunks },
      x: { field: 'from', type: 'quantitative', title: 'cycle' },
      x2: { field: 'to' },
      color: { field: 'image', type: 'ordinal', title: 'image', scale: { scheme: 'tableau10' }, legend: { orient: 'bottom', columns: 10 } },
    },
  } as TopLevelSpec;
}

/** DSP, BRAM18, LUT and FF use of the design against the board's budget. */
function resourcesSpec(run: RunData): TopLevelSpec {
  const report = run.cost;
  const u = report.utilisation;
  const rows = [
    { resource: 'DSP', used: pct(u.dsp) },
    { resource: 'BRAM18', used: pct(u.bram18) },
    { resource: 'LUT', used: pct(u.lut) },
    { resource: 'FF', used: pct(u.ff) },
  ];
  return {
    width: 520,
    height: 140,
    layer: [
      {
        data: { values: rows },
        mark: 'bar',
        encoding: {
          y: { field: 'resource', type: 'nominal', title: null, sort: null },
          x: {
            field: 'used',
            type: 'quantitative',
            title: `% of the ${run.design.board.displayName} budget`,
            scale: { domain: [0, Math.max(100, ...rows.map((r) => r.used))] },
          },
        },
      },
      { data: { values: [{ x: 100 }] }, mark: { type: 'rule', color: '#c0392b' }, encoding: { x: { field: 'x', type: 'quantitative' } } },
    ],
  };
}

/** Predicted against measured cycles per layer, before and after calibration. */
function modelVsRtlSpec(run: RunData): TopLevelSpec | undefined {
  const measured = run.records.filter((r) => r.image === 0 && r.measured !== null);
  if (measured.length === 0) return undefined;
  const rows = measured.map((r) => ({ series: 'model, default coefficients', measured: r.measured as number, predicted: r.predicted }));
  const cal = run.calibration?.coefficients;
  if (cal) {
    for (const r of measured) {
      const coef = cal[r.key];
      rows.push({
        series: 'model, calibrated',
        measured: r.measured as number,
        predicted: COST_TERMS.reduce((s, t) => s + coef[t] * r.terms[t], 0),
      });
    }
  }
  const all = rows.flatMap((r) => [r.measured, r.predicted]).filter((v) => v > 0);
  const lo = Math.min(...all);
  const hi = Math.max(...all);
  return {
    width: 380,
    height: 380,
    layer: [
      {
        data: {
          values: [
            { a: lo, b: lo },
            { a: hi, b: hi },
          ],
        },
        mark: { type: 'line', color: '#999', strokeDash: [4, 3] },
        encoding: {
          x: { field: 'a', type: 'quantitative', scale: { type: 'log' } },
          y: { field: 'b', type: 'quantitative', scale: { type: 'log' } },
        },
      },
      {
        data: { values: rows },
        mark: { type: 'point', filled: true, opacity: 0.7 },
        encoding: {
          x: { field: 'measured', type: 'quantitative', title: 'measured cycles (Verilator)', scale: { type: 'log' } },
          y: { field: 'predicted', type: 'quantitative', title: 'predicted cycles', scale: { type: 'log' } },
          color: { field: 'series', type: 'nominal', title: null, legend: { orient: 'bottom' } },
        },
      },
    ],
  };
}

/** Accuracy, FPS, λ, the entropies of α and β (how settled the distribution is) and temperature over the search's epochs. */
function searchCurvesSpec(run: RunData): TopLevelSpec | undefined {
  if (run.search.length === 0) return undefined;
  const values = run.search.map((e) => ({
    epoch: e.epoch + 1,
    'accuracy (%)': pct(e.accuracy),
    FPS: e.fps,
    λ: e.lambda,
    // ASCII-distinct names: Vega-Lite derives scale names from them, dropping non-ASCII characters
    'op entropy (α)': e.entropyAlpha ?? null,
    'bitwidth entropy (β)': e.entropyBeta ?? null,
    temperature: e.temperature,
  }));
  return {
    data: { values },
    repeat: { row: ['accuracy (%)', 'FPS', 'λ', 'op entropy (α)', 'bitwidth entropy (β)', 'temperature'] },
    spec: {
      width: 520,
      height: 90,
      mark: { type: 'line', point: true },
      encoding: {
        x: { field: 'epoch', type: 'quantitative', title: 'epoch' },
        y: { field: { repeat: 'row' }, type: 'quantitative', scale: { zero: false } },
      },
    },
  } as TopLevelSpec;
}

/** Every chart the run has data for, rendered. */
export async function renderCharts(run: RunData): Promise<Chart[]> {
  const specs: [string, string, string, TopLevelSpec | undefined][] = [
    [
      'accuracy-fps',
      'Accuracy and FPS',
      'Test accuracy against the modelled FPS: the derived path of every search epoch (supernet accuracy), the searched design after retraining (integer-model accuracy), on its searched and on its calibrated accelerator, and any baselines; a baseline that is a mean over seeds carries bars of ± one standard deviation in accuracy and in FPS.',
      accuracyFpsSpec(run),
    ],
    [
      'chunks',
      'Cycles per chunk',
      "Cycles per image of every chunk, by the model and, where simulated, by the RTL; chunks run as a pipeline, so the slowest (dashed line: the model's bottleneck) sets the FPS.",
      chunkCyclesSpec(run),
    ],
    [
      'system',
      'The whole accelerator',
      run.system
        ? `Every layer of every image on its chunk in the system simulation (trips_accel, ${run.system.images} images streamed back to back; a layer from the cycle its inputs were there to its last): measured ${Math.round(run.system.measured.fps).toLocaleString('en-US')} FPS in the steady state against ${Math.round(run.system.predicted.slowestChunkFps).toLocaleString('en-US')} by the model's clock / slowest chunk and ${Math.round(run.system.predicted.fps).toLocaleString('en-US')} by the system model; gaps on a chunk are waits for an input or a skipped layer.`
        : '',
      systemTimelineSpec(run),
    ],
    [
      'resources',
      'Resources',
      "DSP, BRAM18, LUT and FF of the accelerator against the board's budget (the line at 100 %).",
      resourcesSpec(run),
    ],
    [
      'model-vs-rtl',
      'Model against RTL',
      'Per-layer cycles predicted by the analytical model against those measured in Verilator, before and after calibration (dashed: perfect agreement).',
      modelVsRtlSpec(run),
    ],
    [
      'search-curves',
      'Search curves',
      'Accuracy of the derived path, its FPS, the penalty weight λ, the mean entropy of the op (α) and bitwidth (β) distributions (ln 4 and ln 3 at uniform: the lower, the more the search has decided) and the Gumbel temperature per epoch.',
      searchCurvesSpec(run),
    ],
  ];
  const out: Chart[] = [];
  for (const [id, title, caption, spec] of specs) if (spec) out.push({ id, title, caption, svg: await renderSvg(spec) });
  return out;
}
