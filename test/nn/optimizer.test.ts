import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/random.js';
import { type BackendName, selectBackend } from '../../src/nn/backend.js';
import { createModel, disposeModel } from '../../src/nn/model.js';
import { createOptimizer, DEFAULT_SGD, setFusedOptimizer, sgdStep } from '../../src/nn/optimizer.js';
import * as tf from '../../src/nn/tf.js';
import { TINY } from './tiny.js';

/** Three steps from the same start with the one-kernel optimizer and with the composite one. */
async function weightsAfterSteps(backend: BackendName, fused: boolean): Promise<Record<string, Float32Array>> {
  await selectBackend(backend);
  setFusedOptimizer(fused);
  const model = createModel(TINY, 5);
  const optimizer = createOptimizer(model, { ...DEFAULT_SGD, gradClipNorm: 0.5 }); // clipping active
  const rng = new Rng(9);
  const x = tf.tensor4d(
    Float32Array.from({ length: 8 * 28 * 28 }, () => rng.next() * 2 - 1),
    [8, 28, 28, 1],
  );
  const y = tf.tensor1d(
    Array.from({ length: 8 }, (_, i) => i % 10),
    'int32',
  );
  for (let i = 0; i < 3; i++) sgdStep(model, optimizer, x, y, 10, 0.05);
  const out = Object.fromEntries([...model.trainable, ...optimizer.velocity].map(([k, v]) => [k, v.dataSync() as Float32Array]));
  tf.dispose([x, y]);
  optimizer.dispose();
  disposeModel(model);
  setFusedOptimizer(true);
  return out;
}

describe('one-kernel optimizer step', () => {
  for (const backend of ['cpu', 'wasm'] as const) {
    it(`equals the composite of stock ops (${backend})`, async () => {
      const fused = await weightsAfterSteps(backend, true);
      const composite = await weightsAfterSteps(backend, false);
      for (const [name, values] of Object.entries(composite)) {
        const other = fused[name];
        const scale = Math.max(1e-6, ...Array.from(values, Math.abs));
        const worst = Math.max(...Array.from(values, (v, i) => Math.abs(v - other[i])));
        expect(worst / scale, name).toBeLessThan(1e-4);
      }
    }, 60_000);
  }
});
