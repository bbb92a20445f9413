/**
 * Fake quantisers that mirror the deployed integer arithmetic (design.md §4):
 *  - weights: symmetric per output channel, signed q-bit, scale = max|w_c| / (2^(q−1) − 1);
 *  - activations: per tensor with a running range; unsigned after ReLU/ReLU6
 *    (levels 0 … 2^q − 1 over [0, amax]), signed otherwise (−(2^(q−1) − 1) … 2^(q−1) − 1 over
 *    [−amax, amax]);
 *  - rounding half to even everywhere (tf.round), the same rule the integer model, the HLS C++
 *    and the RTL use.
 * Gradients are straight-through: weights pass dy unchanged; activations pass dy inside the
 * clipping range and zero outside. Per-channel symmetric weight quantisation commutes with
 * folding batch norm (a per-channel positive or negative scale), so the integers trained here
 * are the integers deployed.
 */
import * as tf from './tf.js';

export function weightLevels(bits: number): number {
  return 2 ** (bits - 1) - 1;
}

export function activationRange(bits: number, signed: boolean): { lo: number; hi: number } {
  return signed ? { lo: -(2 ** (bits - 1) - 1), hi: 2 ** (bits - 1) - 1 } : { lo: 0, hi: 2 ** bits - 1 };
}

/** Axes reduced to find a channel's range: all but `channelAxis`. */
function otherAxes(rank: number, channelAxis: number): number[] {
  return [...Array(rank).keys()].filter((a) => a !== channelAxis);
}

/** Per-channel scale of a weight tensor (keepDims shape, broadcastable against w). */
export function weightScale(w: tf.Tensor, bits: number, channelAxis: number): tf.Tensor {
  return tf.tidy(() => tf.div(tf.maximum(tf.max(tf.abs(w), otherAxes(w.rank, channelAxis), true), 1e-12), weightLevels(bits)));
}

type CustomArgs = Array<tf.Tensor | tf.GradSaveFunc>;

const steWeight = tf.customGrad((...args: CustomArgs) => {
  const [w, scale] = args as [tf.Tensor, tf.Tensor];
  return {
    value: tf.mul(tf.round(tf.div(w, scale)), scale),
    gradFunc: (dy: tf.Tensor | tf.Tensor[]) => [dy as tf.Tensor, tf.zerosLike(scale)],
  };
});

/** Fake-quantise weights per output channel (conv [kh,kw,in,out]: axis 3; depthwise: 2; fc: 1). */
export function fakeQuantWeight(w: tf.Tensor, bits: number, channelAxis: number): tf.Tensor {
  return tf.tidy(() => steWeight(w, weightScale(w, bits, channelAxis)));
}

function makeSteActivation(lo: number, hi: number) {
  return tf.customGrad((...args: CustomArgs) => {
    const [x, scale, save] = args as [tf.Tensor, tf.Tensor, tf.GradSaveFunc];
    const q = tf.clipByValue(tf.round(tf.div(x, scale)), lo, hi);
    save([x, scale]);
    return {
      value: tf.mul(q, scale),
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
        const [xs, s] = saved;
        const inside = tf.logicalAnd(tf.greaterEqual(xs, tf.mul(s, lo)), tf.lessEqual(xs, tf.mul(s, hi)));
        return [tf.where(inside, dy as tf.Tensor, tf.zerosLike(xs)), tf.zerosLike(s)];
      },
    };
  });
}

const activationQuantisers = new Map<string, ReturnType<typeof makeSteActivation>>();

/** Fake-quantise an activation tensor to `bits` over [−amax, amax] (signed) or [0, amax]. */
export function fakeQuantActivation(x: tf.Tensor, amax: tf.Scalar | number, bits: number, signed: boolean): tf.Tensor {
  const { lo, hi } = activationRange(bits, signed);
  const key = `${lo}:${hi}`;
  let quantise = activationQuantisers.get(key);
  if (!quantise) {
    quantise = makeSteActivation(lo, hi);
    activationQuantisers.set(key, quantise);
  }
  const q = quantise;
  return tf.tidy(() => q(x, tf.div(tf.maximum(amax, 1e-8), hi)));
}
