/**
 * CIFAR-10 (binary version) — stage: data. In: the folder the user unpacked it to (or its
 * cifar-10-batches-bin inside). Out: a Dataset of 50000 train and 10000 test 32×32×3 images,
 * planes turned into NHWC here, once, so every later stage sees one layout. What stays true: a
 * missing file is a `UsageError` with the download address; a bad record an `InputError`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InputError, UsageError } from '../core/diagnostics.js';
import { makeDataset, makeSplit } from './split.js';
import type { Dataset, Split } from './types.js';

/**
 * CIFAR-10, binary version: each file is a run of 3073-byte records, one label byte then the
 * 32×32 image as three planes (all red, all green, all blue). Planes become NHWC here, once, so
 * every later stage sees one layout whatever the dataset.
 */
export const CIFAR10_URL = 'https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz';
export const CIFAR10_TRAIN_FILES: readonly string[] = [1, 2, 3, 4, 5].map((i) => `data_batch_${i}.bin`);
export const CIFAR10_TEST_FILES: readonly string[] = ['test_batch.bin'];
/** The folder the tarball unpacks to; accepted inside the given directory too. */
const CIFAR10_TAR_FOLDER = 'cifar-10-batches-bin';

const CIFAR10_CLASS_NAMES: readonly string[] = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'];

const SIDE = 32;
const CHANNELS = 3;
const PLANE = SIDE * SIDE;
const IMAGE_BYTES = PLANE * CHANNELS;
const RECORD_BYTES = 1 + IMAGE_BYTES;

/** CIFAR-10 from `dir`, or from `dir/cifar-10-batches-bin` as the tarball unpacks. */
export function loadCifar10(dir: string): Dataset {
  const root = resolveCifarDir(dir);
  const train = readCifarSplit(CIFAR10_TRAIN_FILES.map((f) => join(root, f)));
  const test = readCifarSplit(CIFAR10_TEST_FILES.map((f) => join(root, f)));
  return makeDataset('cifar10', CIFAR10_CLASS_NAMES, train, test);
}

function resolveCifarDir(dir: string): string {
  const all = [...CIFAR10_TRAIN_FILES, ...CIFAR10_TEST_FILES];
  for (const root of [dir, join(dir, CIFAR10_TAR_FOLDER)]) {
    if (all.every((f) => existsSync(join(root, f)))) return root;
  }
  const missing = all.filter((f) => !existsSync(join(dir, f)));
  throw new UsageError(
    `CIFAR-10 not found at ${dir}: expected ${all.join(', ')} there (missing ${missing.join(', ')}); ` +
      `download the binary version from ${CIFAR10_URL}, unpack it and pass --data DIR`,
  );
}

/** Concatenates the records of `files` into one NHWC split. */
function readCifarSplit(files: readonly string[]): Split {
  const contents = files.map((file) => {
    const buffer = readFileSync(file);
    if (buffer.length === 0 || buffer.length % RECORD_BYTES !== 0) {
      throw new InputError(
        file,
        '',
        `expected CIFAR-10 binary records of ${RECORD_BYTES} bytes (1 label + 3072 pixels), got ${buffer.length} bytes`,
      );
    }
    return { file, bytes: new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength) };
  });
  const count = contents.reduce((n, c) => n + c.bytes.length / RECORD_BYTES, 0);
  const images = new Uint8Array(count * IMAGE_BYTES);
  const labels = new Uint8Array(count);
  let n = 0;
  for (const { file, bytes } of contents) {
    for (let r = 0; r < bytes.length; r += RECORD_BYTES, n++) {
      const label = bytes[r];
      if (label >= CIFAR10_CLASS_NAMES.length) {
        throw new InputError(file, `/${r / RECORD_BYTES}/label`, `expected a label in 0..9, got ${label}`);
      }
      labels[n] = label;
      planarToInterleaved(bytes, r + 1, images, n * IMAGE_BYTES);
    }
  }
  return makeSplit(images, labels, { height: SIDE, width: SIDE, channels: CHANNELS });
}

function planarToInterleaved(source: Uint8Array, from: number, target: Uint8Array, to: number): void {
  for (let c = 0; c < CHANNELS; c++) {
    const plane = from + c * PLANE;
    for (let p = 0; p < PLANE; p++) target[to + p * CHANNELS + c] = source[plane + p];
  }
}
