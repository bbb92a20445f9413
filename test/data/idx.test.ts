import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError, UsageError } from '../../src/core/diagnostics.js';
import {
  FASHION_MNIST_DIR,
  FASHION_MNIST_FILES,
  IDX_IMAGES_MAGIC,
  IDX_LABELS_MAGIC,
  loadFashionMnist,
  parseIdx,
  readIdxGz,
} from '../../src/data/index.js';
import { idxBytes, makeTempDir, writeIdxGz } from './helpers.js';

describe('IDX parsing', () => {
  it('reads big-endian dimensions and the data of a gzip IDX file', () => {
    const dir = makeTempDir('idx');
    const file = join(dir, 'images.gz');
    // 3 images of 2×300: a dimension above 255 checks that all four bytes are big-endian.
    const data = Array.from({ length: 3 * 2 * 300 }, (_, i) => i % 251);
    writeIdxGz(file, IDX_IMAGES_MAGIC, [3, 2, 300], data);
    const idx = readIdxGz(file, IDX_IMAGES_MAGIC);
    expect(idx.dims).toEqual([3, 2, 300]);
    expect(Array.from(idx.data)).toEqual(data);
    expect(Object.getPrototypeOf(idx.data)).toBe(Uint8Array.prototype);
  });

  it('rejects a bad magic number, a short body and a file that is not gzip', () => {
    expect(() => parseIdx(idxBytes(2052, [1, 1, 1], [0]), 'x.idx', IDX_IMAGES_MAGIC)).toThrow(
      'x.idx: /: expected an IDX file with magic number 2051, got 2052',
    );
    expect(() => parseIdx(idxBytes(IDX_LABELS_MAGIC, [3], [0, 1]), 'y.idx', IDX_LABELS_MAGIC)).toThrow(
      'dimensions 3 need 3 data bytes, got 2',
    );
    expect(() => parseIdx(new Uint8Array([0, 0, 8]), 'z.idx', IDX_LABELS_MAGIC)).toThrow(InputError);
    const dir = makeTempDir('idx-bad');
    const file = join(dir, 'plain.gz');
    writeFileSync(file, idxBytes(IDX_LABELS_MAGIC, [1], [0]));
    expect(() => readIdxGz(file, IDX_LABELS_MAGIC)).toThrow(/plain\.gz: \/: expected an IDX file compressed with gzip/);
  });
});

/** A Fashion-MNIST-shaped folder with `train` and `test` images of 2×2. */
function writeTinyFashion(dir: string, train: number, test: number, trainLabels = train): void {
  const f = FASHION_MNIST_FILES;
  writeIdxGz(
    join(dir, f.trainImages),
    IDX_IMAGES_MAGIC,
    [train, 2, 2],
    Array.from({ length: train * 4 }, (_, i) => (i * 37) % 256),
  );
  writeIdxGz(
    join(dir, f.trainLabels),
    IDX_LABELS_MAGIC,
    [trainLabels],
    Array.from({ length: trainLabels }, (_, i) => i % 10),
  );
  writeIdxGz(join(dir, f.testImages), IDX_IMAGES_MAGIC, [test, 2, 2], new Array(test * 4).fill(255));
  writeIdxGz(join(dir, f.testLabels), IDX_LABELS_MAGIC, [test], new Array(test).fill(9));
}

describe('loadFashionMnist', () => {
  it('loads both splits from a folder of IDX files and measures the train statistics', () => {
    const dir = makeTempDir('fmnist');
    writeTinyFashion(dir, 5, 2);
    const d = loadFashionMnist(dir);
    expect(d.name).toBe('fashion-mnist');
    expect(d.classes).toBe(10);
    expect([d.train.count, d.train.height, d.train.width, d.train.channels]).toEqual([5, 2, 2, 1]);
    expect(Array.from(d.train.labels)).toEqual([0, 1, 2, 3, 4]);
    expect(d.test.count).toBe(2);
    const values = Array.from(d.train.images, (v) => v / 255);
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    const std = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length);
    expect(d.mean[0]).toBeCloseTo(mean, 12);
    expect(d.std[0]).toBeCloseTo(std, 12);
  });

  it('rejects label and image counts that disagree', () => {
    const dir = makeTempDir('fmnist-count');
    writeTinyFashion(dir, 5, 2, 4);
    expect(() => loadFashionMnist(dir)).toThrow(/train-labels-idx1-ubyte\.gz: \/: expected 5 labels, one per image/);
  });

  it('says how to install it when the folder or a file is missing', () => {
    const dir = join(makeTempDir('fmnist-missing'), 'nowhere');
    expect(() => loadFashionMnist(dir)).toThrow(UsageError);
    expect(() => loadFashionMnist(dir)).toThrow(
      `Fashion-MNIST not found at ${dir}: install it with "apt-get install dataset-fashion-mnist" (Debian) or pass --data DIR`,
    );
    mkdirSync(dir);
    expect(() => loadFashionMnist(dir)).toThrow(`Fashion-MNIST not found at ${join(dir, FASHION_MNIST_FILES.trainImages)}: install it`);
  });

  const installed = existsSync(FASHION_MNIST_DIR);
  it.skipIf(!installed)(
    `loads the real dataset from ${FASHION_MNIST_DIR}${installed ? '' : ' (skipped: not installed; apt-get install dataset-fashion-mnist)'}`,
    () => {
      const d = loadFashionMnist();
      for (const [split, count] of [
        [d.train, 60000],
        [d.test, 10000],
      ] as const) {
        expect([split.count, split.height, split.width, split.channels]).toEqual([count, 28, 28, 1]);
        expect(split.images.length).toBe(count * 28 * 28);
        // Labels in 0..9, and Fashion-MNIST is balanced: count / 10 of each class.
        const perClass = new Array<number>(10).fill(0);
        for (const label of split.labels) perClass[label]++;
        expect(perClass).toEqual(new Array(10).fill(count / 10));
      }
      // The published statistics of Fashion-MNIST's train split.
      expect(d.mean[0]).toBeCloseTo(0.286, 3);
      expect(d.std[0]).toBeCloseTo(0.353, 3);
    },
  );
});
