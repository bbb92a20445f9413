import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/nn/backend.js';
import { activationRange, fakeQuantActivation, fakeQuantWeight, weightScale } from '../../src/nn/quant.js';
import * as tf from '../../src/nn/tf.js';

beforeAll(async () => {
  await selectBackend('cpu');
});

describe('weight fake quantisation', () => {
  it('is symmetric per output channel with 2^(q-1)-1 levels, rounding half to even', () => {
    // fc kernel [in 4, out 2]: channel 0 max |w| = 1 → scale 1/7 at 4 bits; channel 1 max 0.7 → 0.1
    const w = tf.tensor2d([
      [1, 0.7],
      [-0.5, 0.05],
      [3 / 14, -0.35],
      [0.3, 0.15],
    ]);
    const [s0, s1] = Array.from(weightScale(w, 4, 1).dataSync());
    expect(s0).toBeCloseTo(1 / 7, 7);
    expect(s1).toBeCloseTo(0.1, 7);
    const q = fakeQuantWeight(w, 4, 1).arraySync() as number[][];
    // 0.05 / 0.1 = 0.5 → 0 (half to even); −0.35 / 0.1 = −3.5 → −4; 0.15 / 0.1 = 1.5 → 2; 3/14 · 7 = 1.5 → 2
    expect(q[1][1]).toBeCloseTo(0, 6);
    expect(q[2][1]).toBeCloseTo(-0.4, 6);
    expect(q[3][1]).toBeCloseTo(0.2, 6);
    expect(q[2][0]).toBeCloseTo(2 / 7, 6);
    // −0.5 / fround(1/7) = −3.4999998 in float32 → −3: the integer model must divide in float32 too
    expect(q[1][0]).toBeCloseTo(-3 / 7, 6);
  });

  it('passes the gradient straight through', () => {
    const w = tf.tensor2d([
      [0.3, -0.2],
      [0.1, 0.9],
    ]);
    const g = tf.grad((x: tf.Tensor) =>
      tf.sum(
        tf.mul(
          fakeQuantWeight(x, 4, 1),
          tf.tensor2d([
            [1, 2],
            [3, 4],
          ]),
        ),
      ),
    )(w);
    expect(Array.from(g.dataSync())).toEqual([1, 2, 3, 4]);
  });
});

describe('activation fake quantisation', () => {
  it('unsigned: 2^q − 1 levels over [0, amax], clipped', () => {
    expect(activationRange(4, false)).toEqual({ lo: 0, hi: 15 });
    const y = fakeQuantActivation(tf.tensor1d([-1, 0.1, 0.5, 1.2, 2]), 1.5, 4, false).dataSync();
    // scale 0.1: −1 → 0, 0.1 → 0.1, 0.5 → 0.5, 1.2 → 1.2, 2 → clipped to 1.5
    expect(Array.from(y).map((v) => Number(v.toFixed(5)))).toEqual([0, 0.1, 0.5, 1.2, 1.5]);
  });

  it('signed: symmetric 2^(q−1) − 1 levels', () => {
    expect(activationRange(8, true)).toEqual({ lo: -127, hi: 127 });
    const y = fakeQuantActivation(tf.tensor1d([-3, -0.25, 0.25]), 1.27, 8, true).dataSync();
    // scale 0.01: −3 → −1.27; ±0.25 → ±0.25
    expect(Array.from(y).map((v) => Number(v.toFixed(5)))).toEqual([-1.27, -0.25, 0.25]);
  });

  it('passes gradient inside the range and blocks it outside', () => {
    const x = tf.tensor1d([-0.5, 0.2, 0.9, 1.6]);
    const g = tf.grad((t: tf.Tensor) => tf.sum(fakeQuantActivation(t, 1, 4, false)))(x);
    expect(Array.from(g.dataSync())).toEqual([0, 1, 1, 0]);
  });
});
