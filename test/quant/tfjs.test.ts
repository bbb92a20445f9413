/**
 * The integer model against the TF.js fake-quantised model on networks built to reach every
 * corner: negative batch-norm gammas, grouped convs with a channel shuffle, a depthwise conv of
 * stride 2 with padding on an odd-sized map, a grouped 3×3 conv, an add of two scales, an
 * average pool with padding, a quantised fc with ReLU and the float logits; channel counts
 * that are not multiples of 4 or 8, and bitwidths from 4 to 8.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/random.js';
import { selectBackend } from '../../src/nn/backend.js';
import { disposeModel, type QatModel } from '../../src/nn/model.js';
import * as tf from '../../src/nn/tf.js';
import { buildIntegerModel, runInteger, type ConvLayerQ, type IntegerModel } from '../../src/quant/index.js';
import {
  argmaxRows,
  compareLayers,
  compareLayersLocal,
  gaussianImages,
  randomModel,
  tfLayerOutputs,
  tfLogits,
  weightsOf,
} from './helpers.js';
import { CORNERS } from './networks.js';

beforeAll(async () => {
  await selectBackend('cpu');
});

const COUNT = 200;

function setup(seed: number): { model: QatModel; im: IntegerModel; xs: Float32Array; x: tf.Tensor4D } {
  const xs = gaussianImages(new Rng(seed), COUNT * 9 * 7 * 3);
  const x = tf.tensor4d(xs, [COUNT, 9, 7, 3]);
  const model = randomModel(CORNERS, seed, x);
  return { model, im: buildIntegerModel(CORNERS, weightsOf(model)), xs, x };
}

describe('every corner against TF.js', () => {
  it.each([1, 2, 3])(
    'seed %i: layer-local flips are rare and one LSB; predictions agree',
    (seed) => {
      const { model, im, xs, x } = setup(seed);
      const negative = im.layers.flatMap((l) =>
        l.kind === 'conv' || l.kind === 'dwconv' ? l.requant.multiplier.filter((m) => m < 0) : [],
      );
      expect(negative.length).toBeGreaterThan(5); // negative gammas are exercised
      const result = runInteger(im, xs, COUNT, { layers: true });
      const ref = tfLayerOutputs(model, x);
      const local = compareLayersLocal(im, model, x, ref, COUNT);
      const endToEnd = compareLayers(im, ref, result.layers as Map<string, Int32Array>);
      const total = local.reduce((a, l) => a + l.count, 0);
      const flips = local.reduce((a, l) => a + l.differ, 0);
      console.log(
        `corners seed ${seed}: ${flips} local flips in ${total} codes; end to end ${endToEnd.map((e) => `${e.layer} ${e.differ}`).join(', ')}`,
      );
      for (const l of local) {
        expect(l.maxDiff, l.layer).toBeLessThanOrEqual(1);
        expect(l.differ / l.count, l.layer).toBeLessThan(0.002);
      }
      for (const e of endToEnd) expect(e.differ / e.count, e.layer).toBeLessThan(0.02);
      const predicted = argmaxRows(tfLogits(model, x), COUNT);
      let agree = 0;
      for (let i = 0; i < COUNT; i++) if (predicted[i] === result.predictions[i]) agree++;
      expect(agree / COUNT).toBeGreaterThanOrEqual(0.99);
      x.dispose();
      disposeModel(model);
    },
    60_000,
  );

  it('a model with a real bug is caught: no batch-norm bias, a wrong shift, a missing shuffle', () => {
    const { model, im, x } = setup(1);
    const ref = tfLayerOutputs(model, x);
    const clone = (): IntegerModel => JSON.parse(JSON.stringify(im)) as IntegerModel;
    const conv = (m: IntegerModel, name: string) =>
      m.layers.find((l) => l.name === name) as ConvLayerQ & { requant: { bias: number[]; shift: number[] }; permutation?: number[] };
    const noBias = clone();
    conv(noBias, 'project').requant.bias.fill(0);
    const badShift = clone();
    conv(badShift, 'dw').requant.shift[3] += 1;
    const noShuffle = clone();
    delete conv(noShuffle, 'expand').permutation;
    const worst = (m: IntegerModel, name: string) => compareLayersLocal(m, model, x, ref, COUNT).find((l) => l.layer === name);
    expect(worst(im, 'project')?.differ).toBeLessThan(5);
    expect(worst(noBias, 'project')?.differ).toBeGreaterThan(100);
    expect(worst(badShift, 'dw')?.differ).toBeGreaterThan(100);
    expect(worst(noShuffle, 'expand')?.differ).toBeGreaterThan(100);
    x.dispose();
    disposeModel(model);
  }, 60_000);

  it('the model is plain JSON: a round trip gives the same integers', () => {
    const { model, im, xs, x } = setup(4);
    const copy = JSON.parse(JSON.stringify(im)) as IntegerModel;
    expect(copy).toEqual(im);
    const a = runInteger(im, xs, COUNT, { layers: true });
    const b = runInteger(copy, xs, COUNT, { layers: true });
    expect(Array.from(b.logits)).toEqual(Array.from(a.logits));
    for (const [name, codes] of a.layers as Map<string, Int32Array>)
      expect(Array.from((b.layers as Map<string, Int32Array>).get(name) as Int32Array), name).toEqual(Array.from(codes));
    x.dispose();
    disposeModel(model);
  });
});
