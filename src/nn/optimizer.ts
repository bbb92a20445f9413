/**
 * SGD with momentum, decoupled-from-nothing L2 weight decay (added to the gradient, as the
 * method's PyTorch SGD does), and gradient clipping by global norm — state kept as named
 * variables so checkpoints hold it.
 */
import * as tf from './tf.js';
import { forward, type QatModel } from './model.js';

export interface SgdSettings {
  readonly learningRate: number;
  readonly finalLearningRate: number;
  readonly momentum: number;
  readonly weightDecay: number;
  readonly gradClipNorm: number;
}

/** method.md §5: SGD momentum 0.9, weight decay 5e-4, lr 0.025 cosine → 1e-3, clip 5. */
export const DEFAULT_SGD: SgdSettings = { learningRate: 0.025, finalLearningRate: 1e-3, momentum: 0.9, weightDecay: 5e-4, gradClipNorm: 5 };

export function createOptimizer(model: QatModel, settings: SgdSettings) {
  const velocity = new Map<string, tf.Variable>();
  for (const [name, v] of model.trainable) velocity.set(name, tf.variable(tf.zerosLike(v), false, `velocity/${name}`));
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

/** Mean softmax cross-entropy of logits [B, K] against integer labels. */
export function crossEntropy(logits: tf.Tensor2D, labels: tf.Tensor1D, classes: number): tf.Scalar {
  return tf.neg(tf.mean(tf.sum(tf.mul(tf.oneHot(labels, classes), tf.logSoftmax(logits)), 1))) as tf.Scalar;
}

/** One training step on (x, y); returns the batch loss and the number of correct predictions. */
export function sgdStep(
  model: QatModel,
  optimizer: ReturnType<typeof createOptimizer>,
  x: tf.Tensor4D,
  y: tf.Tensor1D,
  classes: number,
  lr: number,
): { loss: number; hits: number } {
  const { momentum, weightDecay, gradClipNorm } = optimizer.settings;
  const names = [...model.trainable.keys()];
  const variables = names.map((n) => model.trainable.get(n) as tf.Variable);
  let updates: readonly [tf.Variable, tf.Tensor][] = [];
  let hitsTensor: tf.Tensor | undefined;
  const { value, grads } = tf.variableGrads(() => {
    const result = forward(model, x, true);
    updates = result.updates;
    hitsTensor = tf.keep(tf.sum(tf.cast(tf.equal(tf.argMax(result.logits, 1), y), 'int32')));
    return crossEntropy(result.logits, y, classes);
  }, variables);
  tf.tidy(() => {
    const list = names.map((n) => grads[model.trainable.get(n)?.name as string]);
    const norm = tf.sqrt(tf.addN(list.map((g) => tf.sum(tf.square(g)))));
    const clip = tf.minimum(1, tf.div(gradClipNorm, tf.maximum(norm, 1e-12)));
    names.forEach((name, i) => {
      const v = variables[i];
      let g = tf.mul(list[i], clip);
      if (decays(name)) g = tf.add(g, tf.mul(v, weightDecay));
      const vel = optimizer.velocity.get(name) as tf.Variable;
      vel.assign(tf.add(tf.mul(vel, momentum), g));
      v.assign(tf.sub(v, tf.mul(vel, lr)));
    });
  });
  for (const [variable, next] of updates) {
    variable.assign(next);
    next.dispose();
  }
  const loss = value.dataSync()[0];
  const hits = (hitsTensor as tf.Tensor).dataSync()[0];
  tf.dispose([value, hitsTensor as tf.Tensor, ...Object.values(grads)]);
  return { loss, hits };
}
