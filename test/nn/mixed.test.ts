// Mixed-precision fake quantisation (src/nn/mixed.ts): y = Σ_j c_j·Q_j(z) over J bitwidths.
// Held against the single-bitwidth ops bit for bit (one level, coefficient 1), the kernels
// against the composite of stock ops on cpu and on wasm, wasm against cpu, the float path
// (no mix) against act(BN(x)), memory against J, and the kernels under data-parallel replicas
// against one process.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/random.js';
import { PACKAGE_ROOT } from '../../src/core/paths.js';
import { selectBackend } from '../../src/nn/backend.js';
import { normActQuantFused } from '../../src/nn/fused.js';
import {
  mixActQuant,
  mixActQuantTrain,
  mixNormActQuant,
  mixQuantWeight,
  setMixKernels,
  type MixNormOptions,
  type MixSpec,
} from '../../src/nn/mixed.js';
import { fakeQuantActivation, fakeQuantActivationTrain, fakeQuantWeight, setActQuantKernel } from '../../src/nn/quant.js';
import { createReplicaMemory } from '../../src/nn/replica.js';
import * as tf from '../../src/nn/tf.js';

type Backend = 'cpu' | 'wasm';
const BACKENDS: Backend[] = ['cpu', 'wasm'];

beforeAll(async () => {
  await selectBackend('wasm');
  await import('@tensorflow/tfjs-backend-cpu');
});

afterAll(async () => {
  setMixKernels('auto');
  await tf.setBackend('wasm');
});

function values(n: number, seed: number, scale = 1, offset = 0): Float32Array {
  const rng = new Rng(seed);
  return Float32Array.from({ length: n }, () => (rng.next() * 2 - 1) * scale + offset);
}

const sizeOf = (shape: number[]) => shape.reduce((a, b) => a * b, 1);
const copy = (t: tf.Tensor) => Float32Array.from(t.dataSync());

/** Index of the first element whose bits differ (−0 ≠ 0), or −1. */
function firstBitDifference(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  const [ua, ub] = [new Uint32Array(a.buffer, a.byteOffset, a.length), new Uint32Array(b.buffer, b.byteOffset, b.length)];
  for (let i = 0; i < ua.length; i++) if (ua[i] !== ub[i]) return i;
  return -1;
}

/** Index of the first element whose value differs (−0 = 0: the cpu kernels round −0.4 to +0, as
 *  fused-kernels.ts does, where tf.round and f32x4.nearest give −0), or −1. */
function firstValueDifference(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return i;
  return -1;
}

/** max |a − b| / max |b|. */
function relError(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let d = 0;
  let s = 0;
  for (let i = 0; i < a.length; i++) {
    d = Math.max(d, Math.abs(a[i] - b[i]));
    s = Math.max(s, Math.abs(b[i]));
  }
  return d / Math.max(s, 1e-12);
}

/** Fraction of elements that differ by more than tol. */
function mismatch(a: Float32Array, b: Float32Array, tol: number): number {
  let n = 0;
  for (let i = 0; i < a.length; i++) if (Math.abs(a[i] - b[i]) > tol) n++;
  return n / a.length;
}

// ---------------------------------------------------------------------------------------------
// batch norm → activation → mix
// ---------------------------------------------------------------------------------------------

interface BnCase {
  readonly title: string;
  readonly shape: [number, number, number, number];
  readonly activation: MixNormOptions['activation'];
  readonly signed: boolean;
  /** undefined: no quantisation */
  readonly bits?: number[];
  readonly coef?: number[];
  readonly amax: number;
}

interface BnResult {
  y: Float32Array;
  mean: Float32Array;
  variance: Float32Array;
  amax: number;
  rows: number;
  dx: Float32Array;
  dgamma: Float32Array;
  dbeta: Float32Array;
  dcoef?: Float32Array;
}

const BN_CASES: BnCase[] = [
  {
    title: 'relu, unsigned [4,6,8], first batch',
    shape: [2, 5, 3, 7],
    activation: 'relu',
    signed: false,
    bits: [4, 6, 8],
    coef: [0.5, 0.3, 0.2],
    amax: 0,
  },
  {
    title: 'relu6, unsigned [3,5], running range',
    shape: [2, 5, 3, 7],
    activation: 'relu6',
    signed: false,
    bits: [3, 5],
    coef: [0.7, -0.4],
    amax: 2.5,
  },
  { title: 'none, signed [8], running range', shape: [2, 5, 3, 7], activation: 'none', signed: true, bits: [8], coef: [1.3], amax: 1.5 },
  {
    title: 'none, signed [4,6,8], first batch, 13 channels',
    shape: [3, 4, 5, 13],
    activation: 'none',
    signed: true,
    bits: [4, 6, 8],
    coef: [-0.2, 0.9, 0.6],
    amax: 0,
  },
  {
    title: 'relu6, unsigned [8,4,6] (widest first), 13 channels',
    shape: [3, 4, 5, 13],
    activation: 'relu6',
    signed: false,
    bits: [8, 4, 6],
    coef: [0.25, 0.25, 0.5],
    amax: 3,
  },
];

const OPTIONS = (c: BnCase): MixNormOptions => ({ activation: c.activation, signed: c.signed, epsilon: 1e-5, rangeMomentum: 0.1 });

/** Run the op on the active backend: values, statistics, and gradients of sum(y·u). */
function runBn(c: BnCase, op: 'mix' | 'fused', coefGrad = true): BnResult {
  const channels = c.shape[3];
  const x = tf.tensor(values(sizeOf(c.shape), 1, 2, 0.3), c.shape) as tf.Tensor4D;
  const gamma = tf.tensor1d(values(channels, 2, 0.5, 1));
  const beta = tf.tensor1d(values(channels, 3, 0.2));
  const amax = tf.scalar(c.amax);
  const upstream = tf.tensor(values(sizeOf(c.shape), 4), c.shape);
  const coef = c.coef ? tf.tensor1d(c.coef) : undefined;
  let stats: Pick<BnResult, 'mean' | 'variance' | 'amax' | 'rows'> | undefined;
  const sink = (s: { mean: tf.Tensor; variance: tf.Tensor; amax: tf.Tensor; rows: tf.Tensor }) => {
    stats = { mean: copy(s.mean), variance: copy(s.variance), amax: s.amax.dataSync()[0], rows: s.rows.dataSync()[0] };
  };
  const f = (xi: tf.Tensor, g: tf.Tensor, b: tf.Tensor, cf?: tf.Tensor, keep?: typeof sink) => {
    if (op === 'fused')
      return normActQuantFused(xi as tf.Tensor4D, g as tf.Tensor1D, b as tf.Tensor1D, amax, { ...OPTIONS(c), bits: c.bits![0] }, keep);
    const mix: MixSpec | undefined = c.bits ? { bits: c.bits, coef: cf as tf.Tensor1D, coefGrad } : undefined;
    return mixNormActQuant(xi as tf.Tensor4D, g as tf.Tensor1D, b as tf.Tensor1D, amax, OPTIONS(c), mix, keep);
  };
  const y = copy(f(x, gamma, beta, coef, sink));
  const loss = (...a: tf.Tensor[]) => tf.sum(tf.mul(f(a[0], a[1], a[2], a[3] ?? coef), upstream));
  const withCoef = coef !== undefined && op === 'mix';
  const grads = tf
    .grads(loss)(withCoef ? [x, gamma, beta, coef] : [x, gamma, beta])
    .map(copy);
  tf.dispose([x, gamma, beta, amax, upstream, ...(coef ? [coef] : [])]);
  return { y, ...stats!, dx: grads[0], dgamma: grads[1], dbeta: grads[2], dcoef: withCoef ? grads[3] : undefined };
}

async function on<T>(backend: Backend, kernels: 'auto' | 'off', f: () => T): Promise<T> {
  await tf.setBackend(backend);
  setMixKernels(kernels);
  try {
    return f();
  } finally {
    setMixKernels('auto');
  }
}

function expectSameBits(a: BnResult, b: BnResult): void {
  for (const k of ['y', 'mean', 'variance', 'dx', 'dgamma', 'dbeta'] as const) expect(firstBitDifference(a[k], b[k]), k).toBe(-1);
  expect(a.amax).toBe(b.amax);
  expect(a.rows).toBe(b.rows);
}

/** Kernel vs composite, or wasm vs cpu: equal up to float rounding (rare boundary flips). */
function expectClose(a: BnResult, b: BnResult, c: BnCase): void {
  expect(relError(a.mean, b.mean)).toBeLessThan(1e-5);
  expect(relError(a.variance, b.variance)).toBeLessThan(1e-5);
  expect(Math.abs(a.amax - b.amax)).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(b.amax)));
  expect(a.rows).toBe(b.rows);
  expect(relError(a.y, b.y)).toBeLessThan(1e-5);
  expect(relError(a.dbeta, b.dbeta)).toBeLessThan(1e-5);
  expect(relError(a.dgamma, b.dgamma)).toBeLessThan(1e-5);
  expect(relError(a.dx, b.dx)).toBeLessThan(1e-5);
  if (c.coef) expect(relError(a.dcoef!, b.dcoef!)).toBeLessThan(1e-5);
}

describe('mixNormActQuant', () => {
  for (const backend of BACKENDS) {
    for (const bits of [4, 8]) {
      for (const [activation, signed, amax] of [
        ['relu', false, 0],
        ['relu6', false, 2.5],
        ['none', true, 1.5],
        ['none', true, 0],
      ] as const) {
        it(`one level with coefficient 1 is TripsBnActQuant bit for bit: ${backend}, ${activation}, ${bits}-bit ${signed ? 'signed' : 'unsigned'}, amax ${amax}`, async () => {
          const c: BnCase = { title: '', shape: [2, 5, 3, 7], activation, signed, bits: [bits], coef: [1], amax };
          const mix = await on(backend, 'auto', () => runBn(c, 'mix'));
          const fused = await on(backend, 'auto', () => runBn(c, 'fused'));
          expectSameBits(mix, fused);
        });
      }
    }

    it(`is the coefficient-weighted sum of single-bitwidth ops, and dcoef_j = Σ u·Q_j (${backend})`, async () => {
      const c = BN_CASES[0];
      const mix = await on(backend, 'auto', () => runBn(c, 'mix'));
      const levels = await on(backend, 'auto', () => c.bits!.map((q) => runBn({ ...c, bits: [q], coef: [1] }, 'fused')));
      // the same f32 arithmetic as the kernel: c0·q0 + c1·q1 + c2·q2 in level order
      const sum = await on(backend, 'auto', () => {
        const terms = levels.map((l, j) => tf.mul(tf.scalar(c.coef![j]), tf.tensor(l.y)));
        return copy(terms.slice(1).reduce((acc, t) => tf.add(acc, t), terms[0]));
      });
      expect(firstBitDifference(mix.y, sum)).toBe(-1);
      const u = values(sizeOf(c.shape), 4);
      for (let j = 0; j < levels.length; j++) {
        let want = 0;
        for (let i = 0; i < u.length; i++) want += u[i] * levels[j].y[i];
        expect(Math.abs(mix.dcoef![j] - want)).toBeLessThan(1e-5 * Math.max(1, Math.abs(want)));
      }
      // the gradients to x, γ, β are those of the widest level's mask
      const widest = levels[c.bits!.indexOf(Math.max(...c.bits!))];
      for (const k of ['dx', 'dgamma', 'dbeta'] as const) expect(firstBitDifference(mix[k], widest[k]), k).toBe(-1);
    });

    for (const c of BN_CASES) {
      it(`kernel matches the composite of stock ops: ${backend}, ${c.title}`, async () => {
        const kernel = await on(backend, 'auto', () => runBn(c, 'mix'));
        const composite = await on(backend, 'off', () => runBn(c, 'mix'));
        expectClose(kernel, composite, c);
      });
    }

    it(`without coefficient gradients the coefficient gets zeros (${backend}, kernel and composite)`, async () => {
      for (const mode of ['auto', 'off'] as const) {
        const r = await on(backend, mode, () => runBn(BN_CASES[0], 'mix', false));
        expect(Array.from(r.dcoef!)).toEqual([0, 0, 0]);
        expect(r.dx.some((v) => v !== 0)).toBe(true);
      }
    });

    for (const activation of ['none', 'relu', 'relu6'] as const) {
      it(`without a mix it is act(BN(x)) in float, and the range is the old one: ${backend}, ${activation}`, async () => {
        const c: BnCase = { title: '', shape: [2, 5, 3, 7], activation, signed: false, amax: 1.75 };
        const reference = await on(backend, 'off', () => {
          const x = tf.tensor(values(sizeOf(c.shape), 1, 2, 0.3), c.shape) as tf.Tensor4D;
          const gamma = tf.tensor1d(values(7, 2, 0.5, 1));
          const beta = tf.tensor1d(values(7, 3, 0.2));
          const upstream = tf.tensor(values(sizeOf(c.shape), 4), c.shape);
          const f = (xi: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
            const m = tf.moments(xi, [0, 1, 2]);
            const n = tf.batchNorm4d(
              xi as tf.Tensor4D,
              m.mean as tf.Tensor1D,
              m.variance as tf.Tensor1D,
              b as tf.Tensor1D,
              g as tf.Tensor1D,
              1e-5,
            );
            return activation === 'relu' ? tf.relu(n) : activation === 'relu6' ? tf.relu6(n) : n;
          };
          const y = copy(f(x, gamma, beta));
          const grads = tf
            .grads((a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(f(a, g, b), upstream)))([x, gamma, beta])
            .map(copy);
          return { y, dx: grads[0], dgamma: grads[1], dbeta: grads[2] };
        });
        for (const mode of ['auto', 'off'] as const) {
          const r = await on(backend, mode, () => runBn(c, 'mix'));
          expect(r.amax).toBe(1.75);
          expect(r.rows).toBe(30);
          expect(relError(r.y, reference.y)).toBeLessThan(1e-5);
          expect(relError(r.dbeta, reference.dbeta)).toBeLessThan(1e-4);
          expect(relError(r.dgamma, reference.dgamma)).toBeLessThan(1e-4);
          expect(relError(r.dx, reference.dx)).toBeLessThan(1e-4);
        }
      });
    }
  }

  for (const c of BN_CASES) {
    it(`wasm kernels agree with the cpu kernels: ${c.title}`, async () => {
      const cpu = await on('cpu', 'auto', () => runBn(c, 'mix'));
      const wasm = await on('wasm', 'auto', () => runBn(c, 'mix'));
      expectClose(wasm, cpu, c);
    });
  }
});

// ---------------------------------------------------------------------------------------------
// activation mix alone, and weights
// ---------------------------------------------------------------------------------------------

interface ActCase {
  readonly title: string;
  readonly signed: boolean;
  readonly bits: number[];
  readonly coef: number[];
  readonly amax: number;
}

const ACT_CASES: ActCase[] = [
  { title: 'signed [4,6,8], first batch', signed: true, bits: [4, 6, 8], coef: [0.5, 0.3, 0.2], amax: 0 },
  { title: 'unsigned [3,5], running range', signed: false, bits: [3, 5], coef: [0.7, -0.4], amax: 1.2 },
  { title: 'signed [8], running range', signed: true, bits: [8], coef: [1.3], amax: 0.9 },
];

const ACT_SHAPE = [2, 5, 3, 7];

interface ActResult {
  y: Float32Array;
  range: number;
  dx: Float32Array;
  dcoef: Float32Array;
}

function runAct(c: ActCase, train: boolean): ActResult {
  const x = tf.tensor(values(sizeOf(ACT_SHAPE), 11, 1.5, 0.2), ACT_SHAPE);
  const upstream = tf.tensor(values(sizeOf(ACT_SHAPE), 12), ACT_SHAPE);
  const coef = tf.tensor1d(c.coef);
  const amax = tf.scalar(c.amax);
  let range = c.amax;
  const f = (xi: tf.Tensor, cf: tf.Tensor) => {
    const mix = { bits: c.bits, coef: cf as tf.Tensor1D, coefGrad: true };
    return train
      ? mixActQuantTrain(xi, amax, c.signed, 0.1, mix, (r) => {
          range = r.dataSync()[0];
        })
      : mixActQuant(xi, amax, c.signed, mix);
  };
  const y = copy(f(x, coef));
  const [dx, dcoef] = tf
    .grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(f(a, b), upstream)))([x, coef])
    .map(copy);
  tf.dispose([x, upstream, coef, amax]);
  return { y, range, dx, dcoef };
}

describe('mixActQuantTrain / mixActQuant', () => {
  for (const backend of BACKENDS) {
    for (const [bits, signed, amax] of [
      [8, true, 0],
      [4, false, 1.2],
      [6, true, 0.7],
    ] as const) {
      it(`one level with coefficient 1 is the single-bitwidth quantiser bit for bit: ${backend}, ${bits}-bit ${signed ? 'signed' : 'unsigned'}, amax ${amax}`, async () => {
        const c: ActCase = { title: '', signed, bits: [bits], coef: [1], amax };
        const mix = await on(backend, 'auto', () => runAct(c, true));
        const single = await on(backend, 'auto', () => {
          setActQuantKernel('auto');
          const x = tf.tensor(values(sizeOf(ACT_SHAPE), 11, 1.5, 0.2), ACT_SHAPE);
          const upstream = tf.tensor(values(sizeOf(ACT_SHAPE), 12), ACT_SHAPE);
          let range = 0;
          const f = (t: tf.Tensor) =>
            fakeQuantActivationTrain(t, tf.scalar(amax), bits, signed, 0.1, (r) => {
              range = r.dataSync()[0];
            });
          const y = copy(f(x));
          const dx = copy(tf.grad((t: tf.Tensor) => tf.sum(tf.mul(f(t), upstream)))(x));
          // inference: against the stock-op quantiser with the given range
          const fixed = copy(fakeQuantActivation(x, tf.scalar(amax || 1), bits, signed));
          return { y, dx, range, fixed };
        });
        expect(firstBitDifference(mix.y, single.y)).toBe(-1);
        expect(firstBitDifference(mix.dx, single.dx)).toBe(-1);
        expect(mix.range).toBe(single.range);
        const inference = await on(backend, 'auto', () => runAct({ ...c, amax: amax || 1 }, false));
        expect(firstValueDifference(inference.y, single.fixed)).toBe(-1);
      });
    }

    for (const c of ACT_CASES) {
      for (const train of [true, false]) {
        it(`kernel matches the composite: ${backend}, ${train ? 'training' : 'inference'}, ${c.title}`, async () => {
          const d = train ? c : { ...c, amax: c.amax || 1 };
          const kernel = await on(backend, 'auto', () => runAct(d, train));
          const composite = await on(backend, 'off', () => runAct(d, train));
          expect(Math.abs(kernel.range - composite.range)).toBeLessThanOrEqual(1e-6);
          expect(relError(kernel.y, composite.y)).toBeLessThan(1e-5);
          expect(mismatch(kernel.dx, composite.dx, 0)).toBe(0);
          expect(relError(kernel.dcoef, composite.dcoef)).toBeLessThan(1e-5);
        });
      }
    }
  }

  for (const c of ACT_CASES) {
    it(`wasm kernel agrees with the cpu kernel: ${c.title}`, async () => {
      const cpu = await on('cpu', 'auto', () => runAct(c, true));
      const wasm = await on('wasm', 'auto', () => runAct(c, true));
      expect(wasm.range).toBe(cpu.range);
      expect(firstValueDifference(wasm.y, cpu.y)).toBe(-1);
      expect(mismatch(wasm.dx, cpu.dx, 0)).toBe(0);
      expect(relError(wasm.dcoef, cpu.dcoef)).toBeLessThan(1e-6);
    });
  }
});

describe('mixQuantWeight', () => {
  for (const backend of BACKENDS) {
    for (const [shape, axis] of [
      [[3, 3, 5, 7], 3],
      [[3, 3, 6, 1], 2],
      [[13, 5], 1],
    ] as const) {
      it(`one level is fakeQuantWeight bit for bit, and dcoef_j = Σ u·Q_j(w): ${backend}, [${shape.join(',')}] axis ${axis}`, async () => {
        await tf.setBackend(backend);
        const w = tf.tensor(values(sizeOf([...shape]), 21, 0.3), [...shape]);
        const upstream = tf.tensor(values(sizeOf([...shape]), 22), [...shape]);
        for (const bits of [4, 8]) {
          const one = copy(mixQuantWeight(w, { bits: [bits], coef: tf.tensor1d([1]), coefGrad: false }, axis));
          expect(firstBitDifference(one, copy(fakeQuantWeight(w, bits, axis)))).toBe(-1);
        }
        const bits = [3, 5, 8];
        const coefValues = [0.2, -0.5, 1.1];
        const coef = tf.tensor1d(coefValues);
        const f = (a: tf.Tensor, b: tf.Tensor) => mixQuantWeight(a, { bits, coef: b as tf.Tensor1D, coefGrad: true }, axis);
        const y = copy(f(w, coef));
        const [dw, dcoef] = tf
          .grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(f(a, b), upstream)))([w, coef])
          .map(copy);
        const levels = bits.map((q) => copy(fakeQuantWeight(w, q, axis)));
        const want = copy(
          tf.add(
            tf.add(tf.mul(coefValues[0], tf.tensor(levels[0])), tf.mul(coefValues[1], tf.tensor(levels[1]))),
            tf.mul(coefValues[2], tf.tensor(levels[2])),
          ),
        );
        expect(firstBitDifference(y, want)).toBe(-1);
        expect(firstBitDifference(dw, copy(upstream))).toBe(-1);
        const u = copy(upstream);
        levels.forEach((l, j) => {
          const s = l.reduce((acc, v, i) => acc + v * u[i], 0);
          expect(Math.abs(dcoef[j] - s)).toBeLessThan(1e-5 * Math.max(1, Math.abs(s)));
        });
      });
    }
  }
});

describe('input checks', () => {
  it('refuses a coefficient vector of the wrong length and bitwidths that are not integers ≥ 2', async () => {
    await tf.setBackend('cpu');
    const x = tf.ones([2, 3]);
    const amax = tf.scalar(1);
    expect(() => mixActQuant(x, amax, true, { bits: [4, 8], coef: tf.tensor1d([1]), coefGrad: false })).toThrow(
      /coef has shape \[1\], expected \[2\]/,
    );
    expect(() => mixActQuant(x, amax, true, { bits: [], coef: tf.tensor1d([]), coefGrad: false })).toThrow(/at least one bitwidth/);
    expect(() => mixQuantWeight(x, { bits: [1], coef: tf.tensor1d([1]), coefGrad: false }, 1)).toThrow(/bitwidth 1/);
    expect(() => mixActQuantTrain(x, amax, false, 0.1, { bits: [4.5], coef: tf.tensor1d([1]), coefGrad: false }, () => {})).toThrow(
      /bitwidth 4.5/,
    );
  });
});

// ---------------------------------------------------------------------------------------------
// memory
// ---------------------------------------------------------------------------------------------

describe('memory does not grow with the number of bitwidths', () => {
  for (const backend of BACKENDS) {
    for (const mode of ['auto', 'off'] as const) {
      it(`mixNormActQuant forward + backward peak, J = 3 vs J = 6: ${backend}, ${mode === 'auto' ? 'kernels' : 'composite'}`, async () => {
        await tf.setBackend(backend);
        setMixKernels(mode);
        const shape: [number, number, number, number] = [4, 8, 8, 16];
        const x = tf.tensor(values(sizeOf(shape), 1, 2, 0.3), shape) as tf.Tensor4D;
        const gamma = tf.tensor1d(values(16, 2, 0.5, 1));
        const beta = tf.tensor1d(values(16, 3, 0.2));
        const amax = tf.scalar(0);
        const upstream = tf.tensor(values(sizeOf(shape), 4), shape);
        const o: MixNormOptions = { activation: 'relu', signed: false, epsilon: 1e-5, rangeMomentum: 0.1 };
        const peak = async (bits: number[]) => {
          const coef = tf.fill([bits.length], 1 / bits.length) as tf.Tensor1D;
          const before = tf.memory().numTensors;
          const bytes = tf.memory().numBytes;
          const info = await tf.profile(() => {
            const g = tf.grads((a: tf.Tensor, g: tf.Tensor, b: tf.Tensor, c: tf.Tensor) =>
              tf.sum(
                tf.mul(
                  mixNormActQuant(a as tf.Tensor4D, g as tf.Tensor1D, b as tf.Tensor1D, amax, o, {
                    bits,
                    coef: c as tf.Tensor1D,
                    coefGrad: true,
                  }),
                  upstream,
                ),
              ),
            )([x, gamma, beta, coef]);
            tf.dispose(g);
          });
          coef.dispose();
          expect(tf.memory().numTensors).toBe(before - 1);
          // peakBytes counts every live tensor: what the op adds on top
          return info.peakBytes - bytes;
        };
        try {
          const three = await peak([4, 6, 8]);
          const six = await peak([2, 3, 4, 5, 6, 8]);
          if (process.env.TRIPS_HW_MIX_PEAKS) console.log(`peak bytes ${backend} ${mode}: J=3 ${three}, J=6 ${six}`);
          expect(six).toBeLessThanOrEqual(three * 1.1);
        } finally {
          setMixKernels('auto');
          tf.dispose([x, gamma, beta, amax, upstream]);
        }
      });
    }
  }
});

// ---------------------------------------------------------------------------------------------
// data-parallel replicas
// ---------------------------------------------------------------------------------------------

const WORKER = `
import { parentPort, workerData } from 'node:worker_threads';
const { dist, rank, size, memory, job } = workerData;
const tf = await import(dist + 'nn/tf.js');
const { selectBackend } = await import(dist + 'nn/backend.js');
const { Replica, withReplica } = await import(dist + 'nn/replica.js');
const { mixNormActQuant, mixActQuantTrain } = await import(dist + 'nn/mixed.js');
const { normActQuantFused } = await import(dist + 'nn/fused.js');
await selectBackend(job.backend);
const replica = new Replica(memory, rank, size);
try {
  const [B, H, W, C] = job.shape;
  const per = H * W * C;
  const start = rank === 0 ? 0 : job.split;
  const count = rank === 0 ? job.split : B - job.split;
  const shape = [count, H, W, C];
  const slice = (v) => tf.tensor(v.subarray(start * per, (start + count) * per), shape);
  const x = slice(job.x);
  // each replica's dy is the gradient of its own mean loss: N/n_r times its share
  const upstream = tf.mul(slice(job.u), B / count);
  const gamma = tf.tensor1d(job.gamma);
  const beta = tf.tensor1d(job.beta);
  const amax = tf.scalar(job.amax);
  const coef = tf.tensor1d(job.coef);
  const o = { activation: 'relu', signed: false, epsilon: 1e-5, rangeMomentum: 0.1 };
  const out = withReplica(replica, () => {
    const run = (f) => {
      let stats;
      const y = f(x, gamma, beta, coef, (s) => { stats = { mean: Array.from(s.mean.dataSync()), variance: Array.from(s.variance.dataSync()), amax: s.amax.dataSync()[0], rows: s.rows.dataSync()[0] }; });
      const grads = tf.grads((a, g, b, c) => tf.sum(tf.mul(f(a, g, b, c), upstream)))([x, gamma, beta, coef]);
      return { y: Array.from(y.dataSync()), ...stats, grads: grads.map((t) => Array.from(t.dataSync())) };
    };
    const mix = run((a, g, b, c, sink) => mixNormActQuant(a, g, b, amax, o, { bits: job.bits, coef: c, coefGrad: true }, sink));
    const oneOnly = run((a, g, b, c, sink) => tf.add(mixNormActQuant(a, g, b, amax, o, { bits: [8], coef: tf.onesLike(tf.slice(c, [0], [1])), coefGrad: false }, sink), tf.mul(tf.sum(c), 0)));
    const fused = run((a, g, b, c, sink) => tf.add(normActQuantFused(a, g, b, amax, { ...o, bits: 8 }, sink), tf.mul(tf.sum(c), 0)));
    let range;
    const act = Array.from(mixActQuantTrain(x, amax, false, 0.1, { bits: job.bits, coef, coefGrad: true }, (r) => { range = r.dataSync()[0]; }).dataSync());
    return { mix, oneOnly, fused, act, range };
  });
  parentPort.postMessage({ rank, count, out });
} catch (error) {
  replica.abort();
  parentPort.postMessage({ rank, error: String(error && error.stack || error) });
}
`;

describe('under data-parallel replicas', () => {
  const dir = mkdtempSync(join(tmpdir(), 'trips-hw-mixed-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  for (const backend of BACKENDS) {
    it(`two replicas (uneven slices) compute the whole batch's statistics and ranges: ${backend}`, async () => {
      const script = join(dir, 'worker.mjs');
      writeFileSync(script, WORKER);
      const shape = [3, 4, 5, 7];
      const job = {
        backend,
        shape,
        split: 1,
        x: values(sizeOf(shape), 1, 2, 0.3),
        u: values(sizeOf(shape), 4),
        gamma: values(7, 2, 0.5, 1),
        beta: values(7, 3, 0.2),
        amax: 0,
        coef: [0.5, 0.3, 0.2],
        bits: [4, 6, 8],
      };
      const memory = createReplicaMemory(2);
      const dist = pathToFileURL(`${join(PACKAGE_ROOT, 'dist')}/`).href;
      type Out = {
        rank: number;
        count: number;
        error?: string;
        out: Record<string, { y: number[]; mean: number[]; variance: number[]; amax: number; rows: number; grads: number[][] }> & {
          act: number[];
          range: number;
        };
      };
      const results = await Promise.all(
        [0, 1].map(
          (rank) =>
            new Promise<Out>((resolve, reject) => {
              const worker = new Worker(script, { workerData: { dist, rank, size: 2, memory, job } });
              worker.once('message', (m: Out) => {
                void worker.terminate();
                if (m.error) reject(new Error(m.error));
                else resolve(m);
              });
              worker.once('error', reject);
            }),
        ),
      );
      // one process on the whole batch
      await tf.setBackend(backend);
      const c: BnCase = { title: '', shape: [3, 4, 5, 7], activation: 'relu', signed: false, bits: job.bits, coef: job.coef, amax: 0 };
      const single = runBn(c, 'mix');
      let singleRange = 0;
      const singleAct = copy(
        mixActQuantTrain(
          tf.tensor(job.x, shape),
          tf.scalar(0),
          false,
          0.1,
          { bits: job.bits, coef: tf.tensor1d(job.coef), coefGrad: true },
          (r) => {
            singleRange = r.dataSync()[0];
          },
        ),
      );
      const [r0, r1] = results;
      const cat = (f: (o: Out) => number[]) => Float32Array.from([...f(r0), ...f(r1)]);
      for (const r of results) {
        // every replica sees the whole batch's statistics
        expect(r.out.mix.rows).toBe(60);
        expect(relError(Float32Array.from(r.out.mix.mean), single.mean)).toBeLessThan(1e-6);
        expect(relError(Float32Array.from(r.out.mix.variance), single.variance)).toBeLessThan(1e-5);
        expect(Math.abs(r.out.mix.amax - single.amax)).toBeLessThan(1e-6 * single.amax);
        // one level with coefficient 1 is the fused kernel bit for bit, with replicas too
        expect(r.out.oneOnly.y).toEqual(r.out.fused.y);
        expect(r.out.oneOnly.grads.slice(0, 3)).toEqual(r.out.fused.grads.slice(0, 3));
      }
      expect(r0.out.range).toBe(r1.out.range);
      expect(r0.out.range).toBe(singleRange);
      expect(
        firstBitDifference(
          cat((o) => o.out.act),
          singleAct,
        ),
      ).toBe(-1);
      expect(
        relError(
          cat((o) => o.out.mix.y),
          single.y,
        ),
      ).toBeLessThan(1e-5);
      // dx: replica r's is N/n_r times its share; dγ, dβ, dcoef: Σ_r (n_r/N)·g_r is the batch's
      const scaled = (o: Out, i: number) => o.out.mix.grads[i].map((v) => (v * o.count) / 3);
      expect(
        relError(
          cat((o) => scaled(o, 0)),
          single.dx,
        ),
      ).toBeLessThan(1e-4);
      const combine = (i: number) => Float32Array.from(scaled(r0, i).map((v, k) => v + scaled(r1, i)[k]));
      expect(relError(combine(1), single.dgamma)).toBeLessThan(1e-4);
      expect(relError(combine(2), single.dbeta)).toBeLessThan(1e-4);
      expect(relError(combine(3), single.dcoef!)).toBeLessThan(1e-4);
    }, 60_000);
  }
});
