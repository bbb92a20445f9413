import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError, UsageError } from '../../src/core/diagnostics.js';
import { CIFAR10_TEST_FILES, CIFAR10_TRAIN_FILES, loadCifar10 } from '../../src/data/index.js';
import { cifarRecord, makeTempDir } from './helpers.js';

/** Pixel value of record `r` (0..11 over all files), planar channel c, row y, column x. */
const pixel = (r: number) => (c: number, y: number, x: number) => (r * 17 + c * 80 + y * 3 + x) % 256;

/** A fake CIFAR-10 folder: 2 records per file, record r labelled r % 10. */
function writeFakeCifar(dir: string): void {
  mkdirSync(dir, { recursive: true });
  [...CIFAR10_TRAIN_FILES, ...CIFAR10_TEST_FILES].forEach((file, f) => {
    const records = [2 * f, 2 * f + 1].map((r) => cifarRecord(r % 10, pixel(r)));
    writeFileSync(join(dir, file), Buffer.concat(records));
  });
}

describe('loadCifar10', () => {
  it('reads every batch file and turns planar CHW records into NHWC', () => {
    const dir = makeTempDir('cifar');
    writeFakeCifar(dir);
    const d = loadCifar10(dir);
    expect(d.name).toBe('cifar10');
    expect(d.classes).toBe(10);
    expect([d.train.count, d.train.height, d.train.width, d.train.channels]).toEqual([10, 32, 32, 3]);
    expect(Array.from(d.train.labels)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(d.test.count).toBe(2);
    expect(Array.from(d.test.labels)).toEqual([0, 1]); // records 10 and 11
    for (const [split, n, r] of [
      [d.train, 7, 7],
      [d.test, 1, 11],
    ] as const) {
      for (const [y, x, c] of [
        [0, 0, 0],
        [0, 1, 0],
        [0, 0, 1],
        [5, 9, 2],
        [31, 31, 2],
      ]) {
        expect(split.images[((n * 32 + y) * 32 + x) * 3 + c]).toBe(pixel(r)(c, y, x));
      }
    }
    expect(d.mean).toHaveLength(3);
    expect(d.std).toHaveLength(3);
    // The red plane's values are 80 below the green's (mod 256) in every image, so the means differ.
    expect(d.mean[0]).not.toBeCloseTo(d.mean[1], 3);
  });

  it('also finds the files in the cifar-10-batches-bin folder the tarball unpacks to', () => {
    const dir = makeTempDir('cifar-tar');
    writeFakeCifar(join(dir, 'cifar-10-batches-bin'));
    expect(loadCifar10(dir).train.count).toBe(10);
  });

  it('names the folder, the files and where to download them when they are missing', () => {
    const dir = makeTempDir('cifar-missing');
    writeFileSync(
      join(dir, 'data_batch_1.bin'),
      cifarRecord(0, () => 0),
    );
    const error = (() => {
      try {
        loadCifar10(dir);
      } catch (e) {
        return e as Error;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(UsageError);
    expect(error?.message).toContain(`CIFAR-10 not found at ${dir}`);
    expect(error?.message).toContain('missing data_batch_2.bin, data_batch_3.bin, data_batch_4.bin, data_batch_5.bin, test_batch.bin');
    expect(error?.message).toContain('https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz');
    expect(error?.message).not.toContain('\n');
  });

  it('rejects a truncated file and a label out of range', () => {
    const dir = makeTempDir('cifar-bad');
    writeFakeCifar(dir);
    writeFileSync(join(dir, 'data_batch_3.bin'), cifarRecord(0, () => 0).subarray(0, 3000));
    expect(() => loadCifar10(dir)).toThrow(InputError);
    expect(() => loadCifar10(dir)).toThrow(/data_batch_3\.bin: \/: expected CIFAR-10 binary records of 3073 bytes .* got 3000 bytes/);
    writeFakeCifar(dir);
    writeFileSync(join(dir, 'test_batch.bin'), Buffer.concat([cifarRecord(1, () => 0), cifarRecord(10, () => 0)]));
    expect(() => loadCifar10(dir)).toThrow(/test_batch\.bin: \/1\/label: expected a label in 0\.\.9, got 10/);
  });
});
