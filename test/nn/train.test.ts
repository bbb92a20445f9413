import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LayerSpec, NetworkSpec } from '../../src/core/network.js';
import { checkNetwork } from '../../src/core/network-check.js';
import { selectBackend } from '../../src/nn/backend.js';
import { DEFAULT_SGD } from '../../src/nn/optimizer.js';
import { trainNetwork, type TrainJob } from '../../src/nn/train.js';
import { loadWeights } from '../../src/nn/weights.js';

const L = (l: Partial<LayerSpec> & Pick<LayerSpec, 'name' | 'kind' | 'inputs'>): LayerSpec => ({
  inH: 1, inW: 1, inC: 1, outH: 1, outW: 1, outC: 1, kernel: 1, stride: 1, pad: 0, groups: 1, activation: 'none', bits: 8, outBits: 8, ...l,
});

/** Stem, grouped expand with shuffle, depthwise, grouped project, pool, fc: every layer kind. */
export const TINY: NetworkSpec = checkNetwork(
  {
    version: 1,
    name: 'tiny',
    input: { height: 28, width: 28, channels: 1 },
    classes: 10,
    layers: [
      L({ name: 'stem', kind: 'conv', inputs: ['input'], inH: 28, inW: 28, inC: 1, outH: 14, outW: 14, outC: 8, kernel: 3, stride: 2, pad: 1, activation: 'relu', outBits: 6 }),
      L({ name: 'expand', kind: 'conv', inputs: ['stem'], inH: 14, inW: 14, inC: 8, outH: 14, outW: 14, outC: 8, groups: 2, shuffle: 2, activation: 'relu', bits: 6, outBits: 4 }),
      L({ name: 'dw', kind: 'dwconv', inputs: ['expand'], inH: 14, inW: 14, inC: 8, outH: 7, outW: 7, outC: 8, kernel: 3, stride: 2, pad: 1, groups: 8, activation: 'relu', bits: 4, outBits: 8 }),
      L({ name: 'project', kind: 'conv', inputs: ['dw'], inH: 7, inW: 7, inC: 8, outH: 7, outW: 7, outC: 8, groups: 2 }),
      L({ name: 'pool', kind: 'pool', inputs: ['project'], inH: 7, inW: 7, inC: 8, outH: 1, outW: 1, outC: 8, kernel: 7, stride: 7 }),
      L({ name: 'fc', kind: 'fc', inputs: ['pool'], inC: 8, outC: 10, outBits: 32 }),
    ],
  },
  '<tiny>',
);

const dir = mkdtempSync(join(tmpdir(), 'trips-hw-train-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeAll(async () => {
  await selectBackend('cpu');
});

const job = (outDir: string, extra: Partial<TrainJob> = {}): TrainJob => ({
  network: TINY,
  dataset: 'synthetic',
  epochs: 2,
  batchSize: 32,
  sgd: { ...DEFAULT_SGD, learningRate: 0.1 },
  seed: 3,
  outDir,
  resume: false,
  backend: 'cpu',
  limitTrain: 128,
  ...extra,
});

describe('trainNetwork', () => {
  it('learns, checkpoints every epoch and saves a weights manifest', async () => {
    const r = await trainNetwork(job(join(dir, 'a')));
    expect(r.backend).toBe('cpu');
    expect(r.epochs).toHaveLength(2);
    expect(r.epochs[1].trainLoss).toBeLessThan(r.epochs[0].trainLoss);
    const weights = loadWeights(r.weightsDir);
    expect(Object.keys(weights)).toEqual(expect.arrayContaining(['stem/kernel', 'dw/moving_mean', 'fc/bias', 'expand/amax', 'input/amax']));
    expect(weights['expand/kernel'].shape).toEqual([1, 1, 4, 8]);
    expect(readFileSync(join(dir, 'a', 'train.jsonl'), 'utf8').trim().split('\n')).toHaveLength(2);
  }, 120_000);

  it('an interrupted run resumed from its checkpoint ends with the same weights as an uninterrupted one', async () => {
    let steps = 0;
    const first = await trainNetwork(job(join(dir, 'b'), { shouldStop: () => ++steps > 4 }));
    expect(first.interrupted).toBe(true);
    expect(first.epochs).toHaveLength(1);
    const resumed = await trainNetwork(job(join(dir, 'b'), { resume: true }));
    expect(resumed.epochs).toHaveLength(2);
    const a = loadWeights(join(dir, 'a', 'weights'));
    const b = loadWeights(resumed.weightsDir);
    for (const name of Object.keys(a)) expect(Array.from(b[name].dataSync()), name).toEqual(Array.from(a[name].dataSync()));
  }, 120_000);

  it('refuses to resume a checkpoint made with other settings', async () => {
    await expect(trainNetwork(job(join(dir, 'a'), { resume: true, seed: 4 }))).rejects.toThrow(/other settings/);
  });
});
