/**
 * The joint search (method.md §5): a supernet trained with heterogeneous sampling, α and β
 * updated with an operation-wise hardware penalty from the accelerator the DAS finds for the
 * current single path, λ adapted to keep the derived network's FPS in a window.
 *
 * A pure function of its job apart from the run folder: `search.jsonl` (one line per epoch),
 * a checkpoint after every epoch (everything a resume needs: weights, statistics, α, β, both
 * optimisers' state, λ, the accelerator and its DAS logits), and at the end `design.json`
 * (the derived network on the final long-DAS accelerator) and `weights/` (the supernet).
 * Every random draw comes from a stream derived from (seed, epoch, step), so a resumed run
 * continues exactly as the uninterrupted one; Ctrl-C stops between steps and loses at most
 * the epoch in progress. Runs as data-parallel replicas on wasm/cpu like `train` (replica.ts).
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../core/diagnostics.js';
import { writeJsonAtomic } from '../core/files.js';
import { makeProvenance } from '../core/provenance.js';
import { Rng } from '../core/random.js';
import { validateArtifact } from '../core/schema.js';
import type { BoardSpec, CostReport, DesignPoint } from '../accel/index.js';
import { batchesOf, type Batch, type Dataset, datasetByName, type DatasetName, deriveSeed, splitTrainValidation, type Split } from '../data/index.js';
import { type BackendName, selectBackend } from '../nn/backend.js';
import { readCheckpoint, writeCheckpoint } from '../nn/checkpoint.js';
import { combineGradients, createOptimizer, crossEntropy, trainStep } from '../nn/optimizer.js';
import { Replica, withReplica } from '../nn/replica.js';
import { observedBy, replicaCount, type ReplicaContext, runObserved, type Unobserved } from '../nn/replicas.js';
import * as tf from '../nn/tf.js';
import { accuracyOf, sliceOf } from '../nn/train.js';
import { saveWeights } from '../nn/weights.js';
import { cellLatencies, costOnAccelerator, genotypeKey, type HardwareState, pathNetwork, searchHardware } from './hardware.js';
import type { SearchSchedule } from './presets.js';
import { correctOffsets } from './sampling.js';
import {
  archForward,
  choicesOf,
  createSupernet,
  derivedForward,
  derivedGenotype,
  disposeSupernet,
  genotypePath,
  hardwareCost,
  logitEntropies,
  type Logits,
  readLogits,
  sampleArchPath,
  sampleWeightPath,
  type SamplingMode,
  type Supernet,
  weightForward,
} from './supernet.js';
import type { GenotypeSpec, SearchSpaceSpec } from './types.js';

export type HwSearchMode = 'joint' | 'once';

export interface SearchJob {
  readonly space: SearchSpaceSpec;
  readonly dataset: DatasetName;
  readonly dataDir?: string;
  readonly board: BoardSpec;
  readonly preset: string;
  readonly schedule: SearchSchedule;
  readonly fpsWindow: readonly [number, number];
  /** Initial λ; 0 searches for accuracy alone (the accelerator is then searched after). */
  readonly lambda: number;
  readonly hwSearch: HwSearchMode;
  readonly sampling: SamplingMode;
  readonly seed: number;
  readonly outDir: string;
  readonly resume: boolean;
  readonly backend?: BackendName;
  readonly replicas?: number;
  readonly onProgress?: (p: SearchProgress) => void;
  readonly onEpoch?: (record: SearchEpochRecord) => void;
  readonly shouldStop?: () => boolean;
}

export interface SearchProgress {
  readonly epoch: number;
  readonly step: number;
  readonly steps: number;
  readonly phase: 'warm-up' | 'joint';
  readonly loss: number;
}

export interface SearchEpochRecord {
  readonly epoch: number;
  readonly phase: 'warm-up' | 'joint';
  /** Accuracy of the derived (argmax) path on the evaluation images, supernet weights. */
  readonly accuracy: number;
  readonly trainLoss: number;
  readonly archLoss: number | null;
  /** The derived network's FPS on the accelerator searched for it. */
  readonly fps: number;
  readonly lambda: number;
  readonly temperature: number;
  readonly entropyAlpha: number;
  readonly entropyBeta: number;
  readonly genotype: string;
  readonly hwSearches: number;
  readonly seconds: number;
}

export interface SearchResult {
  readonly backend: BackendName;
  readonly replicas: number;
  readonly interrupted: boolean;
  readonly epochs: readonly SearchEpochRecord[];
  readonly accuracy: number;
  readonly fps: number;
  readonly design?: string;
  readonly genotype?: GenotypeSpec;
}

const STREAM = { weightPath: 11, archPath: 12, weightBatches: 13, archBatches: 14 } as const;

/** Checkpoint state besides tensors. */
interface SearchState {
  readonly settings: ReturnType<typeof settingsOf>;
  readonly epochs: SearchEpochRecord[];
  readonly lambda: number;
  readonly adam: { readonly m: number[]; readonly v: number[]; readonly t: number };
  readonly hardware?: HardwareState;
  readonly archSteps: number;
  readonly lastHwSearch: number;
  readonly hwSearches: number;
  readonly charged?: LoopContext['s']['charged'];
}

function settingsOf(job: SearchJob) {
  return {
    space: job.space,
    dataset: job.dataset,
    board: job.board.name,
    schedule: job.schedule,
    fpsWindow: job.fpsWindow,
    lambda0: job.lambda,
    hwSearch: job.hwSearch,
    sampling: job.sampling,
    seed: job.seed,
  };
}

export async function runSearch(job: SearchJob): Promise<SearchResult> {
  const [lo, hi] = job.fpsWindow;
  if (!(lo > 0 && hi > lo)) throw new UsageError(`--fps-window: expected LO:HI with 0 < LO < HI, found ${lo}:${hi}`);
  const backend = (await selectBackend(job.backend)).name;
  const replicas = replicaCount(backend, job.replicas);
  if (replicas === 1) return searchLoop(job, backend);
  return runObserved<SearchResult, SearchJob>({ module: 'search/joint.js', exportName: 'searchReplica' }, { ...job, backend, replicas }, replicas);
}

/** One replica of a replicated search (in its worker thread). */
export async function searchReplica(job: Unobserved<SearchJob>, context: ReplicaContext): Promise<SearchResult> {
  const replica = new Replica(context.memory, context.rank, context.size);
  const backend = (await selectBackend(job.backend)).name;
  return searchLoop({ ...job, ...observedBy(context) }, backend, replica);
}

function checkDataset(space: SearchSpaceSpec, data: Dataset): void {
  const { height, width, channels } = space.input;
  const s = data.train;
  if (s.height !== height || s.width !== width || s.channels !== channels || data.classes !== space.classes) {
    throw new UsageError(
      `dataset ${data.name} gives ${s.height}×${s.width}×${s.channels} images in ${data.classes} classes; search space ${space.name} expects ${height}×${width}×${channels} in ${space.classes}`,
    );
  }
}

/** Adam on the flattened [α, β] (method.md §5: lr 3e-4, betas 0.5, 0.999). */
class ArchAdam {
  m: Float64Array;
  v: Float64Array;
  t: number;
  constructor(
    size: number,
    private readonly lr: number,
    private readonly betas: readonly [number, number],
  ) {
    this.m = new Float64Array(size);
    this.v = new Float64Array(size);
    this.t = 0;
  }

  step(params: Float32Array, grads: Float32Array): void {
    const [b1, b2] = this.betas;
    this.t++;
    const c1 = 1 - b1 ** this.t;
    const c2 = 1 - b2 ** this.t;
    for (let i = 0; i < params.length; i++) {
      const g = grads[i];
      this.m[i] = b1 * this.m[i] + (1 - b1) * g;
      this.v[i] = b2 * this.v[i] + (1 - b2) * g * g;
      params[i] -= (this.lr * (this.m[i] / c1)) / (Math.sqrt(this.v[i] / c2) + 1e-8);
    }
  }
}

interface LoopContext {
  readonly job: SearchJob;
  readonly net: Supernet;
  readonly data: Dataset;
  readonly weightSplit: Split;
  readonly archSplit: Split;
  readonly evalSplit: Split;
  readonly replica?: Replica;
  readonly optimizer: ReturnType<typeof createOptimizer>;
  readonly adam: ArchAdam;
  /** Mutable search state. */
  s: {
    lambda: number;
    hardware?: HardwareState;
    archSteps: number;
    lastHwSearch: number;
    hwSearches: number;
    /** The path and latencies the arch steps charge (recomputed when the path changes). */
    charged?: { key: string; latencies: number[]; total: number; fps: number };
  };
}

async function searchLoop(job: SearchJob, backend: BackendName, replica?: Replica): Promise<SearchResult> {
  const writer = !replica || replica.rank === 0;
  const data = datasetByName(job.dataset, { dataDir: job.dataDir, seed: job.seed });
  checkDataset(job.space, data);
  const sched = job.schedule;
  const pool = sched.limitTrain ? { ...data.train, count: Math.min(sched.limitTrain, data.train.count) } : data.train;
  const { train: weightSplit, validation: archSplit } = splitTrainValidation(pool, 0.5, job.seed);
  const evalSplit = { ...data.test, count: Math.min(sched.evalSamples, data.test.count) };
  if (writer) mkdirSync(job.outDir, { recursive: true });
  const net = createSupernet(job.space, job.seed);
  const optimizer = createOptimizer(net, sched.sgd);
  const adam = new ArchAdam(net.alpha.size + net.beta.size, sched.archLearningRate, sched.archBetas);
  const ctx: LoopContext = {
    job, net, data, weightSplit, archSplit, evalSplit, replica, optimizer, adam,
    s: { lambda: job.lambda, archSteps: 0, lastHwSearch: -Infinity, hwSearches: 0 },
  };
  const epochs: SearchEpochRecord[] = [];
  if (job.resume) restore(ctx, epochs);
  let interrupted = false;
  try {
    for (let epoch = epochs.length; epoch < sched.epochs; epoch++) {
      const record = await runEpoch(ctx, epoch);
      if (!record) {
        interrupted = true;
        break;
      }
      epochs.push(record);
      job.onEpoch?.(record);
      if (writer) {
        appendFileSync(join(job.outDir, 'search.jsonl'), `${JSON.stringify(record)}\n`);
        await saveCheckpoint(ctx, epochs);
      }
    }
    if (interrupted) return { backend, replicas: replica?.size ?? 1, interrupted, epochs, accuracy: epochs.at(-1)?.accuracy ?? 0, fps: epochs.at(-1)?.fps ?? 0 };
    const final = finalDesign(ctx, backend);
    const designFile = join(job.outDir, 'design.json');
    if (writer) {
      validateArtifact('design', final.design, designFile);
      writeJsonAtomic(designFile, final.design);
      await saveWeights(join(job.outDir, 'weights'), { ...Object.fromEntries(net.trainable), ...Object.fromEntries(net.state), alpha: net.alpha, beta: net.beta });
    }
    return {
      backend,
      replicas: replica?.size ?? 1,
      interrupted,
      epochs,
      accuracy: epochs.at(-1)?.accuracy ?? 0,
      fps: final.report.fps,
      design: designFile,
      genotype: final.genotype,
    };
  } finally {
    optimizer.dispose();
    disposeSupernet(net);
  }
}

function temperatureOf(sched: SearchSchedule, epoch: number): number {
  return sched.temperature * sched.temperatureDecay ** epoch;
}

/** This replica's slice of a batch as tensors (undefined: too small to split; skipped by all). */
function batchTensors(batch: Batch, split: Split, replica?: Replica): { x: tf.Tensor4D; y: tf.Tensor1D } | undefined {
  if (replica && batch.size < replica.size) return undefined;
  const { start, count } = replica ? sliceOf(batch.size, replica) : { start: 0, count: batch.size };
  const { height, width, channels } = split;
  const pixels = height * width * channels;
  return {
    x: tf.tensor4d(batch.x.subarray(start * pixels, (start + count) * pixels), [count, height, width, channels]),
    y: tf.tensor1d(batch.y.subarray(start, start + count), 'int32'),
  };
}

async function runEpoch(ctx: LoopContext, epoch: number): Promise<SearchEpochRecord | undefined> {
  const { job, net, data, replica } = ctx;
  const sched = job.schedule;
  const started = performance.now();
  const warm = epoch < sched.warmupEpochs;
  const temperature = temperatureOf(sched, epoch);
  const steps = Math.ceil(ctx.weightSplit.count / sched.batchSize);
  const totalSteps = steps * sched.epochs;
  const normalize = data;
  const augment = data.name === 'cifar10' ? 'cifar' : 'none';
  const weightBatches = batchesOf(ctx.weightSplit, { batchSize: sched.batchSize, seed: deriveSeed(job.seed, STREAM.weightBatches), epoch, normalize, augment });
  const archBatches = warm ? undefined : batchesOf(ctx.archSplit, { batchSize: sched.batchSize, seed: deriveSeed(job.seed, STREAM.archBatches), epoch, normalize, augment });
  const archIterator = archBatches?.[Symbol.iterator]();
  let lossSum = 0;
  let archLossSum = 0;
  let archCount = 0;
  let seen = 0;
  let step = 0;
  for (const batch of weightBatches) {
    await new Promise((resolve) => setImmediate(resolve));
    const stop = job.shouldStop?.() ?? false;
    if (replica ? replica.agreeStop(stop) : stop) return undefined;
    const lr = cosine(sched, epoch * steps + step, totalSteps);
    if (archIterator) {
      const next = archIterator.next();
      if (!next.done) {
        const loss = archStep(ctx, next.value, epoch, step, temperature);
        if (loss !== undefined) {
          archLossSum += loss;
          archCount++;
        }
      }
    }
    const tensors = batchTensors(batch, ctx.weightSplit, replica);
    step++;
    if (!tensors) continue;
    const logits = readLogits(net);
    const path = sampleWeightPath(logits, temperature, new Rng(deriveSeed(job.seed, STREAM.weightPath, epoch, step)), job.sampling);
    const { loss } = trainStep(net, ctx.optimizer, () => {
      const pass = weightForward(net, tensors.x, path);
      return { loss: crossEntropy(pass.logits, tensors.y, data.classes), logits: pass.logits, updates: pass.updates };
    }, tensors.y, lr, replica);
    tf.dispose([tensors.x, tensors.y]);
    lossSum += loss * batch.size;
    seen += batch.size;
    job.onProgress?.({ epoch, step, steps, phase: warm ? 'warm-up' : 'joint', loss });
  }
  // the derived network at the end of the epoch: its accelerator, FPS, and λ for the next
  const logits = readLogits(net);
  const genotype = derivedGenotype(net, logits);
  const charged = chargePath(ctx, genotype, true);
  if (!warm && ctx.s.lambda > 0) {
    const [lo, hi] = job.fpsWindow;
    if (charged.fps < lo) ctx.s.lambda *= 2;
    else if (charged.fps > hi) ctx.s.lambda /= 2;
  }
  const entropies = logitEntropies(logits);
  return {
    epoch,
    phase: warm ? 'warm-up' : 'joint',
    accuracy: evaluateDerived(ctx, genotype),
    trainLoss: lossSum / Math.max(1, seen),
    archLoss: archCount ? archLossSum / archCount : null,
    fps: charged.fps,
    lambda: ctx.s.lambda,
    temperature,
    entropyAlpha: entropies.alpha,
    entropyBeta: entropies.beta,
    genotype: genotypeKey(genotype),
    hwSearches: ctx.s.hwSearches,
    seconds: (performance.now() - started) / 1e3,
  };
}

function cosine(sched: SearchSchedule, step: number, total: number): number {
  const { learningRate, finalLearningRate } = sched.sgd;
  return finalLearningRate + 0.5 * (learningRate - finalLearningRate) * (1 + Math.cos((Math.PI * step) / Math.max(1, total)));
}

/**
 * The latencies the arch steps charge for `genotype`: on the accelerator searched for the
 * path (joint: re-searched, warm-started, when the path changed and `hwEvery` arch steps have
 * passed, or when `force`; once: the first accelerator, kept), else on the current one.
 */
function chargePath(ctx: LoopContext, genotype: GenotypeSpec, force = false): NonNullable<LoopContext['s']['charged']> {
  const { job, s } = ctx;
  const key = genotypeKey(genotype);
  if (s.charged?.key === key && !force) return s.charged;
  const network = pathNetwork(job.space, genotype);
  const due = s.archSteps - s.lastHwSearch >= job.schedule.hwEvery;
  let report: CostReport;
  if (!s.hardware || (job.hwSearch === 'joint' && (due || force) && s.hardware.searchedFor !== key)) {
    const found = searchHardware(network, job.board, job.schedule.dasSamples, deriveSeed(job.seed, 21, s.hwSearches), s.hardware);
    s.hardware = { ...found.state, searchedFor: key };
    s.lastHwSearch = s.archSteps;
    s.hwSearches++;
    report = found.report;
  } else {
    report = costOnAccelerator(network, job.board, s.hardware.accelerator).report;
  }
  const latencies = cellLatencies(network, report, ctx.net.slots.length);
  s.charged = { key, latencies, total: report.latencyCycles, fps: report.fps };
  return s.charged;
}

/** One arch step on a validation batch; returns the whole batch's loss. */
function archStep(ctx: LoopContext, batch: Batch, epoch: number, step: number, temperature: number): number | undefined {
  const { job, net: supernet, replica } = ctx;
  const tensors = batchTensors(batch, ctx.archSplit, replica);
  if (!tensors) return undefined;
  const before = readLogits(supernet);
  const path = sampleArchPath(before, new Rng(deriveSeed(job.seed, STREAM.archPath, epoch, step)), job.sampling);
  const lambda = ctx.s.lambda;
  const charged = lambda > 0 ? chargePath(ctx, derivedGenotype(supernet, before)) : undefined;
  const choices = charged ? choicesOf(supernet, derivedGenotype(supernet, before)) : [];
  let updates: readonly [tf.Variable, tf.Tensor][] = [];
  const { value, grads } = withReplica(replica, () =>
    tf.variableGrads(() => {
      const pass = archForward(supernet, tensors.x, path, temperature);
      updates = pass.updates;
      const ce = crossEntropy(pass.logits, tensors.y, supernet.space.classes);
      return charged ? (tf.add(ce, tf.mul(hardwareCost(supernet, choices, charged.latencies, charged.total), lambda)) as tf.Scalar) : ce;
    }, [supernet.alpha, supernet.beta]),
  );
  tf.dispose(updates.map(([, t]) => t));
  let loss = value.dataSync()[0];
  let list = [supernet.alpha, supernet.beta].map((v) => grads[v.name] ?? tf.zerosLike(v));
  tf.dispose(value);
  if (replica && replica.size > 1) {
    const combined = combineGradients(replica, list, tensors.y.shape[0], loss, 0);
    tf.dispose(list);
    ({ grads: list, loss } = combined);
  }
  const params = new Float32Array(supernet.alpha.size + supernet.beta.size);
  params.set(supernet.alpha.dataSync() as Float32Array, 0);
  params.set(supernet.beta.dataSync() as Float32Array, supernet.alpha.size);
  const g = new Float32Array(params.length);
  g.set(list[0].dataSync() as Float32Array, 0);
  g.set(list[1].dataSync() as Float32Array, supernet.alpha.size);
  tf.dispose(list);
  tf.dispose([tensors.x, tensors.y]);
  ctx.adam.step(params, g);
  applyOffsets(supernet, before, params, path);
  supernet.alpha.assign(tf.tensor(params.subarray(0, supernet.alpha.size), supernet.alpha.shape));
  supernet.beta.assign(tf.tensor(params.subarray(supernet.alpha.size), supernet.beta.shape));
  ctx.s.archSteps++;
  return loss;
}

/** Offset correction (method.md §4) of the active ops' α and, inside each, the active bits' β. */
function applyOffsets(net: Supernet, before: Logits, params: Float32Array, path: ReturnType<typeof sampleArchPath>): void {
  const ops = net.ops.length;
  const bits = net.bits.length;
  const betaAt = net.alpha.size;
  path.cells.forEach((cell, i) => {
    const row = params.subarray(i * ops, (i + 1) * ops);
    correctOffsets(before.alpha[i], row, cell.ops);
    cell.ops.forEach((op, k) => {
      const at = betaAt + (i * ops + op) * bits;
      correctOffsets(before.beta[i][op], params.subarray(at, at + bits), cell.bits[k].top);
    });
  });
}

/** Training batches the derived path's running statistics are recomputed on before evaluation. */
const RECALIBRATION_BATCHES = 8;

/**
 * Accuracy of the derived path on the evaluation images. Its running statistics and ranges
 * were accumulated while other candidates fed it, so they are first recomputed for this path
 * (the plain average over a few training batches, as single-path one-shot NAS does) and
 * restored afterwards: evaluation leaves the supernet as it found it.
 */
function evaluateDerived(ctx: LoopContext, genotype: GenotypeSpec): number {
  const { net: supernet } = ctx;
  const saved = [...supernet.state.values()].map((v) => [v, tf.clone(v)] as const);
  try {
    recalibrate(ctx, genotype);
    return accuracyOf((x) => derivedForward(supernet, x, genotype), ctx.evalSplit, ctx.data, 250, ctx.replica);
  } finally {
    for (const [variable, value] of saved) {
      variable.assign(value);
      value.dispose();
    }
  }
}

function recalibrate(ctx: LoopContext, genotype: GenotypeSpec): void {
  const { job, net: supernet, replica, data } = ctx;
  const path = genotypePath(supernet, genotype);
  let k = 0;
  for (const batch of batchesOf(ctx.weightSplit, { batchSize: job.schedule.batchSize, shuffle: false, normalize: data })) {
    if (k === RECALIBRATION_BATCHES) break;
    const tensors = batchTensors(batch, ctx.weightSplit, replica);
    if (!tensors) break;
    const weight = 1 / ++k;
    // the queued updates are kept tensors: they outlive the tidy scope that frees the rest
    let updates: readonly [tf.Variable, tf.Tensor][] = [];
    withReplica(replica, () =>
      tf.tidy(() => {
        updates = weightForward(supernet, tensors.x, path, { statistics: weight, range: weight }).updates;
      }),
    );
    for (const [variable, value] of updates) {
      variable.assign(value);
      value.dispose();
    }
    tf.dispose([tensors.x, tensors.y]);
  }
}

/**
 * The design: the derived network with the accelerator of a long DAS run warm-started from
 * the search's (joint, and λ = 0: accuracy first, hardware after); with `once`, the fixed
 * accelerator's configuration when it fits the board, else a long DAS from it.
 */
function finalDesign(ctx: LoopContext, backend: BackendName): { design: DesignPoint; report: CostReport; genotype: GenotypeSpec } {
  const { job, net: supernet, s } = ctx;
  const genotype = derivedGenotype(supernet, readLogits(supernet));
  const network = pathNetwork(job.space, genotype);
  const named = { ...network, name: `${job.space.name}-${job.preset}-searched` };
  const found = searchHardware(named, job.board, job.schedule.finalDasSamples, deriveSeed(job.seed, 22), s.hardware);
  let { design, report } = found;
  if (job.hwSearch === 'once' && s.hardware) {
    const fixed = costOnAccelerator(named, job.board, s.hardware.accelerator);
    if (fixed.report.feasible) {
      const accelerator = { clockMhz: s.hardware.accelerator.clockMhz, chunks: design.accelerator.chunks.map((c, i) => ({ ...c, params: fixed.params[i] })) };
      report = fixed.report;
      design = { ...design, accelerator, predicted: { feasible: true, fps: report.fps, latencyCycles: report.latencyCycles, dsp: report.dsp, bram18: report.bram18, lut: report.lut } };
    }
  }
  const last = ctx.job.schedule.epochs;
  return {
    design: {
      ...design,
      provenance: { ...makeProvenance({ seed: job.seed }), backend },
      search: {
        preset: job.preset,
        dataset: job.dataset,
        genotype,
        hwSearch: job.hwSearch,
        sampling: job.sampling,
        lambda: s.lambda,
        fpsWindow: [...job.fpsWindow],
        epochs: last,
      },
    } as DesignPoint,
    report,
    genotype,
  };
}

async function saveCheckpoint(ctx: LoopContext, epochs: SearchEpochRecord[]): Promise<void> {
  const { net: supernet, optimizer, adam, s } = ctx;
  const tensors = { ...Object.fromEntries(supernet.trainable), ...Object.fromEntries(supernet.state), ...optimizer.velocityTensors(), alpha: supernet.alpha, beta: supernet.beta };
  const state: SearchState = {
    settings: settingsOf(ctx.job),
    epochs,
    lambda: s.lambda,
    adam: { m: Array.from(adam.m), v: Array.from(adam.v), t: adam.t },
    hardware: s.hardware,
    archSteps: s.archSteps,
    lastHwSearch: Number.isFinite(s.lastHwSearch) ? s.lastHwSearch : -1e9,
    hwSearches: s.hwSearches,
    charged: s.charged,
  };
  await writeCheckpoint<SearchState>(ctx.job.outDir, tensors, state);
}

function restore(ctx: LoopContext, epochs: SearchEpochRecord[]): void {
  const { job, net: supernet, optimizer, adam, s } = ctx;
  const found = readCheckpoint<SearchState>(job.outDir);
  if (!found) return;
  if (JSON.stringify(found.state.settings) !== JSON.stringify(settingsOf(job))) {
    throw new UsageError(`--resume: the checkpoint in ${job.outDir} was made with other settings; start a new --out or repeat the original flags`);
  }
  const targets = new Map<string, tf.Variable>([
    ...supernet.trainable,
    ...supernet.state,
    ...[...optimizer.velocity].map(([k, v]) => [`velocity/${k}`, v] as const),
    ['alpha', supernet.alpha],
    ['beta', supernet.beta],
  ]);
  for (const [name, variable] of targets) {
    const value = found.tensors[name];
    if (!value) throw new UsageError(`--resume: the checkpoint in ${job.outDir} has no "${name}"`);
    variable.assign(value);
  }
  tf.dispose(Object.values(found.tensors));
  const st = found.state;
  epochs.push(...st.epochs);
  s.lambda = st.lambda;
  adam.m.set(st.adam.m);
  adam.v.set(st.adam.v);
  adam.t = st.adam.t;
  s.hardware = st.hardware;
  s.archSteps = st.archSteps;
  s.lastHwSearch = st.lastHwSearch;
  s.hwSearches = st.hwSearches;
  s.charged = st.charged;
}
