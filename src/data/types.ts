/**
 * Datasets as plain typed arrays, with no TF.js in sight: the engine turns batches into tensors,
 * this stage only reads files and shuffles bytes.
 */

/** Which datasets `datasetByName` knows (one name across code, run folders and the `--dataset` flag). */
export type DatasetName = 'fashion-mnist' | 'cifar10' | 'synthetic';
export const DATASET_NAMES: readonly DatasetName[] = ['fashion-mnist', 'cifar10', 'synthetic'];

/**
 * `count` samples of height × width × channels raw bytes (0..255), interleaved NHWC: pixel (n, y,
 * x, c) is `images[((n * height + y) * width + x) * channels + c]`. Labels are class indices.
 */
export interface Split {
  readonly images: Uint8Array;
  readonly labels: Uint8Array;
  readonly count: number;
  readonly height: number;
  readonly width: number;
  readonly channels: number;
}

export interface Dataset {
  readonly name: DatasetName;
  readonly classes: number;
  readonly classNames: readonly string[];
  readonly train: Split;
  readonly test: Split;
  /**
   * Per-channel mean and standard deviation of `value / 255` over the train split, so a
   * normalised input is `(value / 255 - mean[c]) / std[c]` (the torchvision convention).
   */
  readonly mean: readonly number[];
  readonly std: readonly number[];
}

/** Per-channel statistics in `value / 255` units; see `Dataset.mean`. */
export interface ChannelStats {
  readonly mean: readonly number[];
  readonly std: readonly number[];
}
