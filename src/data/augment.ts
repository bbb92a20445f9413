/**
 * Normalisation and CIFAR augmentation — stage: data. In: raw image bytes, per-channel mean and
 * standard deviation, a crop-and-flip. Out: normalised Float32 pixels written into a batch (one
 * table read per pixel). What stays true: a sample's augmentation depends on (seed, epoch, sample
 * index) only; padding is a raw 0 byte, normalised like any other.
 */
import { Rng } from '../core/random.js';
import { STREAM, deriveSeed } from '../core/seed.js';

/** CIFAR's standard augmentation: pad 4 pixels of zeros, crop back to size at a random spot. */
const CIFAR_PAD = 4;

/**
 * One sample's augmentation: the crop window moved by (dy, dx) ∈ [-pad, pad]² from the centre,
 * then, if `flip`, mirrored left–right. Output pixel (y, x) is input pixel
 * (y + dy, (flip ? width - 1 - x : x) + dx), or a raw 0 where that falls outside the image.
 */
interface CropFlip {
  readonly dy: number;
  readonly dx: number;
  readonly flip: boolean;
}

/** Depends on (seed, epoch, sample index) only, so neither batch size nor resuming changes it. */
export function drawCifarAugmentation(seed: number, epoch: number, index: number): CropFlip {
  const rng = new Rng(deriveSeed(seed, STREAM.augment, epoch, index));
  const dy = rng.int(2 * CIFAR_PAD + 1) - CIFAR_PAD;
  const dx = rng.int(2 * CIFAR_PAD + 1) - CIFAR_PAD;
  return { dy, dx, flip: rng.next() < 0.5 };
}

interface ImageShape {
  readonly height: number;
  readonly width: number;
  readonly channels: number;
}

/**
 * Per-channel lookup of `(v / 255 - mean[c]) / std[c]` for every byte v, at `c * 256 + v`:
 * normalising becomes one table read per pixel.
 */
export function makeNormalizationTable(mean: readonly number[], std: readonly number[]): Float32Array {
  const table = new Float32Array(256 * mean.length);
  for (let c = 0; c < mean.length; c++) {
    for (let v = 0; v < 256; v++) table[c * 256 + v] = (v / 255 - mean[c]) / std[c];
  }
  return table;
}

/** Normalises one image from `source[from…]` into `target[to…]`. */
export function writeNormalized(
  source: Uint8Array,
  from: number,
  target: Float32Array,
  to: number,
  size: number,
  channels: number,
  table: Float32Array,
): void {
  if (channels === 1) {
    for (let p = 0; p < size; p++) target[to + p] = table[source[from + p]];
    return;
  }
  for (let p = 0; p < size; p += channels) {
    for (let c = 0; c < channels; c++) target[to + p + c] = table[c * 256 + source[from + p + c]];
  }
}

/** Like `writeNormalized`, through a crop-and-flip; padding is a raw 0 byte, normalised. */
export function writeAugmented(
  source: Uint8Array,
  from: number,
  target: Float32Array,
  to: number,
  shape: ImageShape,
  table: Float32Array,
  crop: CropFlip,
): void {
  const { height, width, channels } = shape;
  for (let y = 0; y < height; y++) {
    const sy = y + crop.dy;
    for (let x = 0; x < width; x++) {
      const sx = (crop.flip ? width - 1 - x : x) + crop.dx;
      const out = to + (y * width + x) * channels;
      const inside = sy >= 0 && sy < height && sx >= 0 && sx < width;
      const at = from + (sy * width + sx) * channels;
      for (let c = 0; c < channels; c++) target[out + c] = table[c * 256 + (inside ? source[at + c] : 0)];
    }
  }
}
