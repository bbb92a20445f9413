/**
 * Fashion-MNIST — stage: data. In: a folder with the four gzip IDX files (default: where the
 * Debian package dataset-fashion-mnist installs them). Out: a Dataset of 60000 train and 10000
 * test grey 28×28 images in 10 classes. What stays true: a missing file is a `UsageError` saying
 * how to get it; counts that disagree or a label out of range are `InputError`s naming the file.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { InputError, UsageError } from '../core/diagnostics.js';
import { IDX_IMAGES_MAGIC, IDX_LABELS_MAGIC, readIdxGz } from './idx.js';
import { makeDataset, makeSplit } from './split.js';
import type { Dataset, Split } from './types.js';

/** Where the Debian package `dataset-fashion-mnist` installs the gzip IDX files. */
export const FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';

export const FASHION_MNIST_FILES = {
  trainImages: 'train-images-idx3-ubyte.gz',
  trainLabels: 'train-labels-idx1-ubyte.gz',
  testImages: 't10k-images-idx3-ubyte.gz',
  testLabels: 't10k-labels-idx1-ubyte.gz',
} as const;

const FASHION_MNIST_CLASS_NAMES: readonly string[] = [
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
];

/** Fashion-MNIST: 60000 train and 10000 test grey 28×28 images in 10 classes. */
export function loadFashionMnist(dir: string = FASHION_MNIST_DIR): Dataset {
  for (const path of [dir, ...Object.values(FASHION_MNIST_FILES).map((f) => join(dir, f))]) {
    if (!existsSync(path)) {
      throw new UsageError(
        `Fashion-MNIST not found at ${path}: install it with "apt-get install dataset-fashion-mnist" (Debian) or pass --data DIR`,
      );
    }
  }
  const train = readIdxSplit(join(dir, FASHION_MNIST_FILES.trainImages), join(dir, FASHION_MNIST_FILES.trainLabels));
  const test = readIdxSplit(join(dir, FASHION_MNIST_FILES.testImages), join(dir, FASHION_MNIST_FILES.testLabels));
  if (train.height !== test.height || train.width !== test.width) {
    throw new InputError(
      join(dir, FASHION_MNIST_FILES.testImages),
      '',
      `expected ${train.height}×${train.width} images like the train split, got ${test.height}×${test.width}`,
    );
  }
  return makeDataset('fashion-mnist', FASHION_MNIST_CLASS_NAMES, train, test);
}

/** One split from an images file and a labels file whose counts must agree. */
function readIdxSplit(imagesFile: string, labelsFile: string, classes = 10): Split {
  const images = readIdxGz(imagesFile, IDX_IMAGES_MAGIC);
  const labels = readIdxGz(labelsFile, IDX_LABELS_MAGIC);
  const [count, height, width] = images.dims;
  if (labels.dims[0] !== count) {
    throw new InputError(labelsFile, '', `expected ${count} labels, one per image of ${imagesFile}, got ${labels.dims[0]}`);
  }
  const bad = labels.data.findIndex((label) => label >= classes);
  if (bad >= 0) {
    throw new InputError(labelsFile, `/${bad}`, `expected a label in 0..${classes - 1}, got ${labels.data[bad]}`);
  }
  return makeSplit(images.data, labels.data, { height, width, channels: 1 });
}
