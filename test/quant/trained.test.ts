/**
 * The integer model of briefly trained networks against the TF.js fake-quantised model in
 * inference mode: predictions, every layer on its own (layer-local), and every layer end to
 * end (where rounding flips of earlier layers propagate).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { NetworkSpec } from '../../src/core/network.js';
import { loadNetwork } from '../../src/core/network-check.js';
import { batchesOf, makeSynthetic } from '../../src/data/index.js';
import { type BackendName, selectBackend } from '../../src/nn/backend.js';
import { createModel, disposeModel, type QatModel } from '../../src/nn/model.js';
import { DEFAULT_SGD } from '../../src/nn/optimizer.js';
import * as tf from '../../src/nn/tf.js';
import { trainNetwork } from '../../src/nn/train.js';
import { loadWeights } from '../../src/nn/weights.js';
import { buildIntegerModel, runInteger, runLayer, type IntegerModel } from '../../src/quant/index.js';
import { TINY } from '../nn/tiny.js';
import { argmaxRows, compareLayers, compareLayersLocal, tfLayerOutputs, tfLogits } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'trips-hw-quant-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const COUNT = 300;

async function trained(network: NetworkSpec, name: string, reference: BackendName): Promise<{ model: QatModel; im: IntegerModel }> {
  const r = await trainNetwork({
    network,
    dataset: 'synthetic',
    epochs: 1,
    batchSize: 32,
    sgd: { ...DEFAULT_SGD, learningRate: 0.1 },
    seed: 5,
    outDir: join(dir, name),
    resume: false,
    backend: 'wasm',
    replicas: 1,
    limitTrain: 256,
  });
  // training on wasm (fast); the reference inference on `reference`
  await selectBackend(reference);
  const weights = loadWeights(r.weightsDir);
  const model = createModel(network, 0);
  for (const [key, v] of [...model.trainable, ...model.state]) v.assign(weights[key]);
  return { model, im: buildIntegerModel(network, weights) };
}

function inputs(): { xs: Float32Array; x: tf.Tensor4D } {
  const data = makeSynthetic({ test: COUNT });
  const batch = batchesOf(data.test, { batchSize: COUNT, shuffle: false, normalize: data }).next().value;
  if (!batch) throw new Error('no batch');
  const xs = Float32Array.from(batch.x);
  return { xs, x: tf.tensor4d(xs, [COUNT, 28, 28, 1]) };
}

describe.each([
  ['TINY', 'cpu', () => TINY],
  ['tiny-mbconv', 'wasm', () => loadNetwork('test/fixtures/tiny-mbconv.network.json')],
] as const)('trained %s, TF.js reference on the %s backend', (name, reference, networkOf) => {
  it('agrees with the fake-quantised TF.js model', async () => {
    const { model, im } = await trained(networkOf(), name, reference);
    const { xs, x } = inputs();
    const result = runInteger(im, xs, COUNT, { layers: true });
    // (a) predictions
    const logits = tfLogits(model, x);
    const predicted = argmaxRows(logits, COUNT);
    let agree = 0;
    for (let i = 0; i < COUNT; i++) if (predicted[i] === result.predictions[i]) agree++;
    // (b) every layer, end to end and on its own
    const ref = tfLayerOutputs(model, x);
    const endToEnd = compareLayers(im, ref, result.layers as Map<string, Int32Array>);
    const local = compareLayersLocal(im, model, x, ref, COUNT);
    const fraction = (a: { differ: number; count: number }) => a.differ / a.count;
    console.log(
      `${name}: predictions agree ${agree}/${COUNT}; per layer (differing codes, max |diff|) end to end / local:\n` +
        endToEnd.map((e, i) => `  ${e.layer}: ${e.differ}/${e.count} (${e.maxDiff}) / ${local[i].differ} (${local[i].maxDiff})`).join('\n'),
    );
    expect(agree / COUNT).toBeGreaterThanOrEqual(0.995);
    for (const a of local) {
      expect(fraction(a), a.layer).toBeLessThan(0.001);
      expect(a.maxDiff, a.layer).toBeLessThanOrEqual(1);
    }
    for (const a of endToEnd) expect(fraction(a), a.layer).toBeLessThan(0.01);
    // float logits from TF.js's fc input codes: s_in·s_w·acc + bias up to float32 noise
    const fc = im.layers[im.layers.length - 1];
    if (fc.kind !== 'fc' || fc.output) throw new Error('expected float logits');
    const pool = ref.get(fc.input) as Float32Array;
    const inScale = (im.layers.find((l) => l.name === fc.input)!.output as { scale: number }).scale;
    const acc = runLayer(im, fc.name, [Int32Array.from(pool, (v) => Math.round(v / inScale))], COUNT);
    let worst = 0;
    for (let i = 0; i < logits.length; i++) {
      const o = i % fc.outC;
      const exact = (acc[i] * fc.requant.multiplier[o] + fc.requant.bias[o]) * 2 ** -fc.requant.shift[o];
      worst = Math.max(worst, Math.abs(logits[i] - exact) / (1 + Math.abs(logits[i])));
    }
    expect(worst).toBeLessThan(1e-5);
    x.dispose();
    disposeModel(model);
  }, 300_000);
});
