/**
 * Datasets by name — stage: data. In: a dataset name (fashion-mnist, cifar10, synthetic) and its
 * folder or seed. Out: the loaded Dataset. What stays true: an unknown name, and CIFAR-10 without
 * --data, is a one-line `UsageError` saying what to give.
 */
import { UsageError } from '../core/diagnostics.js';
import { CIFAR10_URL, loadCifar10 } from './cifar10.js';
import { FASHION_MNIST_DIR, loadFashionMnist } from './fashion-mnist.js';
import { makeSynthetic } from './synthetic.js';
import { DATASET_NAMES, type Dataset, type DatasetName } from './types.js';

interface DatasetOptions {
  /** The dataset's folder (`--data`); Fashion-MNIST defaults to the Debian package's. */
  readonly dataDir?: string;
  /** Seeds the synthetic dataset (default 0); the file datasets ignore it. */
  readonly seed?: number;
}

export function isDatasetName(name: string): name is DatasetName {
  return (DATASET_NAMES as readonly string[]).includes(name);
}

/** Loads a dataset by its name; unknown names and missing files are `UsageError`s. */
export function datasetByName(name: DatasetName, options: DatasetOptions = {}): Dataset {
  if (!isDatasetName(name)) throw new UsageError(`unknown dataset "${String(name)}": expected one of ${DATASET_NAMES.join(', ')}`);
  switch (name) {
    case 'fashion-mnist':
      return loadFashionMnist(options.dataDir ?? FASHION_MNIST_DIR);
    case 'cifar10':
      if (options.dataDir === undefined) {
        throw new UsageError(`CIFAR-10 needs --data DIR: download the binary version from ${CIFAR10_URL} and unpack it there`);
      }
      return loadCifar10(options.dataDir);
    case 'synthetic':
      return makeSynthetic({ seed: options.seed ?? 0 });
  }
}
