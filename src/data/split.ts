/**
 * Splits and datasets from arrays — stage: data. In: image bytes (NHWC) and labels with their
 * shape. Out: a Split, a subset of one by indices, per-channel mean and standard deviation of
 * `value / 255`, and a Dataset. What stays true: normalisation statistics come from the train
 * split, summed exactly from a 256-bin histogram per channel.
 */
import type { ChannelStats, Dataset, DatasetName, Split } from './types.js';

/** A split from its arrays; throws if the arrays disagree with the shape (a bug, not bad input). */
export function makeSplit(
  images: Uint8Array,
  labels: Uint8Array,
  shape: { readonly height: number; readonly width: number; readonly channels: number },
): Split {
  const count = labels.length;
  const { height, width, channels } = shape;
  if (images.length !== count * height * width * channels) {
    throw new Error(
      `split of ${count} samples of ${height}×${width}×${channels} needs ${count * height * width * channels} image bytes, got ${images.length}`,
    );
  }
  return { images, labels, count, height, width, channels };
}

/**
 * Mean and standard deviation per channel of `value / 255`. A 256-bin histogram per channel
 * keeps the pass to one increment per byte and the sums exact (no float drift over 47 M pixels).
 */
function measureChannelStats(split: Split): ChannelStats {
  const { images, channels } = split;
  const histogram = new Float64Array(256 * channels);
  if (channels === 1) {
    for (let i = 0; i < images.length; i++) histogram[images[i]]++;
  } else {
    for (let i = 0; i < images.length; i += channels) {
      for (let c = 0; c < channels; c++) histogram[c * 256 + images[i + c]]++;
    }
  }
  const mean: number[] = [];
  const std: number[] = [];
  for (let c = 0; c < channels; c++) {
    let n = 0;
    let sum = 0;
    let sumSquares = 0;
    for (let v = 0; v < 256; v++) {
      const k = histogram[c * 256 + v];
      n += k;
      sum += k * v;
      sumSquares += k * v * v;
    }
    const m = n === 0 ? 0 : sum / n;
    const variance = n === 0 ? 0 : Math.max(0, sumSquares / n - m * m);
    mean.push(m / 255);
    // A constant channel would divide by zero when normalising; 1 leaves it merely centred.
    std.push(variance > 0 ? Math.sqrt(variance) / 255 : 1);
  }
  return { mean, std };
}

/** A new split holding the samples at `indices`, in that order (bytes copied). */
export function selectSamples(split: Split, indices: ArrayLike<number>): Split {
  const size = split.height * split.width * split.channels;
  const images = new Uint8Array(indices.length * size);
  const labels = new Uint8Array(indices.length);
  for (let i = 0; i < indices.length; i++) {
    const n = indices[i];
    images.set(split.images.subarray(n * size, (n + 1) * size), i * size);
    labels[i] = split.labels[n];
  }
  return makeSplit(images, labels, split);
}

/** Assembles a dataset, measuring the normalisation statistics on its train split. */
export function makeDataset(name: DatasetName, classNames: readonly string[], train: Split, test: Split): Dataset {
  const { mean, std } = measureChannelStats(train);
  return { name, classes: classNames.length, classNames, train, test, mean, std };
}
