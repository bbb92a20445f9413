import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { nearFloatNetwork } from '../../src/bench/step-twin.js';
import { UsageError } from '../../src/core/diagnostics.js';
import { DEFAULT_SGD } from '../../src/nn/optimizer.js';
import { sliceOf, trainNetwork, type TrainJob } from '../../src/nn/train.js';
import { loadWeights } from '../../src/nn/weights.js';
import { TINY } from './tiny.js';

const dir = mkdtempSync(join(tmpdir(), 'trips-hw-replicas-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// 24-bit quantisation computes as in float, so one process and replicas differ only by the
// order of float sums (with 4-bit steps, one rounding flip would move a value by a whole step)
const NEAR_FLOAT = nearFloatNetwork(TINY);

const job = (outDir: string, extra: Partial<TrainJob> = {}): TrainJob => ({
  network: NEAR_FLOAT,
  dataset: 'synthetic',
  epochs: 1,
  // 256 samples in batches of 27: the replicas' slices differ in size, the last batch is 13
  batchSize: 27,
  limitTrain: 256,
  sgd: { ...DEFAULT_SGD, learningRate: 0.1 },
  seed: 5,
  outDir,
  resume: false,
  backend: 'wasm',
  ...extra,
});

function worstRelativeDifference(a: string, b: string): number {
  const wa = loadWeights(a);
  const wb = loadWeights(b);
  expect(Object.keys(wb).sort()).toEqual(Object.keys(wa).sort());
  let worst = 0;
  for (const name of Object.keys(wa)) {
    const [x, y] = [wa[name].dataSync(), wb[name].dataSync()];
    for (let i = 0; i < x.length; i++) worst = Math.max(worst, Math.abs(x[i] - y[i]) / (1e-2 + Math.abs(x[i])));
  }
  return worst;
}

describe('data-parallel replicas', () => {
  it('splits a batch into contiguous slices differing by at most one row', () => {
    expect([0, 1, 2].map((rank) => sliceOf(10, { rank, size: 3 }))).toEqual([
      { start: 0, count: 3 },
      { start: 3, count: 3 },
      { start: 6, count: 4 },
    ]);
    expect(sliceOf(64, { rank: 1, size: 2 })).toEqual({ start: 32, count: 32 });
  });

  it.each([
    ['wasm', 2],
    ['cpu', 3],
  ] as const)(
    'on %s, %i replicas train as one process does (synchronised batch norm, combined gradients)',
    async (backend, replicas) => {
      const one = await trainNetwork(job(join(dir, `${backend}-1`), { backend, replicas: 1 }));
      const many = await trainNetwork(job(join(dir, `${backend}-${replicas}`), { backend, replicas }));
      expect(one.replicas).toBe(1);
      expect(many.replicas).toBe(replicas);
      expect(many.backend).toBe(backend);
      expect(many.epochs[0].trainLoss).toBeCloseTo(one.epochs[0].trainLoss, 4);
      expect(many.epochs[0].trainAccuracy).toBe(one.epochs[0].trainAccuracy);
      expect(many.epochs[0].testAccuracy).toBe(one.epochs[0].testAccuracy);
      // 10 SGD steps at lr 0.1 amplify summation-order differences; a missing combination
      // (local batch statistics, one replica's gradient) moves weights by far more than this
      expect(worstRelativeDifference(one.weightsDir, many.weightsDir)).toBeLessThan(5e-3);
    },
    120_000,
  );

  it('a replicated run stopped and resumed ends with the same weights, bit for bit', async () => {
    const plain = await trainNetwork(job(join(dir, 'plain'), { epochs: 2, replicas: 2 }));
    // stop early (4 of 20 steps): progress arrives from the workers asynchronously, and on a
    // loaded machine a later stop request was seen only after the run had finished
    let seen = 0;
    const stopped = await trainNetwork(
      job(join(dir, 'stopped'), { epochs: 2, replicas: 2, onProgress: () => void seen++, shouldStop: () => seen >= 4 }),
    );
    expect(stopped.interrupted).toBe(true);
    const resumed = await trainNetwork(job(join(dir, 'stopped'), { epochs: 2, replicas: 2, resume: true }));
    expect(resumed.interrupted).toBe(false);
    expect(resumed.epochs.map((e) => e.trainLoss)).toEqual(plain.epochs.map((e) => e.trainLoss));
    expect(worstRelativeDifference(plain.weightsDir, resumed.weightsDir)).toBe(0);
  }, 120_000);

  it("a replica's error reaches the caller with its class (a bad input still exits 2)", async () => {
    const wrong = { ...NEAR_FLOAT, classes: 7, layers: NEAR_FLOAT.layers.map((l) => (l.kind === 'fc' ? { ...l, outC: 7 } : l)) };
    await expect(trainNetwork(job(join(dir, 'wrong'), { network: wrong, replicas: 2 }))).rejects.toThrow(UsageError);
  }, 60_000);

  it('refuses a replica count below one', async () => {
    await expect(trainNetwork(job(join(dir, 'none'), { replicas: 0 }))).rejects.toThrow(/replicas/);
  });
});
