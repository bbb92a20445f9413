/**
 * data/ — stage: dataset files → batches. Fashion-MNIST (gzip IDX from the Debian package),
 * CIFAR-10 (binary version, user folder) and a synthetic set become plain typed arrays; batches
 * are normalised Float32 NHWC with Int32 labels, ready for any engine. What stays true: images
 * are raw bytes in NHWC whatever the file layout; normalisation statistics come from the train
 * split; a batch order, validation split and augmentation depend only on (seed, epoch, sample),
 * so a resumed run sees the same data; a missing dataset is a one-line `UsageError` saying how
 * to get it, a corrupt file an `InputError` naming it. No TF.js here.
 */
export type { Dataset, DatasetName, Split } from './types.js';
export { DATASET_NAMES } from './types.js';
export { datasetByName, isDatasetName } from './datasets.js';
export { FASHION_MNIST_DIR, FASHION_MNIST_FILES, loadFashionMnist } from './fashion-mnist.js';
export { CIFAR10_TEST_FILES, CIFAR10_TRAIN_FILES, loadCifar10 } from './cifar10.js';
export { makeSynthetic } from './synthetic.js';
export { IDX_IMAGES_MAGIC, IDX_LABELS_MAGIC, parseIdx, readIdxGz } from './idx.js';
export { makeSplit } from './split.js';
export {
  batchesOf,
  splitTrainValidation,
  type Batch,
  type BatchOptions,
} from './batches.js';
export { drawCifarAugmentation, makeNormalizationTable } from './augment.js';
