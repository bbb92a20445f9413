import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/random.js';
import { selectBackend } from '../../src/nn/backend.js';
import { normActQuantComposite, normActQuantFused, type NormActQuantOptions } from '../../src/nn/fused.js';
import { fakeQuantActivationTrain, setActQuantKernel } from '../../src/nn/quant.js';
import * as tf from '../../src/nn/tf.js';

const BACKEND = (process.env.TRIPS_HW_TEST_BACKEND ?? 'cpu') as 'cpu' | 'wasm';
beforeAll(async () => {
  await selectBackend(BACKEND);
});

function randomTensor(shape: number[], seed: number, scale = 1, offset = 0): tf.Tensor {
  const rng = new Rng(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(
    Float32Array.from({ length: n }, () => (rng.next() * 2 - 1) * scale + offset),
    shape,
  );
}

/** Largest |a − b| relative to the largest |b|. */
function relError(a: tf.Tensor, b: tf.Tensor): number {
  const d = tf.max(tf.abs(tf.sub(a, b))).dataSync()[0];
  return d / Math.max(1e-12, tf.max(tf.abs(b)).dataSync()[0]);
}

/** Fraction of elements that differ by more than `tol` (quantisation boundaries may flip). */
function mismatchFraction(a: tf.Tensor, b: tf.Tensor, tol: number): number {
  return tf.mean(tf.cast(tf.greater(tf.abs(tf.sub(a, b)), tol), 'float32')).dataSync()[0];
}

const CASES: [string, NormActQuantOptions, number][] = [
  ['relu, 4-bit unsigned, first batch', { activation: 'relu', bits: 4, signed: false, epsilon: 1e-5, rangeMomentum: 0.1 }, 0],
  ['relu6, 8-bit unsigned, running range', { activation: 'relu6', bits: 8, signed: false, epsilon: 1e-5, rangeMomentum: 0.1 }, 2.5],
  ['none, 6-bit signed', { activation: 'none', bits: 6, signed: true, epsilon: 1e-5, rangeMomentum: 0.1 }, 1.5],
];

describe(`fused batch norm → activation → fake quantisation (${BACKEND})`, () => {
  for (const [title, options, amaxValue] of CASES) {
    it(`matches the composite of stock ops: ${title}`, () => {
      const x = randomTensor([3, 5, 7, 13], 1, 2, 0.3) as tf.Tensor4D;
      const gamma = randomTensor([13], 2, 0.5, 1) as tf.Tensor1D;
      const beta = randomTensor([13], 3, 0.2) as tf.Tensor1D;
      const amax = tf.scalar(amaxValue);
      const upstream = randomTensor([3, 5, 7, 13], 4);
      const run = (op: typeof normActQuantFused) => {
        let stats: { mean: tf.Tensor; variance: tf.Tensor; amax: tf.Tensor } | undefined;
        const y = op(x, gamma, beta, amax, options, (s) => {
          stats = { mean: tf.keep(tf.clone(s.mean)), variance: tf.keep(tf.clone(s.variance)), amax: tf.keep(tf.clone(s.amax)) };
        });
        const r = { y, ...(stats as NonNullable<typeof stats>) };
        const grads = tf.grads((a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) =>
          tf.sum(tf.mul(op(a as tf.Tensor4D, g as tf.Tensor1D, b as tf.Tensor1D, amax, options), upstream)),
        )([x, gamma, beta]);
        return { ...r, grads };
      };
      const fused = run(normActQuantFused);
      setActQuantKernel('off'); // the composite made of stock ops only
      const composite = run(normActQuantComposite);
      setActQuantKernel('auto');
      expect(relError(fused.mean, composite.mean)).toBeLessThan(1e-5);
      expect(relError(fused.variance, composite.variance)).toBeLessThan(1e-5);
      expect(fused.amax.dataSync()[0]).toBeCloseTo(composite.amax.dataSync()[0], 4);
      const step = composite.amax.dataSync()[0] / (options.signed ? 2 ** (options.bits - 1) - 1 : 2 ** options.bits - 1);
      // float rounding may move a value across a rounding boundary: at most one step, rarely
      expect(mismatchFraction(fused.y, composite.y, 1e-4)).toBeLessThan(0.002);
      expect(relError(fused.y, composite.y)).toBeLessThanOrEqual(step / tf.max(tf.abs(composite.y)).dataSync()[0] + 1e-5);
      const [dx, dgamma, dbeta] = fused.grads;
      const [cx, cgamma, cbeta] = composite.grads;
      expect(relError(dbeta, cbeta)).toBeLessThan(1e-3);
      expect(relError(dgamma, cgamma)).toBeLessThan(2e-3);
      expect(relError(dx, cx)).toBeLessThan(2e-3);
    });
  }
});

describe(`activation fake quantisation kernel (${BACKEND})`, () => {
  for (const [title, bits, signed, running] of [
    ['8-bit signed, first batch', 8, true, 0],
    ['4-bit unsigned, running range', 4, false, 1.2],
  ] as const) {
    it(`matches the stock-op quantiser: ${title}`, () => {
      const x = randomTensor([2, 5, 3, 7], 11, 1.5, 0.2);
      const upstream = randomTensor([2, 5, 3, 7], 12);
      const run = (mode: 'auto' | 'off') => {
        setActQuantKernel(mode);
        let range = 0;
        const f = (t: tf.Tensor) =>
          fakeQuantActivationTrain(t, tf.scalar(running), bits, signed, 0.1, (r) => {
            range = r.dataSync()[0];
          });
        const y = f(x);
        const dx = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(f(t), upstream)))(x);
        setActQuantKernel('auto');
        return { y, dx, range };
      };
      const kernel = run('auto');
      const stock = run('off');
      expect(kernel.range).toBeCloseTo(stock.range, 6);
      expect(mismatchFraction(kernel.y, stock.y, 1e-5)).toBeLessThan(0.01);
      expect(mismatchFraction(kernel.dx, stock.dx, 1e-6)).toBeLessThan(0.01);
    });
  }
});
