import { describe, expect, it } from 'vitest';
import { activationRange } from '../../src/nn/quant.js';
import {
  ACCUMULATOR_MAX,
  MULTIPLIER_MAX,
  PRODUCT_MAX,
  activationScale,
  codeRange,
  poolDivisors,
  roundHalfEven,
  roundShift,
  shufflePermutation,
} from '../../src/quant/index.js';

describe('roundShift: round half to even of v / 2^n', () => {
  it('rounds ties to the even neighbour, on both signs', () => {
    // v / 2: 2.5 → 2, 3.5 → 4, −2.5 → −2, −3.5 → −4, 0.5 → 0, −0.5 → 0
    expect([5, 7, -5, -7, 1, -1].map((v) => roundShift(v, 1))).toEqual([2, 4, -2, -4, 0, 0]);
    // v / 4: 0.75 → 1, −0.75 → −1, 1.5 → 2, −1.5 → −2, 0.25 → 0, −0.25 → 0, 2.5 → 2
    expect([3, -3, 6, -6, 1, -1, 10].map((v) => roundShift(v, 2))).toEqual([1, -1, 2, -2, 0, 0, 2]);
  });

  it('is the identity for shift 0 and exact near 2^53', () => {
    expect(roundShift(-123, 0)).toBe(-123);
    const big = 2 ** 53 - 1; // odd: big / 2 = 2^52 − 0.5 → 2^52 (even)
    expect(roundShift(big, 1)).toBe(2 ** 52);
    expect(roundShift(-big, 1)).toBe(-(2 ** 52));
    expect(roundShift(3 * 2 ** 40 + 2 ** 39, 40)).toBe(4); // 3.5 → 4
    expect(roundShift(2 * 2 ** 40 + 2 ** 39, 40)).toBe(2); // 2.5 → 2
    expect(roundShift(2 * 2 ** 40 + 2 ** 39 + 1, 40)).toBe(3); // just above the tie
    expect(roundShift(-(2 ** 62), 62)).toBe(-1);
  });

  it('agrees with rounding the exact quotient on random integers', () => {
    let seed = 12345;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
    for (let i = 0; i < 20000; i++) {
      const n = next() % 30;
      const v = (next() % 2 ** 30) * (next() % 2 === 0 ? 1 : -1) * (next() % 64);
      expect(roundShift(v, n) + 0).toBe(roundHalfEven(v / 2 ** n)); // + 0: −0 and 0 are one integer
    }
  });
});

describe('roundHalfEven', () => {
  it('is tf.round: half to even, no −0', () => {
    expect([0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 2.4999, -2.5001].map(roundHalfEven)).toEqual([0, 2, 2, 0, -2, -2, 2, -3]);
    expect(Object.is(roundHalfEven(-0.3), 0)).toBe(true);
  });
});

describe('constants and ranges', () => {
  // BN_EPSILON and INPUT_BITS are core/numerics.ts's, the same constants as the TF.js model's
  it('code ranges match the TF.js model', () => {
    for (const bits of [2, 4, 6, 8, 16])
      for (const signed of [true, false]) expect(codeRange(bits, signed)).toEqual(activationRange(bits, signed));
  });

  it('bounds: 24-bit multiplier, 32-bit accumulator, 54-bit products exact in doubles', () => {
    expect(MULTIPLIER_MAX).toBe(2 ** 23 - 1);
    expect(ACCUMULATOR_MAX).toBe(2 ** 31 - 1);
    expect(PRODUCT_MAX).toBe(Number.MAX_SAFE_INTEGER);
  });

  it('activation scales are divided in float32', () => {
    expect(activationScale(127, 127)).toBe(1);
    expect(activationScale(1, 127)).toBe(Math.fround(1 / 127));
    expect(activationScale(0, 255)).toBe(Math.fround(Math.fround(1e-8) / 255));
  });
});

describe('channel shuffle and pool windows', () => {
  it('shuffle: channel c goes to (c mod (C/g))·g + ⌊c/(C/g)⌋', () => {
    expect(shufflePermutation(6, 2)).toEqual([0, 2, 4, 1, 3, 5]);
    expect(shufflePermutation(6, 3)).toEqual([0, 3, 1, 4, 2, 5]);
    expect(shufflePermutation(4, 1)).toEqual([0, 1, 2, 3]);
  });

  it('window sizes of an average pool exclude padding', () => {
    const w = { inH: 5, inW: 5, inC: 1, outH: 3, outW: 3, outC: 1, kernel: 3, stride: 2, pad: 1 };
    expect(poolDivisors(w)).toEqual([4, 6, 9]);
    expect(poolDivisors({ ...w, inH: 7, inW: 7, outH: 1, outW: 1, kernel: 7, stride: 7, pad: 0 })).toEqual([49]);
  });
});
