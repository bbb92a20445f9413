/**
 * The stages of trips-hw, in pipeline order. Imports point one way down this list: a stage may
 * use the ones above it, never the ones below (search uses accel's cost model, never a backend).
 *
 *   core/      schemas (one ajv), diagnostics, atomic files, provenance     — shared by all
 *   data/      datasets → batches                                           (issue: engine)
 *   nn/        TF.js engine, kernels, quantisers, supernet                  (issue: engine)
 *   search/    search spaces, genotype → network lowering; joint search     (spaces: here)
 *   accel/     network + board → accelerator + cost (cost model, DAS)       (here)
 *   quant/     weights → integer model                                      (issue: HLS)
 *   backend/   design + integer model → HLS C++ / Verilog params            (issues: HLS, RTL)
 *   sim/       generated project → Verilator sim records                    (issue: RTL)
 *   calibrate/ sim records → calibration.json                               (issue: calibrate)
 *   report/    run folder → report.html                                     (issue: flow)
 *   cli/       oclif commands: parse flags, call one stage function, print
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
import type { CalibrationSpec, DesignPoint } from './accel/types.js';
import { generateToFolder } from './backend/project.js';
import { calibrateFromFiles } from './calibrate/from-files.js';
import { EXIT_FAILED, UsageError } from './core/diagnostics.js';
import { writeJsonAtomic } from './core/files.js';
import { loadArtifact } from './core/schema.js';
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

export const FLOW_STAGES = ['search', 'train', 'generate', 'sim', 'calibrate', 'final', 'report'] as const;
export type FlowStage = (typeof FLOW_STAGES)[number];

export interface FlowRequest {
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
  /** Per-layer cycle error against the RTL: default model, and held out after calibration. */
  readonly cycles: { readonly mapePct: number; readonly calibratedMapePct: number | null };
  readonly report: string;
  readonly stages: readonly { readonly stage: FlowStage; readonly seconds: number; readonly skipped: boolean }[];
  readonly seconds: number;
}

/** A stopped flow: a failed run (exit 1) that the same command continues. */
export class FlowInterrupted extends Error {
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
    throw new UsageError(`${file}: this run folder was started with ${JSON.stringify(state.settings)}; use another --out or the same settings`);
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

const loadDesignFile = (file: string) => loadArtifact<DesignPoint>('design', file);

export async function runFlow(request: FlowRequest): Promise<FlowSummary> {
  const started = performance.now();
  const preset = PRESETS[request.preset];
  const dataset = request.dataset ?? preset.dataset;
  // every input is read and checked before the first stage writes anything
  const board = resolveBoard(request.board ?? preset.board);
  const baselines: readonly BaselinePoint[] | undefined = request.baselines === undefined ? undefined : readBaselines(request.baselines);
  const out = request.out;
  const paths = {
    state: join(out, 'flow.json'),
    search: join(out, 'search'),
    design: join(out, 'search', 'design.json'),
    train: join(out, 'train'),
    hw: join(out, 'hw'),
    calibration: join(out, 'calibration.json'),
    final: join(out, 'final', 'design.json'),
  };
  let state = readState(paths.state, { preset: preset.name, dataset, board: board.name, seed: request.seed });
  if (state.done.search === undefined || state.done.train === undefined) checkDataset(dataset, request.dataDir, request.seed);
  const stages: { stage: FlowStage; seconds: number; skipped: boolean }[] = [];
  const log = (text: string) => request.onLog?.(text);
  const stop = () => request.shouldStop?.() ?? false;

  const run = async <T>(stage: FlowStage, work: () => Promise<T>): Promise<T> => {
    const index = FLOW_STAGES.indexOf(stage);
    const done = state.done[stage];
    request.onStage?.(stage, index, done !== undefined);
    if (done) {
      stages.push({ stage, seconds: done.seconds, skipped: true });
      return done.result as T;
    }
    const t0 = performance.now();
    const result = await work();
    const seconds = (performance.now() - t0) / 1e3;
    state = { ...state, done: { ...state.done, [stage]: { seconds, result } } };
    writeJsonAtomic(paths.state, state);
    stages.push({ stage, seconds, skipped: false });
    return result;
  };

  const search = await run('search', async () => {
    const r = await runSearch({
      space: preset.space,
      dataset,
      dataDir: request.dataDir,
      board,
      preset: preset.name,
      schedule: preset.schedule,
      fpsWindow: preset.fpsWindow,
      lambda: preset.schedule.lambda,
      hwSearch: 'joint',
      sampling: 'heterogeneous',
      seed: request.seed,
      outDir: paths.search,
      resume: existsSync(join(paths.search, 'checkpoint')),
      backend: request.backend,
      replicas: request.replicas,
      shouldStop: stop,
      onProgress: (p) => request.onProgress?.(`search epoch ${p.epoch + 1}/${preset.schedule.epochs} (${p.phase}) step ${p.step}/${p.steps} loss ${p.loss.toFixed(3)}`),
      onEpoch: (e) => log(`search epoch ${e.epoch + 1}/${preset.schedule.epochs}: accuracy ${(100 * e.accuracy).toFixed(2)} %, ${e.fps.toFixed(0)} FPS, λ ${e.lambda.toPrecision(3)}  [${e.genotype}]`),
    });
    if (r.interrupted) throw new FlowInterrupted('search');
    return { genotype: r.genotype ? r.genotype.cells.map((c) => `${c.op}@${c.bits}`).join(' ') : null, fps: r.fps };
  });
  const design = loadDesignFile(paths.design);

  const train = await run('train', async () => {
    const r = await retrainDesign(
      {
        network: design.network,
        dataset,
        dataDir: request.dataDir,
        epochs: preset.retrain.epochs,
        batchSize: preset.retrain.batchSize,
        sgd: { ...DEFAULT_SGD, learningRate: preset.retrain.learningRate },
        seed: request.seed,
        outDir: paths.train,
        resume: existsSync(join(paths.train, 'checkpoint')),
        backend: request.backend,
        replicas: request.replicas,
        limitTrain: preset.retrain.limitTrain,
        shouldStop: stop,
        onProgress: ({ epoch, step, steps, loss }) => request.onProgress?.(`train epoch ${epoch + 1}/${preset.retrain.epochs} step ${step}/${steps} loss ${loss.toFixed(3)}`),
        onEpoch: (e) => log(`train epoch ${e.epoch + 1}/${preset.retrain.epochs}: test ${(100 * e.testAccuracy).toFixed(2)} %`),
      },
      paths.design,
    );
    if (r.interrupted) throw new FlowInterrupted('train');
    return { accuracy: r.accuracy, integerAccuracy: r.integerAccuracy, agreement: r.agreement };
  });

  await run('generate', async () => {
    const r = await generateToFolder({
      design,
      designFile: paths.design,
      weightsDir: join(paths.train, 'weights'),
      out: paths.hw,
      tool: 'vitis-hls-2023.2',
      images: 2,
      seed: request.seed,
      backend: request.backend,
      provenance: makeProvenance({ seed: request.seed, command: 'flow' }),
    });
    return { files: r.files, designHash: r.designHash };
  });

  const sim = await run('sim', async () => {
    const r = await simulateProject(paths.hw, { onProgress: (e) => request.onProgress?.(`sim ${e.phase} ${e.chunk} (${e.index + 1}/${e.total})`) });
    log(`sim: ${r.layers.filter((l) => l.bitExact).length}/${r.layers.length} layers bit-exact; uncalibrated model vs RTL MAPE ${r.cycles.mapePct.toFixed(2)} %, max ${r.cycles.maxPct.toFixed(2)} %`);
    return { bitExact: r.bitExact, mapePct: r.cycles.mapePct, maxPct: r.cycles.maxPct, records: r.records };
  });

  const calibration = await run('calibrate', async () => {
    const r = calibrateFromFiles({ records: [join(paths.hw, 'sim', 'records.jsonl')], boardCsv: [], hlsReports: [], designs: [], out: paths.calibration, toolVersion: makeProvenance().toolVersion });
    return { heldOutAfterPct: r.heldOut?.after.mapePct ?? null, records: r.records };
  });

  const final = await run('final', async () => {
    const logits = design.explore?.logits;
    const r = exploreAccelerator(design.network, board, {
      strategy: 'differentiable',
      samples: preset.schedule.finalDasSamples,
      seed: request.seed,
      calibration: loadArtifact<CalibrationSpec>('calibration', paths.calibration),
      warmStart: logits ? { logits, accelerator: design.accelerator } : undefined,
    });
    const finalDesign: DesignPoint = { ...r.design, name: design.name, ...(design.search ? { search: design.search } : {}), provenance: makeProvenance({ seed: request.seed, command: 'flow (final accelerator search, calibrated model)' }) };
    writeJsonAtomic(paths.final, finalDesign);
    log(`final accelerator (calibrated model): ${r.report.fps.toFixed(0)} FPS`);
    return { fps: r.report.fps };
  });

  const report = await run('report', async () => {
    const r = await writeReport(out, { baselines, toolVersion: makeProvenance().toolVersion });
    return { file: r.file, charts: r.charts };
  });

  return {
    out,
    preset: preset.name,
    dataset,
    board: board.name,
    genotype: search.genotype,
    accuracy: train.accuracy,
    integerAccuracy: train.integerAccuracy,
    fps: design.predicted.fps,
    fpsCalibrated: final.fps,
    bitExact: sim.bitExact,
    cycles: { mapePct: sim.mapePct, calibratedMapePct: calibration.heldOutAfterPct },
    report: report.file,
    stages,
    seconds: (performance.now() - started) / 1e3,
  };
}

export { lowerGenotypeToNetwork } from './search/lower-genotype.js';
export { estimateDesign } from './accel/estimate.js';
export { exploreAccelerator, generateToFolder };
