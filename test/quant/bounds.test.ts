import { describe, expect, it } from 'vitest';
import { buildIntegerModel, IntegerModelError, runInteger, type WeightArray } from '../../src/quant/index.js';
import { L, network } from './helpers.js';

const w = (shape: number[], values: number[] | Float32Array): WeightArray => ({ shape, values: Float32Array.from(values) });
const scalar = (v: number) => w([], [v]);
const bn = (name: string, c: number): Record<string, WeightArray> => ({
  [`${name}/gamma`]: w([c], new Array(c).fill(1)),
  [`${name}/beta`]: w([c], new Array(c).fill(0)),
  [`${name}/moving_mean`]: w([c], new Array(c).fill(0)),
  [`${name}/moving_variance`]: w([c], new Array(c).fill(1)),
});

const conv = network('conv', { height: 2, width: 2, channels: 1 }, [
  L({ name: 'c', kind: 'conv', inputs: ['input'], inH: 2, inW: 2, outH: 2, outW: 2 }),
  L({ name: 'p', kind: 'pool', inputs: ['c'], inH: 2, inW: 2, outH: 1, outW: 1, kernel: 2, stride: 2 }),
  L({ name: 'fc', kind: 'fc', inputs: ['p'], outC: 2, outBits: 32 }),
]);
const convWeights = (): Record<string, WeightArray> => ({
  'input/amax': scalar(127),
  'c/kernel': w([1, 1, 1, 1], [1]),
  ...bn('c', 1),
  'c/amax': scalar(4),
  'p/amax': scalar(4),
  'fc/kernel': w([1, 2], [1, -1]),
  'fc/bias': w([2], [0, 0]),
});

describe('bounds and inputs the integer model refuses, with clear errors', () => {
  it('a worst-case accumulator beyond 32 bits', () => {
    // 600 inputs of ±127 times 16-bit weights of 32767: 127·32767·600 ≈ 2.5e9 > 2^31 − 1
    const fc = network('wide', { height: 1, width: 1, channels: 600 }, [
      L({ name: 'fc', kind: 'fc', inputs: ['input'], inC: 600, outC: 1, bits: 16, outBits: 32 }),
    ]);
    const weights = { 'input/amax': scalar(1), 'fc/kernel': w([600, 1], new Float32Array(600).fill(0.5)), 'fc/bias': w([1], [0]) };
    expect(() => buildIntegerModel(fc, weights)).toThrow(IntegerModelError);
    expect(() => buildIntegerModel(fc, weights)).toThrow(/fc: channel 0: worst-case \|accumulator\| 2496845400 exceeds the 32-bit bound/);
    // 500 inputs fit: 127·32767·500 ≈ 2.08e9
    const narrow = network('narrow', { height: 1, width: 1, channels: 500 }, [
      L({ name: 'fc', kind: 'fc', inputs: ['input'], inC: 500, outC: 1, bits: 16, outBits: 32 }),
    ]);
    expect(() => buildIntegerModel(narrow, { ...weights, 'fc/kernel': w([500, 1], new Float32Array(500).fill(0.5)) })).not.toThrow();
  });

  it('a requantisation multiplier beyond 24 bits', () => {
    // output range 0 (scale 1e-8/127) after inputs of scale 1 and weights of scale 1/127: M ≈ 1e8
    const weights = { ...convWeights(), 'c/amax': scalar(0) };
    expect(() => buildIntegerModel(conv, weights)).toThrow(/c: channel 0: no fixed point fits: multiplier .* does not fit 24 signed bits/);
  });

  it('a float (32-bit) output anywhere but the final fc', () => {
    const pool32 = network('pool32', conv.input, [conv.layers[0], { ...conv.layers[1], outBits: 32 }, { ...conv.layers[2], bits: 32 }]);
    expect(() => buildIntegerModel(pool32, convWeights())).toThrow(/p \(layer 1\): outBits 32 .* only for the final fc/);
    const conv32 = network('conv32', conv.input, [{ ...conv.layers[0], outBits: 32 }]);
    expect(() => buildIntegerModel(conv32, convWeights())).toThrow(/c \(layer 0\): outBits 32/);
  });

  it('bitwidths outside 2…16', () => {
    const wide = network('wide', conv.input, [{ ...conv.layers[0], outBits: 20 }, { ...conv.layers[1], bits: 20 }, conv.layers[2]]);
    expect(() => buildIntegerModel(wide, convWeights())).toThrow(/c \(layer 0\): outBits 20 is outside the integer model's 2…16 bits/);
    const one = network('one', conv.input, [{ ...conv.layers[0], bits: 1 }, conv.layers[1], conv.layers[2]]);
    expect(() => buildIntegerModel(one, convWeights())).toThrow(/bits 1 is outside/);
  });

  it('missing, misshapen or non-finite weights', () => {
    const { 'c/moving_variance': _, ...missing } = convWeights();
    expect(() => buildIntegerModel(conv, missing)).toThrow(/weights: "c\/moving_variance" is missing/);
    expect(() => buildIntegerModel(conv, { ...convWeights(), 'fc/kernel': w([2, 1], [1, -1]) })).toThrow(
      /"fc\/kernel" has shape \[2, 1\], expected \[1, 2\]/,
    );
    expect(() => buildIntegerModel(conv, { ...convWeights(), 'c/beta': w([1], [NaN]) })).toThrow(/"c\/beta"\[0\] is NaN/);
    expect(() => buildIntegerModel(conv, { ...convWeights(), 'c/amax': scalar(-1) })).toThrow(/"c\/amax" is -1, expected ≥ 0/);
  });

  it('a batch of the wrong size', () => {
    const im = buildIntegerModel(conv, convWeights());
    expect(() => runInteger(im, new Float32Array(7), 2)).toThrow(/input holds 7 values, expected batch 2 × 4/);
    expect(Array.from(runInteger(im, new Float32Array(8), 2).predictions)).toHaveLength(2);
  });
});
