import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/core/diagnostics.js';
import { writeAugmented } from '../../src/data/augment.js';
import {
  batchesOf,
  drawCifarAugmentation,
  makeNormalizationTable,
  makeSplit,
  makeSynthetic,
  splitTrainValidation,
  type Batch,
  type BatchOptions,
  type Split,
} from '../../src/data/index.js';

/** `count` 1×1×1 images whose one byte is their index, labelled index % 10. */
function indexSplit(count: number): Split {
  return makeSplit(
    Uint8Array.from({ length: count }, (_, i) => i),
    Uint8Array.from({ length: count }, (_, i) => i % 10),
    {
      height: 1,
      width: 1,
      channels: 1,
    },
  );
}

/** Mean 0, std 1: a normalised value is exactly float32(v / 255). */
const UNIT = { mean: [0], std: [1] };

function orderOf(split: Split, options: BatchOptions): number[] {
  return [...batchesOf(split, options)].flatMap((b) => Array.from(b.indices));
}

describe('batchesOf', () => {
  it('visits every sample exactly once per epoch, labels and images following their index', () => {
    const split = indexSplit(103);
    const batches: { size: number; x: number[]; y: number[]; indices: number[] }[] = [];
    for (const b of batchesOf(split, { batchSize: 10, seed: 5, normalize: UNIT })) {
      batches.push({ size: b.size, x: Array.from(b.x), y: Array.from(b.y), indices: Array.from(b.indices) });
    }
    expect(batches.map((b) => b.size)).toEqual([10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 3]);
    const seen = batches.flatMap((b) => b.indices);
    expect([...seen].sort((a, b) => a - b)).toEqual(Array.from({ length: 103 }, (_, i) => i));
    expect(seen).not.toEqual([...seen].sort((a, b) => a - b));
    for (const b of batches) {
      expect(b.y).toEqual(b.indices.map((n) => n % 10));
      expect(b.x).toEqual(b.indices.map((n) => Math.fround(n / 255)));
    }
  });

  it('orders by (seed, epoch) only; shuffle: false keeps split order', () => {
    const split = indexSplit(50);
    const order = (seed: number, epoch: number, batchSize = 8) => orderOf(split, { batchSize, seed, epoch, normalize: UNIT });
    expect(order(1, 3)).toEqual(order(1, 3));
    expect(order(1, 3, 7)).toEqual(order(1, 3)); // batch size does not change the order
    expect(order(1, 4)).not.toEqual(order(1, 3));
    expect(order(2, 3)).not.toEqual(order(1, 3));
    expect(orderOf(split, { batchSize: 8, shuffle: false, normalize: UNIT })).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it('drops a short last batch on request and trims its arrays otherwise', () => {
    const split = indexSplit(23);
    const dropped = [...batchesOf(split, { batchSize: 5, dropLast: true, normalize: UNIT })];
    expect(dropped.map((b) => b.size)).toEqual([5, 5, 5, 5]);
    const kept: Batch[] = [...batchesOf(split, { batchSize: 5, normalize: UNIT })];
    expect(kept).toHaveLength(5);
    expect(kept[4].size).toBe(3);
    expect(kept[4].x).toHaveLength(3);
    expect(kept[4].y).toHaveLength(3);
  });

  it('reuses one output buffer for every batch', () => {
    const iterator = batchesOf(indexSplit(20), { batchSize: 5, normalize: UNIT });
    const first = iterator.next();
    const second = iterator.next();
    expect(first.done || second.done).toBe(false);
    if (first.done || second.done) return;
    expect(second.value.x.buffer).toBe(first.value.x.buffer);
    expect(second.value.y.buffer).toBe(first.value.y.buffer);
    expect(iterator.batchCount).toBe(4);
  });

  it('normalises each channel as (v / 255 - mean) / std', () => {
    // One 1×2 image with two channels: (0, 255) and (51, 102).
    const split = makeSplit(new Uint8Array([0, 255, 51, 102]), new Uint8Array([0]), { height: 1, width: 2, channels: 2 });
    const [batch] = [...batchesOf(split, { batchSize: 1, normalize: { mean: [0.2, 0.4], std: [0.5, 0.25] } })];
    expect(Array.from(batch.x).map((v) => Number(v.toFixed(5)))).toEqual([-0.4, 2.4, 0, 0]);
  });

  it('rejects a bad batch size and statistics of the wrong length', () => {
    const split = indexSplit(4);
    expect(() => batchesOf(split, { batchSize: 0, normalize: UNIT })).toThrow(UsageError);
    expect(() => batchesOf(split, { batchSize: 2, normalize: { mean: [0, 0], std: [1, 1] } })).toThrow(/needs 1 means/);
    expect(() => batchesOf(split, { batchSize: 2, normalize: { mean: [0], std: [0] } })).toThrow(/must be positive/);
  });
});

describe('CIFAR augmentation', () => {
  // A 3×3 one-channel image:  1 2 3 / 4 5 6 / 7 8 9.
  const image = Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  const shape = { height: 3, width: 3, channels: 1 };
  const table = makeNormalizationTable([0], [1 / 255]); // v ↦ v, near enough
  const apply = (dy: number, dx: number, flip: boolean) => {
    const out = new Float32Array(9);
    writeAugmented(image, 0, out, 0, shape, table, { dy, dx, flip });
    return Array.from(out, (v) => Math.round(v));
  };

  it('mirrors left–right, shifts the crop window and pads with zeros', () => {
    expect(apply(0, 0, false)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(apply(0, 0, true)).toEqual([3, 2, 1, 6, 5, 4, 9, 8, 7]);
    expect(apply(1, -1, false)).toEqual([0, 4, 5, 0, 7, 8, 0, 0, 0]);
    expect(apply(-1, 1, true)).toEqual([0, 0, 0, 0, 3, 2, 0, 6, 5]);
  });

  it('keeps shapes and applies the crop drawn for (seed, epoch, sample)', () => {
    const d = makeSynthetic({ classes: 3, height: 6, width: 5, channels: 3, train: 17, test: 1, seed: 2 });
    const size = 6 * 5 * 3;
    const table3 = makeNormalizationTable(d.mean, d.std);
    for (const batchSize of [4, 17]) {
      for (const b of batchesOf(d.train, { batchSize, seed: 9, epoch: 2, augment: 'cifar', normalize: d })) {
        expect(b.x).toHaveLength(b.size * size);
        b.indices.forEach((n, i) => {
          const expected = new Float32Array(size);
          writeAugmented(d.train.images, n * size, expected, 0, d.train, table3, drawCifarAugmentation(9, 2, n));
          expect(Array.from(b.x.subarray(i * size, (i + 1) * size))).toEqual(Array.from(expected));
        });
      }
    }
  });

  it('draws shifts over -4..4 and flips about half the time', () => {
    const draws = Array.from({ length: 2000 }, (_, n) => drawCifarAugmentation(1, 0, n));
    expect(new Set(draws.map((d) => d.dy))).toEqual(new Set([-4, -3, -2, -1, 0, 1, 2, 3, 4]));
    expect(new Set(draws.map((d) => d.dx)).size).toBe(9);
    const flips = draws.filter((d) => d.flip).length;
    expect(flips).toBeGreaterThan(900);
    expect(flips).toBeLessThan(1100);
    expect(drawCifarAugmentation(1, 1, 5)).toEqual(drawCifarAugmentation(1, 1, 5));
  });
});

describe('splitTrainValidation', () => {
  it('holds out a seeded fraction; every sample lands in exactly one part', () => {
    const split = indexSplit(200);
    const { train, validation } = splitTrainValidation(split, 0.1, 4);
    expect([train.count, validation.count]).toEqual([180, 20]);
    const all = [...train.images, ...validation.images].sort((a, b) => a - b);
    expect(all).toEqual(Array.from({ length: 200 }, (_, i) => i));
    expect(Array.from(validation.labels)).toEqual(Array.from(validation.images, (n) => n % 10));
    expect(splitTrainValidation(split, 0.1, 4).validation.images).toEqual(validation.images);
    expect(splitTrainValidation(split, 0.1, 5).validation.images).not.toEqual(validation.images);
    expect(() => splitTrainValidation(split, 1, 4)).toThrow(UsageError);
  });
});
