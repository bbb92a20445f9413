/**
 * The differentiable selections of the arch step (method.md §4), shared by the supernet's passes
 * and the hardware penalty: straight-through weights (value fixed, gradient passed through),
 * selection of logits by a one-hot product, and the Gumbel-softmax weights of the candidates.
 * What stays true: every op has a gradient on the wasm backend (no gather, no OneHot kernel).
 */
import * as tf from '../nn/tf.js';

/** Value `target`, gradient passed straight through to `w` (the STE of method.md §4). */
export function straightThrough(w: tf.Tensor1D, target: number[]): tf.Tensor1D {
  const op = tf.customGrad((..._args: (tf.Tensor | tf.GradSaveFunc)[]) => ({
    value: tf.tensor1d(target),
    gradFunc: (dy: tf.Tensor | tf.Tensor[]) => [dy as tf.Tensor],
  }));
  return op(w) as tf.Tensor1D;
}

/** Rows of a one-hot matrix, built here: the wasm OneHot kernel ignores a float32 dtype. */
export function oneHotRows(indices: readonly number[], depth: number): Float32Array {
  const rows = new Float32Array(indices.length * depth);
  indices.forEach((index, r) => {
    rows[r * depth + index] = 1;
  });
  return rows;
}

/**
 * flat[indices] as a product with a one-hot matrix: differentiable on every backend (the
 * gradient of tf.gather needs UnsortedSegmentSum, which the wasm backend lacks).
 */
export function pick(flat: tf.Tensor1D, indices: readonly number[]): tf.Tensor1D {
  const select = tf.tensor2d(oneHotRows(indices, flat.shape[0]), [indices.length, flat.shape[0]]);
  return tf.reshape(tf.matMul(select, tf.reshape(flat, [-1, 1])), [indices.length]) as tf.Tensor1D;
}

/** softmax((flat[indices] + noise) / T): the Gumbel-softmax weights of the candidates. */
export function noisySoftmax(flat: tf.Tensor1D, indices: readonly number[], noise: readonly number[], temperature: number): tf.Tensor1D {
  return tf.softmax(tf.div(tf.add(pick(flat, indices), tf.tensor1d(Array.from(noise))), temperature)) as tf.Tensor1D;
}

/** Straight-through top-k weights of `flat[indices] + noise` at temperature T: values 1, 0. */
export function topWeights(flat: tf.Tensor1D, indices: readonly number[], noise: readonly number[], temperature: number): tf.Tensor1D {
  return straightThrough(
    noisySoftmax(flat, indices, noise, temperature),
    indices.map((_, k) => (k === 0 ? 1 : 0)),
  );
}
