/**
 * The integer arithmetic of the golden model (docs/quant.md), in the form the HLS C++ (int64)
 * and the RTL implement it. Every value here is an integer held exactly in a JS double: the
 * bounds below keep every intermediate under 2^53.
 */

/** Width of a requantisation multiplier: signed 24 bits, |m| ≤ 2^23 − 1. */
export const MULTIPLIER_BITS = 24;
export const MULTIPLIER_MAX = 2 ** (MULTIPLIER_BITS - 1) - 1;
/** Accumulators are signed 32-bit: the worst case |acc| of every channel must be ≤ 2^31 − 1. */
export const ACCUMULATOR_BITS = 32;
export const ACCUMULATOR_MAX = 2 ** (ACCUMULATOR_BITS - 1) - 1;
/**
 * The requantisation sum v = acc·m + c is a signed 54-bit integer, |v| ≤ 2^53 − 1: an int64 in
 * C++, exact in a JS double.
 */
export const PRODUCT_BITS = 54;
export const PRODUCT_MAX = 2 ** (PRODUCT_BITS - 1) - 1;
/** Right shifts lie in 0 … 62 (an int64 shift in C++). */
export const SHIFT_MAX = 62;
/** Bitwidths a quantised tensor or weight may have (32 means "float", only for logits). */
export const MIN_BITS = 2;
export const MAX_BITS = 16;

/**
 * Round half to even of a double (the rule of `tf.round` and of IEEE `nearbyint`): used to
 * derive the integer model from float parameters, never at inference.
 */
export function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  const r = d < 0.5 ? f : d > 0.5 ? f + 1 : f % 2 === 0 ? f : f + 1;
  return r === 0 ? 0 : r; // no −0 in the model
}

/**
 * THE rounding rule of the integer model: round(v / 2^n), half to even, for an integer v with
 * |v| ≤ 2^53 − 1 and 0 ≤ n ≤ 62. With q = v >> n (arithmetic shift: floor) and r = v − q·2^n
 * (the low n bits, 0 ≤ r < 2^n): q + 1 when r > 2^(n−1), or r = 2^(n−1) and q is odd; else q.
 * C++: `int64_t q = v >> n; int64_t r = v & ((1LL << n) - 1); if (n > 0 && (r > (1LL << (n-1))
 * || (r == (1LL << (n-1)) && (q & 1)))) q++;` — Verilog: the same on bit slices.
 */
export function roundShift(v: number, n: number): number {
  if (n === 0) return v;
  const p = 2 ** n;
  const q = Math.floor(v / p);
  const r = v - q * p;
  const half = p / 2;
  return r > half || (r === half && q % 2 !== 0) ? q + 1 : q;
}

/** Integer code range of a quantised tensor: signed symmetric ±(2^(b−1) − 1), or 0 … 2^b − 1. */
export function codeRange(bits: number, signed: boolean): { lo: number; hi: number } {
  return signed ? { lo: -(2 ** (bits - 1) - 1), hi: 2 ** (bits - 1) - 1 } : { lo: 0, hi: 2 ** bits - 1 };
}

/** Levels of a symmetric signed weight: 2^(b−1) − 1. */
export function weightLevels(bits: number): number {
  return 2 ** (bits - 1) - 1;
}
