import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/core/diagnostics.js';
import { makeSynthetic, type Split } from '../../src/data/index.js';

describe('makeSynthetic', () => {
  it('has the requested shape and balanced labels', () => {
    const d = makeSynthetic({ classes: 4, height: 8, width: 6, channels: 3, train: 40, test: 12, seed: 3 });
    expect(d.name).toBe('synthetic');
    expect(d.classes).toBe(4);
    expect([d.train.count, d.train.height, d.train.width, d.train.channels]).toEqual([40, 8, 6, 3]);
    expect(d.train.images).toHaveLength(40 * 8 * 6 * 3);
    expect(d.test.count).toBe(12);
    const perClass = [0, 0, 0, 0];
    for (const label of d.train.labels) perClass[label]++;
    expect(perClass).toEqual([10, 10, 10, 10]);
    expect(d.mean).toHaveLength(3);
  });

  it('gives identical bytes for the same seed and different ones for another seed', () => {
    const a = makeSynthetic({ seed: 7 });
    const b = makeSynthetic({ seed: 7 });
    const c = makeSynthetic({ seed: 8 });
    // Buffer comparison: vitest's deep equality walks typed arrays element by element, slowly.
    const same = (x: Uint8Array, y: Uint8Array) => Buffer.from(x.buffer, x.byteOffset, x.length).equals(y);
    expect(same(b.train.images, a.train.images)).toBe(true);
    expect(same(b.train.labels, a.train.labels)).toBe(true);
    expect(same(b.test.images, a.test.images)).toBe(true);
    expect(b.mean).toEqual(a.mean);
    expect(same(c.train.images, a.train.images)).toBe(false);
  });

  it('is learnable: class means of the train split classify the test split', () => {
    const d = makeSynthetic({ seed: 1 });
    const size = d.train.height * d.train.width * d.train.channels;
    const centroids = Array.from({ length: d.classes }, () => new Float64Array(size));
    const counts = new Array<number>(d.classes).fill(0);
    eachImage(d.train, (image, label) => {
      counts[label]++;
      for (let p = 0; p < size; p++) centroids[label][p] += image[p];
    });
    centroids.forEach((centroid, k) => centroid.forEach((v, p) => (centroid[p] = v / counts[k])));
    let correct = 0;
    eachImage(d.test, (image, label) => {
      const distance = (k: number) => centroids[k].reduce((s, v, p) => s + (v - image[p]) ** 2, 0);
      let best = 0;
      for (let k = 1; k < d.classes; k++) if (distance(k) < distance(best)) best = k;
      if (best === label) correct++;
    });
    expect(correct / d.test.count).toBeGreaterThan(0.95);
  });

  it('rejects a non-positive size', () => {
    expect(() => makeSynthetic({ train: 0 })).toThrow(UsageError);
  });
});

function eachImage(split: Split, visit: (image: Uint8Array, label: number) => void): void {
  const size = split.height * split.width * split.channels;
  for (let n = 0; n < split.count; n++) visit(split.images.subarray(n * size, (n + 1) * size), split.labels[n]);
}
