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
import { ACTIVATION_RANGE_FLOOR, WEIGHT_MAX_FLOOR } from '../core/numerics.js';
import { ACT_QUANT, type ActQuantAttrs, MASK_GRAD, registerFusedKernels } from './fused-kernels.js';
import * as tf from './tf.js';

function weightLevels(bits: number): number {
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
  return tf.tidy(() => tf.div(tf.maximum(tf.max(tf.abs(w), otherAxes(w.rank, channelAxis), true), WEIGHT_MAX_FLOOR), weightLevels(bits)));
}

type CustomArgs = Array<tf.Tensor | tf.GradSaveFunc>;

/**
 * Fake-quantise weights per output channel (conv [kh,kw,in,out]: axis 3; depthwise: 2; fc: 1).
 * The scale is computed inside the custom op, where TF.js records nothing, so the backward
 * pass is the bare straight-through identity (no gradient through the max that set the scale).
 */
export function fakeQuantWeight(w: tf.Tensor, bits: number, channelAxis: number): tf.Tensor {
  const op = tf.customGrad((...args: CustomArgs) => {
    const [wi] = args as [tf.Tensor];
    const scale = weightScale(wi, bits, channelAxis);
    return { value: tf.mul(tf.round(tf.div(wi, scale)), scale), gradFunc: (dy: tf.Tensor | tf.Tensor[]) => [dy as tf.Tensor] };
  });
  return op(w);
}

/** Straight-through gradient of a fake quantiser: dy inside [lo·s, hi·s], zero outside. */
function passInside(dy: tf.Tensor, x: tf.Tensor, scale: tf.Tensor, lo: number, hi: number): tf.Tensor {
  const inside = tf.logicalAnd(tf.greaterEqual(x, tf.mul(scale, lo)), tf.lessEqual(x, tf.mul(scale, hi)));
  return tf.where(inside, dy, tf.zerosLike(x));
}

function quantiseWith(x: tf.Tensor, scale: tf.Tensor, lo: number, hi: number): tf.Tensor {
  return tf.mul(tf.clipByValue(tf.round(tf.div(x, scale)), lo, hi), scale);
}

/**
 * A straight-through activation quantiser from stock ops whose range comes from `rangeOf(x)`,
 * evaluated inside the custom op (recorded on no tape, so no gradient flows through it).
 */
function activationQuantiser(x: tf.Tensor, lo: number, hi: number, rangeOf: (x: tf.Tensor) => tf.Tensor): tf.Tensor {
  const op = tf.customGrad((...args: CustomArgs) => {
    const [xi, save] = args as [tf.Tensor, tf.GradSaveFunc];
    const scale = tf.div(tf.maximum(rangeOf(xi), ACTIVATION_RANGE_FLOOR), hi);
    save([xi, scale]);
    return {
      value: quantiseWith(xi, scale, lo, hi),
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => [passInside(dy as tf.Tensor, saved[0], saved[1], lo, hi)],
    };
  });
  return op(x);
}

/** Fake-quantise an activation tensor to `bits` over [−amax, amax] (signed) or [0, amax]. */
export function fakeQuantActivation(x: tf.Tensor, amax: tf.Scalar | number, bits: number, signed: boolean): tf.Tensor {
  const { lo, hi } = activationRange(bits, signed);
  return activationQuantiser(x, lo, hi, () => (typeof amax === 'number' ? tf.scalar(amax) : amax));
}

let actQuantKernel: 'auto' | 'off' = 'auto';

/** Tests compare the kernel with the composite: 'off' forces the composite. */
export function setActQuantKernel(mode: 'auto' | 'off'): void {
  actQuantKernel = mode;
}

function useActQuantKernel(): boolean {
  registerFusedKernels();
  return actQuantKernel === 'auto' && tf.getKernel(ACT_QUANT, tf.getBackend()) !== undefined;
}

/** One kernel forward (range, quantisation, a one-byte mask), one backward (dy · mask). */
function actQuantFused(x: tf.Tensor, running: tf.Scalar, attrs: ActQuantAttrs, sink: (range: tf.Scalar) => void): tf.Tensor {
  const op = tf.customGrad((...args: CustomArgs) => {
    const [xi, save] = args as [tf.Tensor, tf.GradSaveFunc];
    const [y, range, mask] = tf.engine().runKernel(ACT_QUANT, { x: xi, amax: running }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
    sink(range as tf.Scalar);
    save([mask]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
        const dx = tf.engine().runKernel(MASK_GRAD, { dy: dy as tf.Tensor, mask: saved[0] }) as tf.Tensor | tf.Tensor[];
        return [Array.isArray(dx) ? dx[0] : dx];
      },
    };
  });
  return op(x);
}

/**
 * The training-time activation quantiser: this batch's range (max, or max |x| when signed)
 * blended into the running one — the first batch takes its own — then quantisation with it.
 * The range is computed inside the custom op, so no gradient flows through the max (its
 * gradient would compare every element with the maximum); `sink` receives the blended range
 * while it exists.
 */
export function fakeQuantActivationTrain(
  x: tf.Tensor,
  running: tf.Scalar,
  bits: number,
  signed: boolean,
  momentum: number,
  sink: (range: tf.Scalar) => void,
): tf.Tensor {
  const { lo, hi } = activationRange(bits, signed);
  if (useActQuantKernel()) return actQuantFused(x, running, { lo, hi, signed, rangeMomentum: momentum }, sink);
  return activationQuantiser(x, lo, hi, (xi) => {
    const peak = signed ? tf.max(tf.abs(xi)) : tf.max(xi);
    const blended = tf.add(tf.mul(running, 1 - momentum), tf.mul(peak, momentum));
    const range = tf.where(tf.equal(running, 0), peak, blended) as tf.Scalar;
    sink(range);
    return range;
  });
}
