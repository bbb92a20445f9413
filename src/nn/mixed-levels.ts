/**
 * The arithmetic of a mixed-precision tensor that both backends' kernels (mixed-kernels.ts,
 * mixed-kernels-wasm.ts) share: kernel names and attributes, the level table of J bitwidths
 * (step, clamp, coefficient per level) over an activation range, and one value's
 * quantisation and mix. What stays true: one level with coefficient 1 is the single-bitwidth
 * quantiser of fused-kernels.ts, bit for bit.
 */
import { ACTIVATION_RANGE_FLOOR } from '../core/numerics.js';
import { roundHalfEven } from './kernel-io.js';

export const MIX_BN_ACT_QUANT = 'TripsMixBnActQuant';
export const MIX_BN_COEF_GRAD = 'TripsMixBnActQuantCoefGrad';
export const MIX_ACT_QUANT = 'TripsMixActQuant';
export const MIX_ACT_COEF_GRAD = 'TripsMixActQuantCoefGrad';

/**
 * TripsMixBnActQuant: inputs {x, gamma, beta, amax, coef?}; outputs [y, mean, variance, range,
 * mask, rows]. bits = [] (and no coef): no quantisation, y = act(BN(x)), range = amax.
 * TripsMixBnActQuantCoefGrad: inputs {dy, x, gamma, beta, mean, variance, range}; output [J].
 */
export interface MixBnAttrs {
  readonly epsilon: number;
  /** 0 none, 1 relu, 2 relu6. */
  readonly activation: number;
  readonly signed: boolean;
  readonly rangeMomentum: number;
  readonly bits: number[];
}

/**
 * TripsMixActQuant: inputs {x, amax, coef}; outputs [y, range, mask]. update: blend this
 * batch's range into amax (the first batch takes its own); otherwise use amax as it is.
 * TripsMixActQuantCoefGrad: inputs {dy, x, range}; output [J].
 */
export interface MixActAttrs {
  readonly signed: boolean;
  readonly rangeMomentum: number;
  readonly update: boolean;
  readonly bits: number[];
}

/** Quantisation levels of a bitwidth: unsigned 0 … 2^q − 1, signed ±(2^(q−1) − 1). */
export function mixLevels(bits: readonly number[], signed: boolean): { lo: number; hi: number }[] {
  return bits.map((q) => (signed ? { lo: -(2 ** (q - 1) - 1), hi: 2 ** (q - 1) - 1 } : { lo: 0, hi: 2 ** q - 1 }));
}

/** The level with the most bits (the first of equals): its range is where gradients pass. */
export function widestLevel(bits: readonly number[]): number {
  let best = 0;
  for (let j = 1; j < bits.length; j++) if (bits[j] > bits[best]) best = j;
  return best;
}

export const sizeOf = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

/** The per-level constants for a range: step_j = fround(max(range, ACTIVATION_RANGE_FLOOR) / hi_j). */
export interface Levels {
  readonly step: Float64Array;
  readonly lo: Float64Array;
  readonly hi: Float64Array;
  readonly coef: Float64Array;
  /** Where the gradient passes: [lo·step, hi·step] of the widest level (f32). */
  readonly low: number;
  readonly high: number;
}

export function levelsFor(bits: readonly number[], signed: boolean, range: number, coef?: ArrayLike<number>): Levels {
  const table = mixLevels(bits, signed);
  const step = Float64Array.from(table, (t) => Math.fround(Math.max(range, ACTIVATION_RANGE_FLOOR) / t.hi));
  const lo = Float64Array.from(table, (t) => t.lo);
  const hi = Float64Array.from(table, (t) => t.hi);
  const w = widestLevel(bits);
  return {
    step,
    lo,
    hi,
    coef: Float64Array.from(table, (_, j) => (coef ? coef[j] : 0)),
    low: Math.fround(lo[w] * step[w]),
    high: Math.fround(hi[w] * step[w]),
  };
}

/** One level's fake quantisation of z (float32 arithmetic, as the single-bit kernel). */
export function quantiseLevel(z: number, step: number, lo: number, hi: number): number {
  const q = roundHalfEven(Math.fround(z / step));
  return Math.fround((q < lo ? lo : q > hi ? hi : q) * step);
}

/** Σ_j c_j·Q_j(z) in level order, in float32, starting from the first product. */
export function mixValue(z: number, l: Levels, J: number): number {
  let acc = Math.fround(l.coef[0] * quantiseLevel(z, l.step[0], l.lo[0], l.hi[0]));
  for (let j = 1; j < J; j++) acc = Math.fround(acc + Math.fround(l.coef[j] * quantiseLevel(z, l.step[j], l.lo[j], l.hi[j])));
  return acc;
}

/** scale = γ/√(σ² + ε), shift = β − μ·scale, in f32 arrays (as the fused kernels). */
export function affine(
  g: Float32Array,
  b: Float32Array,
  mean: Float32Array,
  variance: Float32Array,
  epsilon: number,
  scale: Float32Array,
  shift: Float32Array,
): void {
  for (let c = 0; c < scale.length; c++) {
    scale[c] = g[c] / Math.sqrt(variance[c] + epsilon);
    shift[c] = b[c] - mean[c] * scale[c];
  }
}

export function activeAt(z: number, activation: number): boolean {
  return activation === 0 ? true : activation === 1 ? z > 0 : z > 0 && z < 6;
}
