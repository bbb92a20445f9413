/**
 * Hand-computed cases with exact numbers. Every scale is a power of two (or the arithmetic is
 * otherwise exact), so the TF.js fake-quantised model computes the same values without any
 * float rounding: there the integer model must equal it exactly, ties included.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { NetworkSpec } from '../../src/core/network.js';
import { selectBackend } from '../../src/nn/backend.js';
import { createModel, disposeModel } from '../../src/nn/model.js';
import * as tf from '../../src/nn/tf.js';
import { buildIntegerModel, runInteger, type ConvLayerQ, type FcLayerQ, type WeightArray } from '../../src/quant/index.js';
import { L, network, tfLayerOutputs } from './helpers.js';

beforeAll(async () => {
  await selectBackend('cpu');
});

type Weights = Record<string, WeightArray>;
const w = (shape: number[], values: number[]): WeightArray => ({ shape, values: Float32Array.from(values) });
const scalar = (v: number) => w([], [v]);
/** A variance whose batch norm is the identity to float32 precision: a = 1/√(var + ε) = 1 + 7e-9. */
const VAR1 = Math.fround(1 - 1e-5);
const bn = (name: string, c: number, gamma: number[], beta: number[]): Weights => ({
  [`${name}/gamma`]: w([c], gamma),
  [`${name}/beta`]: w([c], beta),
  [`${name}/moving_mean`]: w([c], new Array(c).fill(0)),
  [`${name}/moving_variance`]: w([c], new Array(c).fill(VAR1)),
});

/** The TF.js model with these weights: its output codes of every layer (value / scale). */
function tfCodes(net: NetworkSpec, weights: Weights, x: number[], scales: Record<string, number>): Record<string, number[]> {
  const model = createModel(net, 0);
  for (const [name, v] of [...model.trainable, ...model.state]) {
    const value = weights[name];
    if (!value) throw new Error(`test weights lack ${name}`);
    v.assign(tf.tensor(Array.from(value.values), v.shape, 'float32'));
  }
  const { height, width, channels } = net.input;
  const input = tf.tensor4d(x, [1, height, width, channels]);
  const out = tfLayerOutputs(model, input);
  input.dispose();
  disposeModel(model);
  return Object.fromEntries([...out].filter(([k]) => k in scales).map(([k, v]) => [k, Array.from(v, (e) => e / scales[k])]));
}

/** The integer model's codes; both engines, which must agree. */
function intCodes(net: NetworkSpec, weights: Weights, x: number[]) {
  const im = buildIntegerModel(net, weights);
  const r = runInteger(im, Float32Array.from(x), 1, { layers: true, engine: 'js' });
  const fast = runInteger(im, Float32Array.from(x), 1, { layers: true, engine: 'wasm' });
  expect(Array.from(fast.logits)).toEqual(Array.from(r.logits));
  for (const [name, codes] of r.layers as Map<string, Int32Array>)
    expect(Array.from(fast.layers?.get(name) as Int32Array), name).toEqual(Array.from(codes));
  return { im, r, codes: (name: string) => Array.from(r.layers?.get(name) as Int32Array) };
}

describe('conv: known numbers', () => {
  // 3×3 input, 2×2 kernel: s_in = 1 (amax 127), s_w = 1 (max |w| = 127), s_out = 2 (amax 254),
  // batch norm a ≈ 1, β = 3: code = round((acc + 3) / 2), every one a tie
  const net = network('conv', { height: 3, width: 3, channels: 1 }, [
    L({ name: 'c', kind: 'conv', inputs: ['input'], inH: 3, inW: 3, outH: 2, outW: 2, kernel: 2 }),
  ]);
  const weights = (gamma: number, amax = 254): Weights => ({
    'input/amax': scalar(127),
    'c/kernel': w([2, 2, 1, 1], [127, -64, 32, 1]),
    ...bn('c', 1, [gamma], [3]),
    'c/amax': scalar(amax),
  });
  const x = [1, 2, 3, -4, 5, -6, 7, -8, 9];
  // acc = 127·x00 − 64·x01 + 32·x10 + x11: −124, 216, −612, 772

  it('computes the integers by hand', () => {
    const { im, codes } = intCodes(net, weights(1), x);
    const c = im.layers[0] as ConvLayerQ;
    expect(c.weights).toEqual([127, -64, 32, 1]);
    expect(c.weightScale).toEqual([1]);
    expect(c.output.scale).toBe(2);
    // M = a·1·1/2 ≈ 0.5: the largest shift with |m| ≤ 2^23 − 1 is 23, m = 2^22; bias 1.5·2^23
    expect(c.requant).toEqual({ multiplier: [2 ** 22], shift: [23], bias: [1.5 * 2 ** 23] });
    expect(c.accBound).toBe(127 * (127 + 64 + 32 + 1));
    // (−124 + 3)/2 = −60.5 → −60; 219/2 = 109.5 → 110; −304.5 → clamp −127; 387.5 → clamp 127
    expect(codes('c')).toEqual([-60, 110, -127, 127]);
  });

  it('folds a negative gamma into a negative multiplier', () => {
    const { im, codes } = intCodes(net, weights(-1), x);
    expect((im.layers[0] as ConvLayerQ).requant.multiplier).toEqual([-(2 ** 22)]);
    // (124 + 3)/2 = 63.5 → 64; (−216 + 3)/2 = −106.5 → −106; 307.5 → 127; −384.5 → −127
    expect(codes('c')).toEqual([64, -106, 127, -127]);
  });

  it('equals the TF.js model exactly, ties included', () => {
    for (const gamma of [1, -1]) {
      expect(tfCodes(net, weights(gamma), x, { c: 2 }).c).toEqual(intCodes(net, weights(gamma), x).codes('c'));
    }
  });

  it('unsigned after ReLU: negative sums clamp to 0', () => {
    const relu = network('conv-relu', net.input, [{ ...net.layers[0], activation: 'relu' }]);
    const weightsRelu = weights(-1, 510); // unsigned 8-bit: s_out = 510/255 = 2
    const { codes } = intCodes(relu, weightsRelu, x);
    // 63.5 → 64; −106.5 → 0; 307.5 → 308 → clamp 255; −384.5 → 0
    expect(codes('c')).toEqual([64, 0, 255, 0]);
    expect(tfCodes(relu, weightsRelu, x, { c: 2 }).c).toEqual([64, 0, 255, 0]);
  });
});

describe('ReLU6', () => {
  // 1×1 conv on 4 pixels, weight 1 (code 127, s_w = 1/127) and identity batch norm: y ≈ x
  // (within 1e-8, far from any tie); output unsigned over [0, 8]
  const net = (outBits: number) =>
    network('relu6', { height: 2, width: 2, channels: 1 }, [
      L({ name: 'c', kind: 'conv', inputs: ['input'], inH: 2, inW: 2, outH: 2, outW: 2, activation: 'relu6', outBits }),
    ]);
  const weights: Weights = { 'input/amax': scalar(127), 'c/kernel': w([1, 1, 1, 1], [1]), ...bn('c', 1, [1], [0]), 'c/amax': scalar(8) };
  const x = [-3, 2, 5, 7];

  it('clamps to min(hi, round(6 / s_out)) (8 bits: 6/(8/255) = 191.25 → 191)', () => {
    const { im, codes } = intCodes(net(8), weights, x);
    expect([(im.layers[0] as ConvLayerQ).clampLo, (im.layers[0] as ConvLayerQ).clampHi]).toEqual([0, 191]);
    // x·255/8: −3 → 0; 63.75 → 64; 159.375 → 159; 7 > 6 → 191
    expect(codes('c')).toEqual([0, 64, 159, 191]);
  });

  it('4 bits: 6/(8/15) = 11.25 → 11', () => {
    const { im, codes } = intCodes(net(4), weights, x);
    expect((im.layers[0] as ConvLayerQ).clampHi).toBe(11);
    // x·15/8: 0; 3.75 → 4; 9.375 → 9; 11
    expect(codes('c')).toEqual([0, 4, 9, 11]);
  });

  it('agrees with TF.js', () => {
    for (const bits of [8, 4]) {
      const got = intCodes(net(bits), weights, x).codes('c');
      const ref = tfCodes(net(bits), weights, x, { c: Math.fround(8 / (2 ** bits - 1)) }).c.map(Math.round);
      expect(ref).toEqual(got);
    }
  });
});

describe('add of two different scales', () => {
  // input (s = 1) → pool a (identity window, s = 0.5) and pool b (s = 2) → add (s = 2)
  const net = network('add', { height: 2, width: 2, channels: 1 }, [
    L({ name: 'a', kind: 'pool', inputs: ['input'], inH: 2, inW: 2, outH: 2, outW: 2 }),
    L({ name: 'b', kind: 'pool', inputs: ['input'], inH: 2, inW: 2, outH: 2, outW: 2 }),
    L({ name: 'sum', kind: 'add', inputs: ['a', 'b'], inH: 2, inW: 2, outH: 2, outW: 2 }),
  ]);
  const weights: Weights = { 'input/amax': scalar(127), 'a/amax': scalar(63.5), 'b/amax': scalar(254), 'sum/amax': scalar(254) };
  const x = [1, 3, -5, 50];

  it('rescales each input and rounds once', () => {
    const { im, codes } = intCodes(net, weights, x);
    const add = im.layers[2];
    if (add.kind !== 'add') throw new Error('expected add');
    // M = (0.5/2, 2/2) = (0.25, 1): shift 22, m = (2^20, 2^22)
    expect({ m: add.multiplier, n: add.shift }).toEqual({ m: [2 ** 20, 2 ** 22], n: 22 });
    expect(codes('a')).toEqual([2, 6, -10, 100]); // x / 0.5
    expect(codes('b')).toEqual([0, 2, -2, 25]); // x / 2: 0.5 → 0, 1.5 → 2, −2.5 → −2, 25
    // (0.5·a + 2·b) / 2 = (1, 7, −9, 100) / 2 → 0.5 → 0, 3.5 → 4, −4.5 → −4, 50
    expect(codes('sum')).toEqual([0, 4, -4, 50]);
  });

  it('equals TF.js exactly', () => {
    const ref = tfCodes(net, weights, x, { a: 0.5, b: 2, sum: 2 });
    const { codes } = intCodes(net, weights, x);
    for (const name of ['a', 'b', 'sum']) expect(ref[name], name).toEqual(codes(name));
  });
});

describe('pool', () => {
  // global mean of 2×2 per channel, s_in = s_out = 1: code = round(S / 4)
  const net = network('pool', { height: 2, width: 2, channels: 2 }, [
    L({ name: 'p', kind: 'pool', inputs: ['input'], inH: 2, inW: 2, inC: 2, outC: 2, kernel: 2, stride: 2 }),
  ]);
  const weights: Weights = { 'input/amax': scalar(127), 'p/amax': scalar(127) };
  const x = [1, -1, 2, -2, 3, -3, 4, -6]; // channel 0: 1 2 3 4 (S 10); channel 1: −1 −2 −3 −6 (S −12)

  it('divides the window sum inside the multiplier', () => {
    const { im, codes } = intCodes(net, weights, x);
    const p = im.layers[0];
    if (p.kind !== 'pool') throw new Error('expected pool');
    expect({ d: p.divisors, m: p.multiplier, n: p.shift }).toEqual({ d: [4], m: [2 ** 22], n: [24] });
    expect(codes('p')).toEqual([2, -3]); // 2.5 → 2, −3
    expect(tfCodes(net, weights, x, { p: 1 }).p).toEqual([2, -3]);
  });

  it('an average pool with padding counts only the pixels inside', () => {
    const padded = network('avgpool', { height: 3, width: 3, channels: 1 }, [
      L({ name: 'p', kind: 'pool', inputs: ['input'], inH: 3, inW: 3, outH: 2, outW: 2, kernel: 3, stride: 2, pad: 1 }),
    ]);
    const xs = [4, 8, 0, 2, 6, 1, 3, 5, 7];
    const { codes } = intCodes(padded, weights, xs);
    // each 3×3 window at stride 2 with pad 1 covers a 2×2 corner: means 5, 3.75, 4, 4.75
    expect(codes('p')).toEqual([5, 4, 4, 5]);
    expect(tfCodes(padded, weights, xs, { p: 1 }).p).toEqual([5, 4, 4, 5]);
  });
});

describe('fc', () => {
  // s_in = 1; column 0 max 127 → s_w 1; column 1 max 63.5 → s_w 0.5 (codes 127, 127, 0)
  const net = network(
    'fc',
    { height: 1, width: 1, channels: 3 },
    [L({ name: 'fc', kind: 'fc', inputs: ['input'], inC: 3, outC: 2, outBits: 32 })],
    2,
  );
  const weights = (bias: number[]): Weights => ({
    'input/amax': scalar(127),
    'fc/kernel': w([3, 2], [127, 63.5, 0, 63.5, -127, 0]),
    'fc/bias': w([2], bias),
  });

  it('float logits s_in·s_w·acc + bias on one fixed-point grid', () => {
    const { im, r } = intCodes(net, weights([0.25, -0.5]), [1, 2, 3]);
    const fc = im.layers[0] as FcLayerQ;
    expect(fc.weights).toEqual([127, 0, -127, 127, 127, 0]);
    expect(fc.weightScale).toEqual([1, 0.5]);
    // M = (1, 0.5) share shift 22: m = (2^22, 2^21); bias (0.25, −0.5)·2^22
    expect(fc.requant).toEqual({ multiplier: [2 ** 22, 2 ** 21], shift: [22, 22], bias: [2 ** 20, -(2 ** 21)] });
    // acc = (127 − 381, 381) → logits (−253.75, 190)
    expect(Array.from(r.logits)).toEqual([-253.75, 190]);
    expect(Array.from(r.predictions)).toEqual([1]);
    expect(Array.from(r.layers?.get('fc') as Int32Array)).toEqual([-254, 381]);
  });

  it('logits equal TF.js exactly; a tie predicts the first class', () => {
    const model = intCodes(net, weights([0.25, -0.5]), [1, 2, 3]);
    const t = tfCodes(net, weights([0.25, -0.5]), [1, 2, 3], { fc: 1 });
    expect(t.fc).toEqual(Array.from(model.r.logits));
    expect(Array.from(intCodes(net, weights([0.5, 0.5]), [0, 0, 0]).r.predictions)).toEqual([0]);
  });

  it('a quantised fc output is requantised like a conv without batch norm', () => {
    const two = network(
      'fc2',
      { height: 1, width: 1, channels: 3 },
      [
        L({ name: 'fc', kind: 'fc', inputs: ['input'], inC: 3, outC: 2, activation: 'relu' }),
        L({ name: 'out', kind: 'fc', inputs: ['fc'], inC: 2, outC: 2, outBits: 32 }),
      ],
      2,
    );
    const ws: Weights = {
      ...weights([0.5, -0.5]),
      'fc/amax': scalar(510),
      'out/kernel': w([2, 2], [1, 0, 0, 1]),
      'out/bias': w([2], [0, 0]),
    };
    const { codes } = intCodes(two, ws, [1, 2, 3]);
    // ReLU only makes the fc's output unsigned (model.ts applies no activation to fc): s_out = 2
    // (−253.5, 190.5 − 0.5 = 190) / 2 → clamp 0, 95
    expect(codes('fc')).toEqual([0, 95]);
    expect(tfCodes(two, ws, [1, 2, 3], { fc: 2 }).fc).toEqual([0, 95]);
  });
});
