/**
 * The synthetic dataset — stage: data. In: its options (classes, shape, sample counts, noise,
 * seed). Out: a learnable stand-in Dataset for tests and smoke runs: each class a smooth random
 * pattern, each sample its pattern plus Gaussian noise, classes balanced. What stays true: it is
 * deterministic — the same options give the same bytes.
 */
import { UsageError } from '../core/diagnostics.js';
import { Rng } from '../core/random.js';
import { STREAM, deriveSeed } from '../core/seed.js';
import { makeDataset, makeSplit } from './split.js';
import type { Dataset, Split } from './types.js';

interface SyntheticOptions {
  readonly classes?: number;
  readonly height?: number;
  readonly width?: number;
  readonly channels?: number;
  readonly train?: number;
  readonly test?: number;
  readonly seed?: number;
  /** Standard deviation of the per-pixel Gaussian noise, in 0..255 units. */
  readonly noise?: number;
}

/** Coarse grid of each template: smooth enough for a conv to pick up, random enough to differ. */
const GRID = 4;

/**
 * A learnable stand-in dataset for tests and smoke runs: each class is a fixed smooth random
 * pattern (a GRID × GRID grid of random levels, bilinearly upsampled); a sample is its class
 * pattern plus Gaussian noise, clipped to 0..255. A tiny network separates the classes within a
 * few epochs. Deterministic: the same options give the same bytes.
 */
export function makeSynthetic(options: SyntheticOptions = {}): Dataset {
  const { classes = 10, height = 28, width = 28, channels = 1, train = 512, test = 128, seed = 0, noise = 40 } = options;
  for (const [name, value] of Object.entries({ classes, height, width, channels, train, test })) {
    if (!Number.isInteger(value) || value < 1) throw new UsageError(`synthetic dataset: ${name} must be a positive integer, got ${value}`);
  }
  if (classes > 256) throw new UsageError(`synthetic dataset: at most 256 classes fit a byte label, got ${classes}`);
  const shape = { height, width, channels };
  const templates = makeTemplates(new Rng(deriveSeed(seed, STREAM.synthetic, 0)), classes, shape);
  const sample = (count: number, stream: number): Split =>
    sampleSplit(new Rng(deriveSeed(seed, STREAM.synthetic, stream)), templates, count, classes, shape, noise);
  const classNames = Array.from({ length: classes }, (_, k) => `class ${k}`);
  return makeDataset('synthetic', classNames, sample(train, 1), sample(test, 2));
}

interface Shape {
  readonly height: number;
  readonly width: number;
  readonly channels: number;
}

function makeTemplates(rng: Rng, classes: number, shape: Shape): Float32Array[] {
  const { height, width, channels } = shape;
  const templates: Float32Array[] = [];
  for (let k = 0; k < classes; k++) {
    const grid = Float32Array.from({ length: GRID * GRID * channels }, () => 255 * rng.next());
    const template = new Float32Array(height * width * channels);
    for (let y = 0; y < height; y++) {
      const gy = height === 1 ? 0 : (y * (GRID - 1)) / (height - 1);
      const y0 = Math.min(Math.floor(gy), GRID - 2);
      const fy = gy - y0;
      for (let x = 0; x < width; x++) {
        const gx = width === 1 ? 0 : (x * (GRID - 1)) / (width - 1);
        const x0 = Math.min(Math.floor(gx), GRID - 2);
        const fx = gx - x0;
        for (let c = 0; c < channels; c++) {
          const at = (yy: number, xx: number): number => grid[(yy * GRID + xx) * channels + c];
          const top = at(y0, x0) * (1 - fx) + at(y0, x0 + 1) * fx;
          const bottom = at(y0 + 1, x0) * (1 - fx) + at(y0 + 1, x0 + 1) * fx;
          template[(y * width + x) * channels + c] = top * (1 - fy) + bottom * fy;
        }
      }
    }
    templates.push(template);
  }
  return templates;
}

function sampleSplit(rng: Rng, templates: Float32Array[], count: number, classes: number, shape: Shape, noise: number): Split {
  const size = shape.height * shape.width * shape.channels;
  // Balanced classes in a seeded order, so no prefix of the split is missing a class by design.
  const labels = Uint8Array.from({ length: count }, (_, i) => i % classes);
  for (let i = count - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = labels[i];
    labels[i] = labels[j];
    labels[j] = t;
  }
  const images = new Uint8Array(count * size);
  for (let n = 0; n < count; n++) {
    const template = templates[labels[n]];
    for (let p = 0; p < size; p++) {
      const v = template[p] + noise * gaussian(rng);
      images[n * size + p] = v <= 0 ? 0 : v >= 255 ? 255 : Math.round(v);
    }
  }
  return makeSplit(images, labels, shape);
}

/** Box–Muller; `next()` is never 0, so the log is finite. */
function gaussian(rng: Rng): number {
  return Math.sqrt(-2 * Math.log(rng.next())) * Math.cos(2 * Math.PI * rng.next());
}
