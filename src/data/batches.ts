/**
 * Batches — stage: data. In: a split, a batch size, a seed and epoch, the normalisation
 * statistics, an augmentation. Out: an iterator of normalised Float32 NHWC batches with Int32
 * labels, and a seeded train/validation split. What stays true: the order and the augmentation
 * depend only on (seed, epoch, sample), so batch size and resuming do not change what is seen; a
 * batch's arrays are reused by the next `next()`.
 */
import { UsageError } from '../core/diagnostics.js';
import { Rng } from '../core/random.js';
import { drawCifarAugmentation, makeNormalizationTable, writeAugmented, writeNormalized } from './augment.js';
import { STREAM, deriveSeed } from '../core/seed.js';
import { selectSamples } from './split.js';
import type { ChannelStats, Split } from './types.js';

/**
 * One batch. `x` holds `size` normalised NHWC images, `y` their labels and `indices` the samples'
 * positions in the split. All three are views into arrays the iterator allocated once and
 * overwrites on the next `next()`: copy them if they must outlive the step.
 */
export interface Batch {
  readonly x: Float32Array;
  readonly y: Int32Array;
  readonly indices: Uint32Array;
  readonly size: number;
}

export type Augmentation = 'none' | 'cifar';

export interface BatchOptions {
  readonly batchSize: number;
  /** Seeds the shuffle and the augmentation (default 0). */
  readonly seed?: number;
  /** The epoch; with `seed`, it alone fixes the order (default 0). */
  readonly epoch?: number;
  /** Default true; false visits samples in split order (evaluation). */
  readonly shuffle?: boolean;
  /** Drop a last batch smaller than `batchSize` (default false). */
  readonly dropLast?: boolean;
  /** Default 'none'. */
  readonly augment?: Augmentation;
  /** Usually the dataset's train statistics. */
  readonly normalize: ChannelStats;
}

/** The visiting order of an epoch: a seeded Fisher–Yates permutation of 0..count-1. */
function shuffledOrder(count: number, seed: number, epoch: number): Uint32Array {
  return permutation(count, new Rng(deriveSeed(seed, STREAM.shuffle, epoch)));
}

function permutation(count: number, rng: Rng): Uint32Array {
  const order = Uint32Array.from({ length: count }, (_, i) => i);
  for (let i = count - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
  return order;
}

/** One epoch of batches over `split`. */
class BatchIterator implements IterableIterator<Batch> {
  readonly batchSize: number;
  readonly batchCount: number;
  /** The epoch's visiting order, as split indices. */
  readonly order: Uint32Array;
  private readonly x: Float32Array;
  private readonly y: Int32Array;
  private readonly table: Float32Array;
  private readonly seed: number;
  private readonly epoch: number;
  private readonly augment: Augmentation;
  private batch = 0;

  constructor(
    readonly split: Split,
    options: BatchOptions,
  ) {
    const { batchSize, seed = 0, epoch = 0, shuffle = true, dropLast = false, augment = 'none', normalize } = options;
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new UsageError(`batch size must be a positive integer, got ${batchSize}`);
    const { channels } = split;
    if (normalize.mean.length !== channels || normalize.std.length !== channels) {
      throw new UsageError(
        `normalisation needs ${channels} means and standard deviations, got ${normalize.mean.length} and ${normalize.std.length}`,
      );
    }
    if (normalize.std.some((s) => !(s > 0)))
      throw new UsageError(`normalisation standard deviations must be positive, got ${normalize.std.join(', ')}`);
    this.batchSize = batchSize;
    this.seed = seed;
    this.epoch = epoch;
    this.augment = augment;
    this.batchCount = dropLast ? Math.floor(split.count / batchSize) : Math.ceil(split.count / batchSize);
    this.order = shuffle ? shuffledOrder(split.count, seed, epoch) : Uint32Array.from({ length: split.count }, (_, i) => i);
    this.x = new Float32Array(batchSize * split.height * split.width * channels);
    this.y = new Int32Array(batchSize);
    this.table = makeNormalizationTable(normalize.mean, normalize.std);
  }

  next(): IteratorResult<Batch> {
    if (this.batch >= this.batchCount) return { done: true, value: undefined };
    const { split, batchSize, x, y, table } = this;
    const start = this.batch++ * batchSize;
    const size = Math.min(batchSize, split.count - start);
    const imageSize = split.height * split.width * split.channels;
    const indices = this.order.subarray(start, start + size);
    for (let i = 0; i < size; i++) {
      const n = indices[i];
      y[i] = split.labels[n];
      if (this.augment === 'cifar') {
        writeAugmented(split.images, n * imageSize, x, i * imageSize, split, table, drawCifarAugmentation(this.seed, this.epoch, n));
      } else {
        writeNormalized(split.images, n * imageSize, x, i * imageSize, imageSize, split.channels, table);
      }
    }
    const full = size === batchSize;
    return {
      done: false,
      value: { x: full ? x : x.subarray(0, size * imageSize), y: full ? y : y.subarray(0, size), indices, size },
    };
  }

  [Symbol.iterator](): this {
    return this;
  }
}

export function batchesOf(split: Split, options: BatchOptions): BatchIterator {
  return new BatchIterator(split, options);
}

/**
 * Holds out a seeded `fraction` of `split` for validation. Every sample lands in exactly one
 * part; each part keeps the split's original order.
 */
export function splitTrainValidation(split: Split, fraction: number, seed: number): { train: Split; validation: Split } {
  if (!(fraction >= 0 && fraction < 1)) throw new UsageError(`validation fraction must be in [0, 1), got ${fraction}`);
  const held = Math.round(split.count * fraction);
  const order = permutation(split.count, new Rng(deriveSeed(seed, STREAM.validation)));
  const validation = order.slice(0, held).sort();
  const train = order.slice(held).sort();
  return { train: selectSamples(split, train), validation: selectSamples(split, validation) };
}
