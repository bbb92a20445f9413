/**
 * The arch step's hardware penalty (method.md §5, docs/search.md): the method's cost of the
 * current single path, and [ours] the expected cost over every candidate. In: the supernet's α
 * and β and the cycles the accelerator gives; out: a scalar whose gradient reaches α and β.
 * What stays true: both are divided by the path's total cycles, so λ is dimensionless.
 */
import * as tf from '../nn/tf.js';
import { pick, straightThrough } from './straight-through.js';
import type { Supernet } from './supernet.js';

/**
 * The operation-wise hardware cost of method.md §5 for the current single path (op_l, bit_l):
 * Σ_l STE(p_α[l, op_l]) · STE(p_β[l, op_l, bit_l]) · latency_l / total, where p are softmax
 * probabilities and STE(p) has value 1 and gradient 1; so its value is the path's share of
 * the latency in the cells, and each cell's logits feel that cell's share [ours: normalised
 * by the whole path's cycles, so λ is dimensionless].
 */
export function hardwareCost(
  net: Supernet,
  choices: readonly { op: number; bit: number }[],
  latencies: readonly number[],
  totalCycles: number,
): tf.Scalar {
  const ops = net.ops.length;
  const bits = net.bits.length;
  const pAlpha = tf.reshape(tf.softmax(net.alpha), [-1]) as tf.Tensor1D;
  const pBeta = tf.reshape(tf.softmax(net.beta), [-1]) as tf.Tensor1D;
  const pa = pick(
    pAlpha,
    choices.map((c, i) => i * ops + c.op),
  );
  const pb = pick(
    pBeta,
    choices.map((c, i) => (i * ops + c.op) * bits + c.bit),
  );
  const ones = choices.map(() => 1);
  const weights = tf.tensor1d(latencies.map((l) => l / Math.max(1, totalCycles)));
  return tf.sum(tf.mul(tf.mul(straightThrough(pa as tf.Tensor1D, ones), straightThrough(pb as tf.Tensor1D, ones)), weights)) as tf.Scalar;
}

/**
 * [ours] The expected hardware cost: Σ_l Σ_o p_α[l,o] Σ_b p_β[l,o,b] · latency[l][o][b] / total,
 * with `latency` the cycles of every candidate on the current accelerator (hardware.ts
 * `candidateLatencies`). Its gradient moves probability from every candidate costlier than its
 * cell's expectation to every cheaper one — whichever op leads — where the path form above
 * only pushes the leading op of each cell down, which with near-tied logits hands the lead to
 * another op at every step.
 */
export function expectedHardwareCost(net: Supernet, latency: readonly (readonly (readonly number[])[])[], totalCycles: number): tf.Scalar {
  return tf.tidy(() => {
    const pAlpha = tf.expandDims(tf.softmax(net.alpha), 2);
    const pBeta = tf.softmax(net.beta);
    const weights = tf.div(tf.tensor3d(latency as number[][][]), Math.max(1, totalCycles));
    return tf.sum(tf.mul(tf.mul(pAlpha, pBeta), weights)) as tf.Scalar;
  });
}
