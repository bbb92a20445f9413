/**
 * Quantisation-aware training of a fixed network (`trips-hw train`): SGD with momentum, weight
 * decay and gradient clipping, a cosine learning-rate schedule per step, a checkpoint after
 * every epoch and `resume` that continues from it (batch order depends only on seed and epoch,
 * so a resumed run sees the batches the uninterrupted one would have). A pure function of its
 * job, apart from the run folder it writes.
 *
 * On the wasm and cpu backends the run is split over data-parallel replicas, one worker thread
 * per core by default (replica.ts): each trains on its slice of every batch with synchronised
 * batch norm and combined gradients, which is the same training as one process up to float
 * summation order; rank 0 writes the run folder.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from './tf.js';
import { UsageError } from '../core/diagnostics.js';
import type { NetworkSpec } from '../core/network.js';
import { batchesOf, datasetByName, type Dataset, type DatasetName, type Split } from '../data/index.js';
import { type BackendName, selectBackend } from './backend.js';
import { Replica } from './replica.js';
import { observedBy, replicaCount, type ReplicaContext, runObserved, type Unobserved } from './replicas.js';
import { readCheckpoint, writeCheckpoint } from './checkpoint.js';
import { createModel, disposeModel, forward, type QatModel } from './model.js';
import { cosineRate, createOptimizer, type SgdSettings, sgdStep } from './optimizer.js';
import { saveWeights } from './weights.js';
import { STAGE_FILES } from '../core/run-layout.js';

export interface TrainJob {
  readonly network: NetworkSpec;
  readonly dataset: DatasetName;
  readonly dataDir?: string;
  readonly epochs: number;
  readonly batchSize: number;
  readonly sgd: SgdSettings;
  readonly seed: number;
  readonly outDir: string;
  readonly resume: boolean;
  readonly backend?: BackendName;
  /** Data-parallel replicas (wasm and cpu backends); default: one per core on wasm, else 1. */
  readonly replicas?: number;
  /** Train on the first N training samples only (quick checks). */
  readonly limitTrain?: number;
  readonly onProgress?: (p: { epoch: number; step: number; steps: number; loss: number }) => void;
  readonly onEpoch?: (record: EpochRecord) => void;
  /** Polled between steps; true stops the run without writing a partial epoch. */
  readonly shouldStop?: () => boolean;
}

export interface EpochRecord {
  readonly epoch: number;
  readonly trainLoss: number;
  readonly trainAccuracy: number;
  readonly testAccuracy: number;
  readonly learningRate: number;
  readonly seconds: number;
}

interface TrainResult {
  readonly backend: BackendName;
  readonly replicas: number;
  readonly epochs: readonly EpochRecord[];
  readonly testAccuracy: number;
  readonly weightsDir: string;
  readonly interrupted: boolean;
}

/** What a checkpoint must agree with to be resumed. */
function settingsOf(job: TrainJob) {
  return {
    network: job.network.name,
    layers: job.network.layers.length,
    dataset: job.dataset,
    batchSize: job.batchSize,
    epochs: job.epochs,
    seed: job.seed,
    sgd: job.sgd,
    limitTrain: job.limitTrain ?? null,
  };
}

interface RunState {
  readonly settings: ReturnType<typeof settingsOf>;
  readonly epochs: EpochRecord[];
}

function checkDataset(network: NetworkSpec, data: Dataset): void {
  const { height, width, channels } = network.input;
  const s = data.train;
  if (s.height !== height || s.width !== width || s.channels !== channels || data.classes !== network.classes) {
    throw new UsageError(
      `dataset ${data.name} gives ${s.height}×${s.width}×${s.channels} images in ${data.classes} classes; network ${network.name} expects ${height}×${width}×${channels} in ${network.classes}`,
    );
  }
}

/** Test accuracy of a QAT model in inference mode (see accuracyOf). */
function evaluateAccuracy(model: QatModel, split: Split, data: Dataset, batchSize = 250, replica?: Replica): number {
  return accuracyOf((x) => forward(model, x, false).logits, split, data, batchSize, replica);
}

/**
 * The share of `split` that `predict` classifies right; with a replica, each evaluates every
 * size-th batch and the counts are combined.
 */
export function accuracyOf(
  predict: (x: tf.Tensor4D) => tf.Tensor2D,
  split: Split,
  data: Dataset,
  batchSize = 250,
  replica?: Replica,
): number {
  let correct = 0;
  let index = 0;
  for (const batch of batchesOf(split, { batchSize, shuffle: false, normalize: data })) {
    if (replica && index++ % replica.size !== replica.rank) continue;
    const { height, width, channels } = split;
    correct += tf.tidy(() => {
      const x = tf.tensor4d(batch.x, [batch.size, height, width, channels]);
      const predicted = tf.argMax(predict(x), 1);
      return tf.sum(tf.cast(tf.equal(predicted, tf.tensor1d(batch.y, 'int32')), 'int32')).dataSync()[0];
    });
  }
  if (replica) {
    const total = new Float64Array([correct]);
    replica.allReduce(total);
    correct = total[0];
  }
  return correct / split.count;
}

function modelTensors(model: QatModel): tf.NamedTensorMap {
  return Object.fromEntries([...model.trainable, ...model.state]);
}

export async function trainNetwork(job: TrainJob): Promise<TrainResult> {
  const backend = (await selectBackend(job.backend)).name;
  const replicas = replicaCount(backend, job.replicas);
  if (replicas === 1) return trainLoop(job, backend);
  return runObserved<TrainResult, TrainJob>({ module: 'nn/train.js', exportName: 'trainReplica' }, { ...job, backend, replicas }, replicas);
}

/** One replica of a replicated run (in its worker thread). */
export async function trainReplica(job: Unobserved<TrainJob>, context: ReplicaContext): Promise<TrainResult> {
  const replica = new Replica(context.memory, context.rank, context.size);
  const backend = (await selectBackend(job.backend)).name;
  return trainLoop({ ...job, ...observedBy(context) }, backend, replica);
}

async function trainLoop(job: TrainJob, backend: BackendName, replica?: Replica): Promise<TrainResult> {
  const writer = !replica || replica.rank === 0;
  const data = datasetByName(job.dataset, { dataDir: job.dataDir, seed: job.seed });
  checkDataset(job.network, data);
  const train = job.limitTrain ? { ...data.train, count: Math.min(job.limitTrain, data.train.count) } : data.train;
  if (writer) mkdirSync(job.outDir, { recursive: true });
  const model = createModel(job.network, job.seed);
  const optimizer = createOptimizer(model, job.sgd);
  const epochs: EpochRecord[] = [];
  if (job.resume) restore(job, model, optimizer.velocity, epochs);
  const stepsPerEpoch = Math.ceil(train.count / job.batchSize);
  let interrupted = false;
  try {
    for (let epoch = epochs.length; epoch < job.epochs && !interrupted; epoch++) {
      const started = performance.now();
      const t = await runEpoch(job, model, optimizer, train, data, epoch, stepsPerEpoch, replica);
      if (t === undefined) {
        interrupted = true;
        break;
      }
      if (replica) checkReplicasAgree(replica, model);
      const testAccuracy = evaluateAccuracy(model, data.test, data, 250, replica);
      const record = { epoch, ...t, testAccuracy, seconds: (performance.now() - started) / 1e3 };
      epochs.push(record);
      job.onEpoch?.(record);
      if (writer) {
        appendFileSync(join(job.outDir, 'train.jsonl'), `${JSON.stringify(record)}\n`);
        const tensors = { ...modelTensors(model), ...optimizer.velocityTensors() };
        await writeCheckpoint<RunState>(job.outDir, tensors, { settings: settingsOf(job), epochs });
      }
    }
    const weightsDir = join(job.outDir, STAGE_FILES.weights);
    if (!interrupted && writer) await saveWeights(weightsDir, modelTensors(model));
    return { backend, replicas: replica?.size ?? 1, epochs, testAccuracy: epochs.at(-1)?.testAccuracy ?? 0, weightsDir, interrupted };
  } finally {
    optimizer.dispose();
    disposeModel(model);
  }
}

/**
 * Replicas must hold the same weights bit for bit (every combination is in rank order); a
 * difference is a bug, caught here once per epoch by comparing a hash of every variable.
 */
function checkReplicasAgree(replica: Replica, model: QatModel): void {
  let hash = 0x811c9dc5;
  let low = 0;
  for (const v of [...model.trainable.values(), ...model.state.values()]) {
    const values = v.dataSync() as Float32Array;
    const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
    for (let i = 0; i < bytes.length; i++) {
      hash = Math.imul(hash ^ bytes[i], 0x01000193) >>> 0;
      low = (low + bytes[i] * (i + 1)) % 0x7fffffff;
    }
  }
  const v = new Float64Array([hash, -hash, low, -low]);
  replica.allReduce(v, 0);
  if (v[0] !== -v[1] || v[2] !== -v[3]) throw new Error(`internal: the replicas' weights differ (rank ${replica.rank} of ${replica.size})`);
}

function restore(job: TrainJob, model: QatModel, velocity: ReadonlyMap<string, tf.Variable>, epochs: EpochRecord[]): void {
  const found = readCheckpoint<RunState>(job.outDir);
  if (!found) return;
  const want = JSON.stringify(settingsOf(job));
  if (JSON.stringify(found.state.settings) !== want) {
    throw new UsageError(
      `--resume: the checkpoint in ${job.outDir} was made with other settings (${JSON.stringify(found.state.settings)})`,
    );
  }
  const targets = new Map([...model.trainable, ...model.state, ...[...velocity].map(([k, v]) => [`velocity/${k}`, v] as const)]);
  for (const [name, variable] of targets) {
    const value = found.tensors[name];
    if (!value) throw new UsageError(`--resume: the checkpoint in ${job.outDir} has no "${name}"`);
    variable.assign(value);
  }
  tf.dispose(Object.values(found.tensors));
  epochs.push(...found.state.epochs);
}

async function runEpoch(
  job: TrainJob,
  model: QatModel,
  optimizer: ReturnType<typeof createOptimizer>,
  train: Split,
  data: Dataset,
  epoch: number,
  steps: number,
  replica?: Replica,
): Promise<{ trainLoss: number; trainAccuracy: number; learningRate: number } | undefined> {
  const { height, width, channels } = train;
  let lossSum = 0;
  let correct = 0;
  let seen = 0;
  let step = 0;
  let lr = 0;
  for (const batch of batchesOf(train, {
    batchSize: job.batchSize,
    seed: job.seed,
    epoch,
    normalize: data,
    augment: data.name === 'cifar10' ? 'cifar' : 'none',
  })) {
    // yield to the event loop between steps, so a signal handler can ask the run to stop
    await new Promise((resolve) => setImmediate(resolve));
    const stop = job.shouldStop?.() ?? false;
    if (replica ? replica.agreeStop(stop) : stop) return undefined;
    lr = cosineRate(job.sgd, epoch * steps + step, job.epochs * steps);
    step++;
    // replicas: a last batch smaller than the group is skipped by all; else each takes its slice
    if (replica && batch.size < replica.size) continue;
    const { start, count } = replica ? sliceOf(batch.size, replica) : { start: 0, count: batch.size };
    const pixels = height * width * channels;
    const x = tf.tensor4d(batch.x.subarray(start * pixels, (start + count) * pixels), [count, height, width, channels]);
    const y = tf.tensor1d(batch.y.subarray(start, start + count), 'int32');
    const { loss, hits } = sgdStep(model, optimizer, x, y, data.classes, lr, replica);
    tf.dispose([x, y]);
    lossSum += loss * batch.size;
    correct += hits;
    seen += batch.size;
    job.onProgress?.({ epoch, step, steps, loss });
  }
  return { trainLoss: lossSum / seen, trainAccuracy: correct / seen, learningRate: lr };
}

/** Replica r's rows of a batch of n: contiguous, sizes differing by at most one. */
export function sliceOf(n: number, replica: { rank: number; size: number }): { start: number; count: number } {
  const start = Math.floor((n * replica.rank) / replica.size);
  return { start, count: Math.floor((n * (replica.rank + 1)) / replica.size) - start };
}
