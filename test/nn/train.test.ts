import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/nn/backend.js';
import { DEFAULT_SGD } from '../../src/nn/optimizer.js';
import { trainNetwork, type TrainJob } from '../../src/nn/train.js';
import { loadWeights } from '../../src/nn/weights.js';
import { TINY } from './tiny.js';

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
    expect(
      readFileSync(join(dir, 'a', 'train.jsonl'), 'utf8')
        .trim()
        .split('\n'),
    ).toHaveLength(2);
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
