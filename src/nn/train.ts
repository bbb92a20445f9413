/**
 * Quantisation-aware training of a fixed network (`trips-hw train`): SGD with momentum, weight
 * decay and gradient clipping, a cosine learning-rate schedule per step, a checkpoint after
 * every epoch and `resume` that continues from it (batch order depends only on seed and epoch,
 * so a resumed run sees the batches the uninterrupted one would have). A pure function of its
 * job, apart from the run folder it writes.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from './tf.js';
import { UsageError } from '../core/diagnostics.js';
import type { NetworkSpec } from '../core/network.js';
import { batchesOf, datasetByName, type Dataset, type DatasetName, type Split } from '../data/index.js';
import { type BackendName, selectBackend } from './backend.js';
import { readCheckpoint, writeCheckpoint } from './checkpoint.js';
import { createModel, disposeModel, forward, type QatModel } from './model.js';
import { createOptimizer, type SgdSettings, sgdStep } from './optimizer.js';
import { saveWeights } from './weights.js';

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

export interface TrainResult {
  readonly backend: BackendName;
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

export function evaluateAccuracy(model: QatModel, split: Split, data: Dataset, batchSize = 250): number {
  let correct = 0;
  for (const batch of batchesOf(split, { batchSize, shuffle: false, normalize: data })) {
    const { height, width, channels } = split;
    correct += tf.tidy(() => {
      const x = tf.tensor4d(batch.x, [batch.size, height, width, channels]);
      const predicted = tf.argMax(forward(model, x, false).logits, 1);
      return tf.sum(tf.cast(tf.equal(predicted, tf.tensor1d(batch.y, 'int32')), 'int32')).dataSync()[0];
    });
  }
  return correct / split.count;
}

function modelTensors(model: QatModel): tf.NamedTensorMap {
  return Object.fromEntries([...model.trainable, ...model.state]);
}

export async function trainNetwork(job: TrainJob): Promise<TrainResult> {
  const backend = (await selectBackend(job.backend)).name;
  const data = datasetByName(job.dataset, { dataDir: job.dataDir, seed: job.seed });
  checkDataset(job.network, data);
  const train = job.limitTrain ? { ...data.train, count: Math.min(job.limitTrain, data.train.count) } : data.train;
  mkdirSync(job.outDir, { recursive: true });
  const model = createModel(job.network, job.seed);
  const optimizer = createOptimizer(model, job.sgd);
  const epochs: EpochRecord[] = [];
  if (job.resume) restore(job, model, optimizer.velocity, epochs);
  const stepsPerEpoch = Math.ceil(train.count / job.batchSize);
  let interrupted = false;
  try {
    for (let epoch = epochs.length; epoch < job.epochs && !interrupted; epoch++) {
      const started = performance.now();
      const t = await runEpoch(job, model, optimizer, train, data, epoch, stepsPerEpoch);
      if (t === undefined) {
        interrupted = true;
        break;
      }
      const testAccuracy = evaluateAccuracy(model, data.test, data);
      const record = { epoch, ...t, testAccuracy, seconds: (performance.now() - started) / 1e3 };
      epochs.push(record);
      job.onEpoch?.(record);
      appendFileSync(join(job.outDir, 'train.jsonl'), `${JSON.stringify(record)}\n`);
      const tensors = { ...modelTensors(model), ...optimizer.velocityTensors() };
      await writeCheckpoint<RunState>(job.outDir, tensors, { settings: settingsOf(job), epochs });
    }
    const weightsDir = join(job.outDir, 'weights');
    if (!interrupted) await saveWeights(weightsDir, modelTensors(model));
    return { backend, epochs, testAccuracy: epochs.at(-1)?.testAccuracy ?? 0, weightsDir, interrupted };
  } finally {
    optimizer.dispose();
    disposeModel(model);
  }
}

function restore(job: TrainJob, model: QatModel, velocity: ReadonlyMap<string, tf.Variable>, epochs: EpochRecord[]): void {
  const found = readCheckpoint<RunState>(job.outDir);
  if (!found) return;
  const want = JSON.stringify(settingsOf(job));
  if (JSON.stringify(found.state.settings) !== want) {
    throw new UsageError(`--resume: the checkpoint in ${job.outDir} was made with other settings (${JSON.stringify(found.state.settings)})`);
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
): Promise<{ trainLoss: number; trainAccuracy: number; learningRate: number } | undefined> {
  const { height, width, channels } = train;
  let lossSum = 0;
  let correct = 0;
  let seen = 0;
  let step = 0;
  let lr = 0;
  for (const batch of batchesOf(train, { batchSize: job.batchSize, seed: job.seed, epoch, normalize: data, augment: data.name === 'cifar10' ? 'cifar' : 'none' })) {
    // yield to the event loop between steps, so a signal handler can ask the run to stop
    await new Promise((resolve) => setImmediate(resolve));
    if (job.shouldStop?.()) return undefined;
    lr = cosineRate(job, epoch * steps + step, job.epochs * steps);
    const x = tf.tensor4d(batch.x, [batch.size, height, width, channels]);
    const y = tf.tensor1d(batch.y, 'int32');
    const { loss, hits } = sgdStep(model, optimizer, x, y, data.classes, lr);
    tf.dispose([x, y]);
    lossSum += loss * batch.size;
    correct += hits;
    seen += batch.size;
    job.onProgress?.({ epoch, step: ++step, steps, loss });
  }
  return { trainLoss: lossSum / seen, trainAccuracy: correct / seen, learningRate: lr };
}

/** Cosine from the initial rate to the final rate over all steps of the run. */
export function cosineRate(job: TrainJob, step: number, total: number): number {
  const { learningRate, finalLearningRate } = job.sgd;
  return finalLearningRate + 0.5 * (learningRate - finalLearningRate) * (1 + Math.cos((Math.PI * step) / Math.max(1, total)));
}
