/**
 * SGD with momentum, decoupled-from-nothing L2 weight decay (added to the gradient, as the
 * method's PyTorch SGD does), and gradient clipping by global norm — state kept as named
 * variables so checkpoints hold it.
 */
import * as tf from './tf.js';
import { forward, type QatModel } from './model.js';
import { type Replica, withReplica } from './replica.js';
import { SGD_STEP, type SgdStepAttrs, sgdKernelAvailable } from './sgd-kernel.js';

export interface SgdSettings {
  readonly learningRate: number;
  readonly finalLearningRate: number;
  readonly momentum: number;
  readonly weightDecay: number;
  readonly gradClipNorm: number;
}

/** method.md §5: SGD momentum 0.9, weight decay 5e-4, lr 0.025 cosine → 1e-3, clip 5. */
export const DEFAULT_SGD: SgdSettings = { learningRate: 0.025, finalLearningRate: 1e-3, momentum: 0.9, weightDecay: 5e-4, gradClipNorm: 5 };

/** The learning rate at `step` of `total`: cosine from the initial rate to the final one (training and the search's weight steps). */
export function cosineRate(sgd: Pick<SgdSettings, 'learningRate' | 'finalLearningRate'>, step: number, total: number): number {
  const { learningRate, finalLearningRate } = sgd;
  return finalLearningRate + 0.5 * (learningRate - finalLearningRate) * (1 + Math.cos((Math.PI * step) / Math.max(1, total)));
}

/** Anything with named trainable variables: a QatModel, a supernet's weights. */
interface Trainable {
  readonly trainable: ReadonlyMap<string, tf.Variable>;
}

export function createOptimizer(model: Trainable, settings: SgdSettings) {
  const velocity = new Map<string, tf.Variable>();
  for (const [name, v] of model.trainable) velocity.set(name, tf.variable(tf.zerosLike(v), false, `${v.name}/velocity`));
  return {
    settings,
    velocity,
    velocityTensors: (): tf.NamedTensorMap => Object.fromEntries([...velocity].map(([k, v]) => [`velocity/${k}`, v])),
    dispose: () => velocity.forEach((v) => v.dispose()),
  };
}

/** Batch norm and activation ranges decay only through their running averages, not L2. */
function decays(name: string): boolean {
  return name.endsWith('/kernel');
}

type StepSettings = { momentum: number; weightDecay: number; gradClipNorm: number; learningRate: number };

/** Use the one-kernel optimizer step where the backend has it (cpu, wasm). */
let fusedOptimizer = true;
export function setFusedOptimizer(on: boolean): void {
  fusedOptimizer = on;
}

/** The step from stock ops: clip by global norm, decay, momentum, update. */
function applyComposite(
  optimizer: ReturnType<typeof createOptimizer>,
  names: string[],
  variables: tf.Variable[],
  grads: tf.Tensor[],
  s: StepSettings,
): void {
  tf.tidy(() => {
    const norm = tf.sqrt(tf.addN(grads.map((g) => tf.sum(tf.square(g)))));
    const clip = tf.minimum(1, tf.div(s.gradClipNorm, tf.maximum(norm, 1e-12)));
    names.forEach((name, i) => {
      const v = variables[i];
      let g = tf.mul(grads[i], clip);
      if (decays(name)) g = tf.add(g, tf.mul(v, s.weightDecay));
      const vel = optimizer.velocity.get(name) as tf.Variable;
      vel.assign(tf.add(tf.mul(vel, s.momentum), g));
      v.assign(tf.sub(v, tf.mul(vel, s.learningRate)));
    });
  });
}

/** The same step as one kernel over every variable. */
function applyFused(
  optimizer: ReturnType<typeof createOptimizer>,
  names: string[],
  variables: tf.Variable[],
  grads: tf.Tensor[],
  s: StepSettings,
): void {
  const velocities = names.map((n) => optimizer.velocity.get(n) as tf.Variable);
  const inputs: tf.NamedTensorMap = {};
  [...variables, ...grads, ...velocities].forEach((t, i) => {
    inputs[`t${i}`] = t;
  });
  const attrs: SgdStepAttrs = { count: names.length, decays: names.map((n) => (decays(n) ? 1 : 0)), ...s };
  const outs = tf.engine().runKernel(SGD_STEP, inputs, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
  names.forEach((_, i) => {
    variables[i].assign(outs[i]);
    velocities[i].assign(outs[names.length + i]);
  });
  tf.dispose(outs);
}

/** Mean softmax cross-entropy of logits [B, K] against integer labels. */
export function crossEntropy(logits: tf.Tensor2D, labels: tf.Tensor1D, classes: number): tf.Scalar {
  return tf.neg(tf.mean(tf.sum(tf.mul(tf.oneHot(labels, classes), tf.logSoftmax(logits)), 1))) as tf.Scalar;
}

/**
 * The whole batch's gradients, loss and hits from every replica's: each replica's gradient is
 * that of its own mean loss over n_r rows, so they are summed with weights n_r / N. Returns
 * new gradient tensors (the caller disposes the old ones).
 */
export function combineGradients(
  replica: Replica,
  grads: tf.Tensor[],
  rows: number,
  loss: number,
  hits: number,
): { grads: tf.Tensor[]; loss: number; hits: number } {
  const total = grads.reduce((n, g) => n + g.size, 0);
  const v = new Float64Array(3 + total);
  v[0] = rows;
  v[1] = rows * loss;
  v[2] = hits;
  let at = 3;
  for (const g of grads) {
    const data = g.dataSync();
    for (let i = 0; i < data.length; i++) v[at + i] = rows * data[i];
    at += data.length;
  }
  replica.allReduce(v);
  const all = v[0];
  at = 3;
  const combined = grads.map((g) => {
    const values = new Float32Array(g.size);
    for (let i = 0; i < values.length; i++) values[i] = v[at + i] / all;
    at += values.length;
    return tf.tensor(values, g.shape);
  });
  return { grads: combined, loss: v[1] / all, hits: v[2] };
}

/**
 * One training step on (x, y); returns the batch loss and the number of correct predictions.
 * With a replica (see replica.ts), (x, y) is this replica's slice of the batch, and the loss
 * and hits returned are the whole batch's.
 */
export function sgdStep(
  model: QatModel,
  optimizer: ReturnType<typeof createOptimizer>,
  x: tf.Tensor4D,
  y: tf.Tensor1D,
  classes: number,
  lr: number,
  replica?: Replica,
): { loss: number; hits: number } {
  return trainStep(
    model,
    optimizer,
    () => {
      const result = forward(model, x, true);
      return { loss: crossEntropy(result.logits, y, classes), logits: result.logits, updates: result.updates };
    },
    y,
    lr,
    replica,
  );
}

/** What a training pass returns to trainStep. */
interface PassResult {
  readonly loss: tf.Scalar;
  readonly logits: tf.Tensor2D;
  /** Running-statistic updates, applied after the weight step. */
  readonly updates: readonly [tf.Variable, tf.Tensor][];
}

/**
 * One SGD step of `model`'s trainable variables on the loss of `pass` (run inside the
 * gradient tape, with the replica active for the batch-coupled kernels); `labels` are this
 * replica's. Returns the whole batch's loss and hits.
 */
export function trainStep(
  model: Trainable,
  optimizer: ReturnType<typeof createOptimizer>,
  pass: () => PassResult,
  labels: tf.Tensor1D,
  lr: number,
  replica?: Replica,
): { loss: number; hits: number } {
  const { momentum, weightDecay, gradClipNorm } = optimizer.settings;
  const all = [...model.trainable.keys()];
  let updates: readonly [tf.Variable, tf.Tensor][] = [];
  let hitsTensor: tf.Tensor | undefined;
  const { value, grads } = withReplica(replica, () =>
    tf.variableGrads(
      () => {
        const result = pass();
        updates = result.updates;
        hitsTensor = tf.keep(tf.sum(tf.cast(tf.equal(tf.argMax(result.logits, 1), labels), 'int32')));
        return result.loss;
      },
      all.map((n) => model.trainable.get(n) as tf.Variable),
    ),
  );
  // variables the pass did not use (a supernet's idle candidates) have no gradient: they are
  // left alone, momentum and decay included (every replica ran the same path)
  const names = all.filter((n) => grads[model.trainable.get(n)?.name as string] !== undefined);
  const variables = names.map((n) => model.trainable.get(n) as tf.Variable);
  let list = names.map((n) => grads[model.trainable.get(n)?.name as string]);
  let loss = value.dataSync()[0];
  let hits = (hitsTensor as tf.Tensor).dataSync()[0];
  tf.dispose([value, hitsTensor as tf.Tensor]);
  if (replica && replica.size > 1) {
    const combined = combineGradients(replica, list, labels.shape[0], loss, hits);
    tf.dispose(list);
    ({ grads: list, loss, hits } = combined);
  }
  const settings = { momentum, weightDecay, gradClipNorm, learningRate: lr };
  if (fusedOptimizer && sgdKernelAvailable()) applyFused(optimizer, names, variables, list, settings);
  else applyComposite(optimizer, names, variables, list, settings);
  for (const [variable, next] of updates) {
    variable.assign(next);
    next.dispose();
  }
  tf.dispose(list);
  return { loss, hits };
}
