/**
 * Seeded stand-in weights for a network that has not been trained: He-initialised kernels,
 * random batch-norm parameters (gamma in ±[0.3, 1.5], about a third negative; beta in ±0.5) and
 * fc biases, then the running statistics and activation ranges calibrated by training-mode
 * passes over seeded standard-normal images. The result has the ranges and scales of a real
 * network, so the integer model built from it exercises every requantisation path — what
 * `generate` uses when it is given no weights.
 */
import type { NetworkSpec } from '../core/network.js';
import { gaussianValues, Rng } from '../core/random.js';
import { createModel, disposeModel, forward } from './model.js';
import * as tf from './tf.js';

function uniform(rng: Rng, n: number, lo: number, hi: number): Float32Array {
  return Float32Array.from({ length: n }, () => lo + (hi - lo) * rng.next());
}

/** Random calibrated weights of `network` by variable name (the caller disposes them). */
export function randomWeights(network: NetworkSpec, seed: number, options: { images?: number; passes?: number } = {}): tf.NamedTensorMap {
  const images = options.images ?? 24;
  const passes = options.passes ?? 3;
  const model = createModel(network, seed);
  const rng = new Rng(seed + 1000);
  const set = (name: string, values: Float32Array) => {
    const v = model.trainable.get(name) ?? model.state.get(name);
    if (!v) throw new Error(`random weights: no variable ${name}`);
    v.assign(tf.tensor(values, v.shape, 'float32'));
  };
  for (const layer of network.layers) {
    const c = layer.outC;
    if (layer.kind === 'conv' || layer.kind === 'dwconv') {
      set(
        `${layer.name}/gamma`,
        uniform(rng, c, 0.3, 1.5).map((g) => (rng.next() < 0.35 ? -g : g)),
      );
      set(`${layer.name}/beta`, uniform(rng, c, -0.5, 0.5));
    }
    if (layer.kind === 'fc') set(`${layer.name}/bias`, uniform(rng, c, -0.3, 0.3));
  }
  const { height, width, channels } = network.input;
  const per = Math.max(1, Math.floor(images / passes));
  for (let i = 0; i < passes; i++) {
    tf.tidy(() => {
      const x = tf.tensor4d(gaussianValues(rng, per * height * width * channels), [per, height, width, channels]);
      const { updates } = forward(model, x, true);
      for (const [variable, value] of updates) variable.assign(value);
      tf.dispose(updates.map(([, value]) => value));
    });
  }
  const out: tf.NamedTensorMap = {};
  for (const [name, v] of [...model.trainable, ...model.state]) out[name] = tf.clone(v);
  disposeModel(model);
  return out;
}
