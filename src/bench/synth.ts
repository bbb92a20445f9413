/**
 * bench:synth — the resource model held against Yosys. The chunks: both fixtures', the design
 * `flow` found (FLOW_DESIGN, default runs/flow/search/design.json; left out with a line when
 * absent) and RANDOM_CHUNKS (default 24) random chunk configurations — random networks
 * (accel/random-designs) on the ZC706 (7-series) and the ZCU102 (UltraScale+) in turn, each
 * chunk's parameters drawn over both parallel modes and loop orders and PE arrays from 2×2 to
 * 32×16, the layers' bits 4/6/8. Per chunk: the model's DSP, BRAM18, LUT and FF (estimateDesign)
 * and the engine's sizes (engineSizes: what the lowering builds), then Yosys synth_xilinx (the
 * npm package, cached as `trips-hw synth` caches: a rerun resumes). LUT and FF are then refitted
 * as `calibrate --synth-records` fits them (calibrate/resources.ts: LOGIC_TERMS, held out by
 * design, 5 folds) to show what calibration buys. Prints a table per chunk; last line: JSON
 * {chunks, dspExactPct, bramExactPct, lut: {mapeBefore (the structural prior), mapeAfter (fitted
 * from it, held out), mapeDefaults (the shipped defaults, in sample)}, ff: {…}, heldOut, fitted,
 * maxLogicDepth, maxLutLevels, secondsPerChunk, machine}. MAX_MACS (default none) leaves out random chunks
 * with more MACs, for a quick run; SYNTH_TABLE (default runs/bench-synth.jsonl) receives one JSON
 * line per chunk (name, family, params, sizes, model, measured, seconds). SYNTH_JOBS (default 1)
 * synthesises that many chunks at once, in child processes.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { join } from 'node:path';
import { compileCostProblem } from '../accel/problem.js';
import { resolveBoard } from '../accel/boards.js';
import { estimateDesign } from '../accel/estimate.js';
import { randomDesign, randomNetwork } from '../accel/random-designs.js';
import type { ChunkParams, DesignPoint } from '../accel/types.js';
import { engineSizes, type RtlSizes } from '../backend/rtl/lower.js';
import { yosysFamilyOf } from '../backend/rtl/synth.js';
import { writeFileAtomic } from '../core/files.js';
import { PACKAGE_ROOT } from '../core/paths.js';
import { Rng } from '../core/random.js';
import { loadArtifact } from '../core/schema.js';
import { defaultSynthCacheDir, engineJob, synthesize, totalLuts } from '../synth/index.js';
import { machineLine } from './machine.js';
import { calibrateResources, type ResourceMeasurement, yosysMeasurement } from '../calibrate/resources.js';
import { logicEstimate, PRIOR_LOGIC } from '../accel/resource-model.js';
import { errorStats } from '../calibrate/validate.js';
import { hashDesign } from '../backend/program.js';

const RANDOM = Number(process.env.RANDOM_CHUNKS ?? 24);
const MAX_MACS = Number(process.env.MAX_MACS ?? Infinity);
const JOBS = Number(process.env.SYNTH_JOBS ?? 1);
const TABLE = process.env.SYNTH_TABLE ?? join(PACKAGE_ROOT, 'runs', 'bench-synth.jsonl');
// the smallest array drawn is 2×2
if (!(MAX_MACS >= 4)) throw new Error(`MAX_MACS: expected a number of MACs of at least 4, found "${process.env.MAX_MACS}"`);
const FLOW_DESIGN = process.env.FLOW_DESIGN ?? join(PACKAGE_ROOT, 'runs', 'flow', 'search', 'design.json');

interface Case {
  readonly name: string;
  readonly design: DesignPoint;
  readonly chunk: number;
}

/** A chunk's parameters over the whole space: both modes and orders, PE 2×2 … 32×16, tiles ≥ PE. */
function drawParams(rng: Rng, dw: boolean): ChunkParams {
  const parallel = rng.pick(['mn', 'mp'] as const);
  const loopOrder = rng.pick(['os', 'ws'] as const);
  const peM = rng.pick([2, 4, 8, 16, 32]);
  const peN = rng.pick([2, 4, 8, 16]);
  const tileM = rng.pick([4, 8, 16, 32, 64].filter((t) => t >= peM));
  const tileN = dw ? 1 : rng.pick([4, 8, 16, 32].filter((t) => parallel === 'mp' || t >= peN));
  const tileR = rng.pick([2, 4, 7, 8]);
  const tileC = rng.pick([2, 4, 7, 8, 14, 16].filter((t) => parallel === 'mn' || t >= peN));
  return { parallel, loopOrder, tileM, tileN, tileR, tileC, peM, peN, portBits: rng.pick([64, 128]) };
}

function cases(): Case[] {
  const out: Case[] = [];
  for (const name of ['tiny-chain', 'tiny-mixed']) {
    const design = loadArtifact<DesignPoint>('design', join(PACKAGE_ROOT, 'test', 'fixtures', `${name}.design.json`));
    design.accelerator.chunks.forEach((_, chunk) => out.push({ name: `${name}/${design.accelerator.chunks[chunk].id}`, design, chunk }));
  }
  if (existsSync(FLOW_DESIGN)) {
    const design = loadArtifact<DesignPoint>('design', FLOW_DESIGN);
    design.accelerator.chunks.forEach((c, chunk) => out.push({ name: `flow/${c.id}`, design, chunk }));
  } else console.log(`(no flow design at ${FLOW_DESIGN}: run \`trips-hw flow\` first to include it)`);
  const rng = new Rng(16);
  for (let i = 0; out.filter((c) => c.name.startsWith('random')).length < RANDOM; i++) {
    const network = randomNetwork(rng, `synth-${i}`, { size: 6, channels: 3 });
    const base = randomDesign(rng, network, i % 2 === 0 ? 'zc706' : 'zcu102');
    const chunks = base.accelerator.chunks.map((c) => ({ ...c, params: drawParams(rng, c.kind === 'dw') }));
    const design = { ...base, accelerator: { ...base.accelerator, chunks } };
    // one chunk of each random design: the first MAC chunk that is not a repeat
    const pick = rng.int(chunks.length);
    if (chunks[pick].params.peM * chunks[pick].params.peN > MAX_MACS) continue;
    out.push({ name: `random-${i}/${chunks[pick].id}`, design, chunk: pick });
  }
  return out;
}

interface Row {
  readonly name: string;
  readonly family: string;
  readonly params: ChunkParams;
  readonly sizes: RtlSizes;
  readonly model: { dsp: number; bram18: number; lut: number; ff: number };
  readonly measured: { dsp48: number; bram18: number; lut: number; ff: number; logicDepth: number; carryDepth: number | null };
  /** The chunk as a resource measurement (its LOGIC_TERMS, LUT and FF), for the refit. */
  readonly measurement: ResourceMeasurement;
  readonly seconds: number;
  readonly cached: boolean;
}

/** The case's engine, its family and the design's report (the model's counts). */
function prepare(c: Case) {
  const design = c.design;
  const board = resolveBoard(design.board.name);
  const family = yosysFamilyOf(board.part);
  if (!family) throw new Error(`no Yosys family for part ${board.part}`);
  const problem = compileCostProblem(design.network, design.accelerator.chunks, design.board);
  const params = design.accelerator.chunks[c.chunk].params;
  return { family, params, sizes: engineSizes(problem.extents[c.chunk], params) };
}

/**
 * SYNTH_JOBS > 1: that many child processes synthesise the chunks first, chunk i in child
 * i mod SYNTH_JOBS, into the cache (Yosys's WebAssembly build runs on one core); the table is
 * then made from the cache. A child (SYNTH_SHARD=k/n) synthesises its share and exits.
 */
async function fillCache(all: readonly Case[], cacheDir: string): Promise<void> {
  const shard = process.env.SYNTH_SHARD;
  if (shard !== undefined) {
    const [k, n] = shard.split('/').map(Number);
    for (let i = k; i < all.length; i += n) {
      const { family, sizes } = prepare(all[i]);
      const outcome = await synthesize(engineJob(sizes, family), { cacheDir });
      console.error(`[shard ${k}/${n}] ${all[i].name}: ${outcome.seconds.toFixed(0)} s${outcome.cached ? ' (cached)' : ''}`);
    }
    process.exit(0);
  }
  if (!(JOBS > 1)) return;
  const script = fileURLToPath(import.meta.url);
  await Promise.all(
    Array.from({ length: JOBS }, (_, k) =>
      execa(process.execPath, [script], { env: { SYNTH_SHARD: `${k}/${JOBS}` }, stdout: 'ignore', stderr: 'inherit' }),
    ),
  );
}

async function main(): Promise<void> {
  const cacheDir = process.env.SYNTH_CACHE ?? defaultSynthCacheDir();
  const all = cases();
  await fillCache(all, cacheDir);
  console.log(`bench:synth on ${JSON.stringify(machineLine())}: ${all.length} chunks, Yosys cache ${cacheDir}`);
  console.log(
    '\n| chunk | family | mode | PE | DSP model / synth | BRAM18 model / synth | LUT model / synth | FF model / synth | depth (carry) | s |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|---|');
  const rows: Row[] = [];
  for (const c of all) {
    const design = c.design;
    const { family, params, sizes } = prepare(c);
    const report = estimateDesign(design);
    const chunkReport = report.chunks[c.chunk];
    const model = { dsp: chunkReport.dsp, bram18: chunkReport.bram18, lut: chunkReport.lut, ff: chunkReport.ff };
    const outcome = await synthesize(engineJob(sizes, family), { cacheDir });
    const m = outcome.measured;
    const row: Row = {
      name: c.name,
      family,
      params,
      sizes,
      model,
      measured: {
        dsp48: m.dsp48,
        bram18: m.bram18,
        lut: totalLuts(m),
        ff: m.ff,
        logicDepth: m.logicDepth,
        carryDepth: m.carryDepth ?? null,
      },
      measurement: yosysMeasurement({ id: c.name, design: hashDesign(design), chunk: c.name, by: 'Yosys', sizes, family, measured: m }),
      seconds: outcome.seconds,
      cached: outcome.cached,
    };
    rows.push(row);
    const pe = `${params.peM}×${params.peN}`;
    const mark = (a: number, b: number) => (a === b ? `${a} / ${b}` : `**${a} / ${b}**`);
    console.log(
      `| ${c.name} | ${family} | ${params.parallel}/${params.loopOrder} | ${pe} | ${mark(model.dsp, m.dsp48)} | ${mark(model.bram18, m.bram18)} | ${model.lut} / ${row.measured.lut} | ${model.ff} / ${m.ff} | ${m.logicDepth}${m.carryDepth === undefined ? '' : ` (${m.carryDepth})`} | ${outcome.seconds.toFixed(0)}${outcome.cached ? ' (cached)' : ''} |`,
    );
  }
  const pct = (n: number) => Math.round((1000 * n) / rows.length) / 10;
  // the model's error, and a refit's on designs it was not fitted to (calibrate's own fit and
  // folds). The default coefficients were fitted to these chunks, so the refit is pulled towards
  // the prior instead: no fold leans on coefficients that saw it.
  const refit = calibrateResources(
    rows.map((r) => r.measurement),
    5,
    PRIOR_LOGIC,
  );
  const prior = (r: Row, what: 'lut' | 'ff') => logicEstimate(PRIOR_LOGIC[what], r.measurement.terms);
  const errors = (model: (r: Row) => number, priorOf: (r: Row) => number, measured: (r: Row) => number, after: number | undefined) => ({
    // before calibration: the structural prior; after: fitted from it on the other folds
    mapeBefore: errorStats(rows.map(priorOf), rows.map(measured)).mapePct,
    mapeAfter: after ?? null,
    // the shipped defaults, fitted to these very chunks: in sample
    mapeDefaults: errorStats(rows.map(model), rows.map(measured)).mapePct,
  });
  const result = {
    chunks: rows.length,
    dspExactPct: pct(rows.filter((r) => r.model.dsp === r.measured.dsp48).length),
    bramExactPct: pct(rows.filter((r) => r.model.bram18 === r.measured.bram18).length),
    lut: errors(
      (r) => r.model.lut,
      (r) => prior(r, 'lut'),
      (r) => r.measured.lut,
      refit.heldOut?.lut.after.mapePct,
    ),
    ff: errors(
      (r) => r.model.ff,
      (r) => prior(r, 'ff'),
      (r) => r.measured.ff,
      refit.heldOut?.ff.after.mapePct,
    ),
    heldOut: refit.heldOut?.lut.method ?? null,
    fitted: { lut: refit.lut, ff: refit.ff },
    maxLogicDepth: Math.max(...rows.map((r) => r.measured.logicDepth)),
    // the deepest path less its carry cells: the LUT-like levels a 200 MHz budget counts
    maxLutLevels: Math.max(...rows.map((r) => r.measured.logicDepth - (r.measured.carryDepth ?? 0))),
    secondsPerChunk: rows.reduce((s, r) => s + r.seconds, 0) / Math.max(1, rows.length),
    machine: machineLine(),
  };
  console.log(
    `\nDSP exact ${result.dspExactPct} %, BRAM18 exact ${result.bramExactPct} %; LUT MAPE: the structural prior ${result.lut.mapeBefore.toFixed(1)} % → calibrated, held out ${result.lut.mapeAfter?.toFixed(1) ?? '–'} % (the defaults, fitted to these chunks: ${result.lut.mapeDefaults.toFixed(1)} % in sample); FF ${result.ff.mapeBefore.toFixed(1)} % → ${result.ff.mapeAfter?.toFixed(1) ?? '–'} % (${result.ff.mapeDefaults.toFixed(1)} %) (held out: ${result.heldOut ?? 'too few chunks'}, each fold fitted towards the prior)`,
  );
  // every chunk's sizes and what Yosys mapped, for a calibration without re-synthesising
  writeFileAtomic(
    TABLE,
    rows
      .map(
        (r) =>
          `${JSON.stringify({ name: r.name, family: r.family, params: r.params, sizes: r.sizes, model: r.model, measured: r.measured, seconds: r.seconds })}\n`,
      )
      .join(''),
  );
  console.log(`(per-chunk table: ${TABLE})`);
  console.log(JSON.stringify(result));
}

await main();
