/**
 * The stages of trips-hw and the order of their imports. A stage imports only itself and the
 * stages below it; stages on one line do not import each other (test/core/imports.test.ts):
 *
 *   core/                 schemas (one ajv), diagnostics, the input fence, atomic files, provenance
 *   data/, accel/         datasets → batches; network + board → accelerator + cost (model, DAS)
 *   nn/                   TF.js engine: backends, kernels, quantisers, QAT training, replicas
 *   search/, quant/       spaces, genotypes, the joint search; weights → integer model, golden
 *   backend/              design + integer model → layer program → HLS project, RTL parameters
 *   sim/                  generated project → Verilator runs → sim records
 *   calibrate/            sim records, board timings, HLS reports → calibration.json
 *   report/               run folder → report.html
 *   pipeline.ts           this file: the flow's stages as one table (FLOW_STEPS), runFlow
 *   cli/, bench/          oclif commands (parse flags, call one function, print); benchmarks
 */

/**
 * runFlow (`trips-hw flow`) — the whole pipeline in one call, stage by stage into one run folder:
 *
 *   search     dataset + space + board → search/design.json (network, bitwidths, accelerator)
 *   train      retrain the searched network from scratch → train/weights, train/train.json
 *   generate   design + weights → hw/ (HLS project, RTL parameters and programs, golden vectors)
 *   sim        Verilator co-simulation of hw/ → hw/sim/records.jsonl (bit-exact, cycles)
 *   calibrate  sim records → calibration.json (fitted cost-model coefficients)
 *   final      the accelerator searched again with the calibrated model → final/design.json
 *   report     run folder → report.html
 *
 * flow.json records the settings and every finished stage, so a rerun of the same command
 * skips what is done and resumes search and training from their last epoch checkpoint.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { exploreAccelerator } from './accel/explore.js';
import { resolveBoard } from './accel/boards.js';
import { loadCalibration, loadDesign } from './accel/load.js';
import type { BoardSpec, DesignPoint } from './accel/types.js';
import { generateToFolder } from './backend/project.js';
import { calibrateFromFiles } from './calibrate/from-files.js';
import { EXIT_FAILED, UsageError } from './core/diagnostics.js';
import { writeJsonAtomic } from './core/files.js';
import { loadArtifact, validateArtifact } from './core/schema.js';
import { makeProvenance } from './core/provenance.js';
import { datasetByName, type DatasetName } from './data/index.js';
import type { BackendName } from './nn/backend.js';
import { DEFAULT_SGD } from './nn/optimizer.js';
import { retrainDesign } from './quant/retrain.js';
import { readBaselines, type BaselinePoint } from './report/data.js';
import { writeReport } from './report/index.js';
import { runSearch } from './search/joint.js';
import { PRESETS, type PresetName } from './search/presets.js';
import { simulateProject } from './sim/project.js';
import { simulateSystem, systemVerdict, type SystemVerdict } from './sim/system.js';
import { runLayout, STAGE_FILES } from './core/run-layout.js';

export const FLOW_STAGES = ['search', 'train', 'generate', 'sim', 'calibrate', 'final', 'report'] as const;
export type FlowStage = (typeof FLOW_STAGES)[number];

interface FlowRequest {
  readonly preset: PresetName;
  readonly dataset?: DatasetName;
  readonly dataDir?: string;
  readonly board?: string;
  readonly seed: number;
  readonly out: string;
  readonly backend?: BackendName;
  readonly replicas?: number;
  /** Baseline points for the report (a JSON array of {label, accuracy, fps}). */
  readonly baselines?: string;
  readonly shouldStop?: () => boolean;
  /** A stage starts (`skipped`: it was done by an earlier run). */
  readonly onStage?: (stage: FlowStage, index: number, skipped: boolean) => void;
  /** Progress inside a stage, one line. */
  readonly onProgress?: (text: string) => void;
  /** A line worth keeping on the terminal (an epoch, a stage's result). */
  readonly onLog?: (text: string) => void;
}

export interface FlowSummary {
  readonly out: string;
  readonly preset: PresetName;
  readonly dataset: DatasetName;
  readonly board: string;
  readonly genotype: string | null;
  /** Test accuracy of the retrained network: fake-quantised and as the integer model. */
  readonly accuracy: number;
  readonly integerAccuracy: number;
  /** FPS of the searched accelerator (default model) and of the final one (calibrated model). */
  readonly fps: number;
  readonly fpsCalibrated: number;
  readonly bitExact: boolean;
  /** The whole accelerator's steady-state FPS in simulation (null in runs from before it). */
  readonly fpsMeasured: number | null;
  /** Per-layer cycle error against the RTL: default model, and held out after calibration. */
  readonly cycles: { readonly mapePct: number; readonly calibratedMapePct: number | null };
  readonly report: string;
  readonly stages: readonly { readonly stage: FlowStage; readonly seconds: number; readonly skipped: boolean }[];
  readonly seconds: number;
}

/** A stopped flow: a failed run (exit 1) that the same command continues. */
class FlowInterrupted extends Error {
  readonly exitCode = EXIT_FAILED;
  constructor(stage: FlowStage) {
    super(`interrupted during ${stage}; run the same command again to continue`);
    this.name = 'FlowInterrupted';
  }
}

/** OUT/flow.json (schemas/flow-state.schema.json). */
interface FlowState {
  readonly version: 1;
  readonly settings: { readonly preset: PresetName; readonly dataset: DatasetName; readonly board: string; readonly seed: number };
  readonly done: Partial<Record<FlowStage, { readonly seconds: number; readonly result: unknown }>>;
}

/** The run folder's state: through its schema, and started with the same settings. */
function readState(file: string, settings: FlowState['settings']): FlowState {
  if (!existsSync(file)) return { version: 1, settings, done: {} };
  const state = loadArtifact<FlowState>('flow-state', file);
  if (JSON.stringify(state.settings) !== JSON.stringify(settings)) {
    throw new UsageError(
      `${file}: this run folder was started with ${JSON.stringify(state.settings)}; use another --out or the same settings`,
    );
  }
  return state;
}

/**
 * The dataset's files, read once before any stage runs (a missing or malformed CIFAR-10 or
 * Fashion-MNIST folder is refused before anything is written); synthetic data needs none.
 */
function checkDataset(dataset: DatasetName, dataDir: string | undefined, seed: number): void {
  if (dataset === 'synthetic') return;
  datasetByName(dataset, { dataDir, seed });
}

/** What each stage returns; kept in flow.json (schemas/flow-state.schema.json) so a rerun skips it. */
interface StageResults {
  readonly search: { readonly genotype: string | null; readonly fps: number };
  readonly train: { readonly accuracy: number; readonly integerAccuracy: number; readonly agreement: number };
  readonly generate: { readonly files: number; readonly designHash: string };
  readonly sim: {
    readonly bitExact: boolean;
    readonly mapePct: number;
    readonly maxPct: number;
    readonly records: string;
    /** The whole accelerator (trips_accel) with images streamed through it; absent in runs from before it. */
    readonly system?: SystemVerdict;
  };
  readonly calibrate: { readonly heldOutAfterPct: number | null; readonly records: number };
  readonly final: { readonly fps: number };
  readonly report: { readonly file: string; readonly charts: readonly string[] };
}

/** Everything a stage may use: the request, the settings resolved up front, the run layout. */
interface FlowContext {
  readonly request: FlowRequest;
  readonly preset: (typeof PRESETS)[PresetName];
  readonly dataset: DatasetName;
  readonly board: BoardSpec;
  readonly baselines?: readonly BaselinePoint[];
  readonly paths: ReturnType<typeof runLayout>;
  readonly log: (text: string) => void;
  readonly stop: () => boolean;
  /** The searched design (search/design.json), read once through the strict loader. */
  readonly design: () => DesignPoint;
}

interface FlowStep<K extends FlowStage> {
  /** One line: what the stage does and what it writes (the flow command's help prints it). */
  readonly describe: string;
  readonly run: (ctx: FlowContext) => Promise<StageResults[K]>;
}

async function searchStage(ctx: FlowContext): Promise<StageResults['search']> {
  const { request, preset, paths } = ctx;
  const epochs = preset.schedule.epochs;
  const r = await runSearch({
    space: preset.space,
    dataset: ctx.dataset,
    dataDir: request.dataDir,
    board: ctx.board,
    preset: preset.name,
    schedule: preset.schedule,
    fpsWindow: preset.fpsWindow,
    lambda: preset.schedule.lambda,
    hwSearch: 'joint',
    sampling: 'heterogeneous',
    seed: request.seed,
    outDir: paths.search,
    resume: existsSync(join(paths.search, STAGE_FILES.checkpoint)),
    backend: request.backend,
    replicas: request.replicas,
    shouldStop: ctx.stop,
    onProgress: (p) =>
      request.onProgress?.(`search epoch ${p.epoch + 1}/${epochs} (${p.phase}) step ${p.step}/${p.steps} loss ${p.loss.toFixed(3)}`),
    onEpoch: (e) =>
      ctx.log(
        `search epoch ${e.epoch + 1}/${epochs}: accuracy ${(100 * e.accuracy).toFixed(2)} %, ${e.fps.toFixed(0)} FPS, λ ${e.lambda.toPrecision(3)}  [${e.genotype}]`,
      ),
  });
  if (r.interrupted) throw new FlowInterrupted('search');
  return { genotype: r.genotype ? r.genotype.cells.map((c) => `${c.op}@${c.bits}`).join(' ') : null, fps: r.fps };
}

async function trainStage(ctx: FlowContext): Promise<StageResults['train']> {
  const { request, preset, paths } = ctx;
  const { epochs } = preset.retrain;
  const r = await retrainDesign(
    {
      network: ctx.design().network,
      dataset: ctx.dataset,
      dataDir: request.dataDir,
      epochs,
      batchSize: preset.retrain.batchSize,
      sgd: { ...DEFAULT_SGD, learningRate: preset.retrain.learningRate },
      seed: request.seed,
      outDir: paths.train,
      resume: existsSync(join(paths.train, STAGE_FILES.checkpoint)),
      backend: request.backend,
      replicas: request.replicas,
      limitTrain: preset.retrain.limitTrain,
      shouldStop: ctx.stop,
      onProgress: ({ epoch, step, steps, loss }) =>
        request.onProgress?.(`train epoch ${epoch + 1}/${epochs} step ${step}/${steps} loss ${loss.toFixed(3)}`),
      onEpoch: (e) => ctx.log(`train epoch ${e.epoch + 1}/${epochs}: test ${(100 * e.testAccuracy).toFixed(2)} %`),
    },
    paths.design,
  );
  if (r.interrupted) throw new FlowInterrupted('train');
  return { accuracy: r.accuracy, integerAccuracy: r.integerAccuracy, agreement: r.agreement };
}

async function generateStage(ctx: FlowContext): Promise<StageResults['generate']> {
  const { request, paths } = ctx;
  const r = await generateToFolder({
    design: ctx.design(),
    designFile: paths.design,
    weightsDir: join(paths.train, STAGE_FILES.weights),
    out: paths.hw,
    tool: 'vitis-hls-2023.2',
    images: 2,
    seed: request.seed,
    backend: request.backend,
    provenance: makeProvenance({ seed: request.seed, command: 'flow' }),
  });
  return { files: r.files, designHash: r.designHash };
}

async function simStage(ctx: FlowContext): Promise<StageResults['sim']> {
  const r = await simulateProject(ctx.paths.hw, {
    onProgress: (e) => ctx.request.onProgress?.(`sim ${e.phase} ${e.chunk} (${e.index + 1}/${e.total})`),
  });
  ctx.log(
    `sim: ${r.layers.filter((l) => l.bitExact).length}/${r.layers.length} layers bit-exact; uncalibrated model vs RTL MAPE ${r.cycles.mapePct.toFixed(2)} %, max ${r.cycles.maxPct.toFixed(2)} %`,
  );
  // the verdict on the FPS: the whole accelerator, enough images for a steady state
  const s = await simulateSystem(ctx.paths.hw, {
    images: 'steady',
    onProgress: (phase) => ctx.request.onProgress?.(`sim --system ${phase}`),
  });
  const system = systemVerdict(s);
  ctx.log(
    `sim --system: ${s.images} images through trips_accel, ${s.bitExact ? 'every layer of every image bit-exact' : 'NOT bit-exact'}; measured ${s.measured.fps.toFixed(0)} FPS, model ${s.predicted.slowestChunkFps.toFixed(0)} (clock / slowest chunk), ${s.predicted.fps.toFixed(0)} (system model)`,
  );
  return { bitExact: r.bitExact, mapePct: r.cycles.mapePct, maxPct: r.cycles.maxPct, records: r.records, system };
}

async function calibrateStage(ctx: FlowContext): Promise<StageResults['calibrate']> {
  const r = calibrateFromFiles({
    records: [ctx.paths.records],
    boardCsv: [],
    hlsReports: [],
    designs: [],
    out: ctx.paths.calibration,
    toolVersion: makeProvenance().toolVersion,
  });
  return { heldOutAfterPct: r.heldOut?.after.mapePct ?? null, records: r.records };
}

/** The accelerator searched again with the calibrated model, warm-started from the search's logits. */
async function finalStage(ctx: FlowContext): Promise<StageResults['final']> {
  const { request, paths } = ctx;
  const design = ctx.design();
  const logits = design.explore?.logits;
  const r = exploreAccelerator(design.network, ctx.board, {
    strategy: 'differentiable',
    samples: ctx.preset.schedule.finalDasSamples,
    seed: request.seed,
    calibration: loadCalibration(paths.calibration),
    warmStart: logits ? { logits, accelerator: design.accelerator } : undefined,
  });
  const finalDesign: DesignPoint = {
    ...r.design,
    name: design.name,
    ...(design.search ? { search: design.search } : {}),
    provenance: makeProvenance({ seed: request.seed, command: 'flow (final accelerator search, calibrated model)' }),
  };
  writeDesignFile(paths.final, finalDesign);
  ctx.log(`final accelerator (calibrated model): ${r.report.fps.toFixed(0)} FPS`);
  return { fps: r.report.fps };
}

async function reportStage(ctx: FlowContext): Promise<StageResults['report']> {
  const r = await writeReport(ctx.request.out, { baselines: ctx.baselines, toolVersion: makeProvenance().toolVersion });
  return { file: r.file, charts: r.charts };
}

/** A design the flow wrote, checked against its schema first (a mismatch is our bug: exit 1). */
function writeDesignFile(file: string, design: DesignPoint): void {
  try {
    validateArtifact<DesignPoint>('design', design, file);
  } catch (error) {
    throw new Error(`internal: the design for ${file} does not match its schema (${(error as Error).message})`);
  }
  writeJsonAtomic(file, design);
}

/** The pipeline: every stage of `trips-hw flow`, in FLOW_STAGES order, as one table. */
export const FLOW_STEPS: { readonly [K in FlowStage]: FlowStep<K> } = {
  search: { describe: 'co-search network, bitwidths and accelerator            → OUT/search/design.json', run: searchStage },
  train: { describe: 'retrain the searched network from scratch (QAT)        → OUT/train/ (integer-model accuracy)', run: trainStage },
  generate: { describe: 'HLS project, RTL parameters and programs, golden data   → OUT/hw/', run: generateStage },
  sim: { describe: 'Verilator co-simulation: bit-exact check, cycles        → OUT/hw/sim/records.jsonl', run: simStage },
  calibrate: { describe: 'fit the cost model to the measured cycles              → OUT/calibration.json', run: calibrateStage },
  final: { describe: 'search the accelerator again with the calibrated model → OUT/final/design.json', run: finalStage },
  report: { describe: 'one self-contained HTML page                            → OUT/report.html', run: reportStage },
};

export async function runFlow(request: FlowRequest): Promise<FlowSummary> {
  const started = performance.now();
  const preset = PRESETS[request.preset];
  const dataset = request.dataset ?? preset.dataset;
  // every input is read and checked before the first stage writes anything
  const board = resolveBoard(request.board ?? preset.board);
  const baselines = request.baselines === undefined ? undefined : readBaselines(request.baselines);
  const paths = runLayout(request.out);
  let state = readState(paths.state, { preset: preset.name, dataset, board: board.name, seed: request.seed });
  if (state.done.search === undefined || state.done.train === undefined) checkDataset(dataset, request.dataDir, request.seed);
  let design: DesignPoint | undefined;
  const ctx: FlowContext = {
    request,
    preset,
    dataset,
    board,
    baselines,
    paths,
    log: (text) => request.onLog?.(text),
    stop: () => request.shouldStop?.() ?? false,
    design: () => (design ??= loadDesign(paths.design)),
  };
  const results: Partial<Record<FlowStage, unknown>> = {};
  const stages: { stage: FlowStage; seconds: number; skipped: boolean }[] = [];
  for (const [index, stage] of FLOW_STAGES.entries()) {
    const done = state.done[stage];
    request.onStage?.(stage, index, done !== undefined);
    if (done) {
      stages.push({ stage, seconds: done.seconds, skipped: true });
      results[stage] = done.result;
      continue;
    }
    const t0 = performance.now();
    const result = await FLOW_STEPS[stage].run(ctx);
    const seconds = (performance.now() - t0) / 1e3;
    state = { ...state, done: { ...state.done, [stage]: { seconds, result } } };
    writeJsonAtomic(paths.state, state);
    stages.push({ stage, seconds, skipped: false });
    results[stage] = result;
  }
  const r = results as StageResults;
  return {
    out: request.out,
    preset: preset.name,
    dataset,
    board: board.name,
    genotype: r.search.genotype,
    accuracy: r.train.accuracy,
    integerAccuracy: r.train.integerAccuracy,
    fps: ctx.design().predicted.fps,
    fpsCalibrated: r.final.fps,
    bitExact: r.sim.bitExact && (r.sim.system?.bitExact ?? true),
    fpsMeasured: r.sim.system?.measuredFps ?? null,
    cycles: { mapePct: r.sim.mapePct, calibratedMapePct: r.calibrate.heldOutAfterPct },
    report: r.report.file,
    stages,
    seconds: (performance.now() - started) / 1e3,
  };
}
