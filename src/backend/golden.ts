/**
 * Golden vectors of a layer program: seeded normalised images through the golden integer model
 * (quant/), every layer's output codes kept — what the HLS testbench and the RTL co-simulation
 * compare against, word for word.
 */
import { gaussianValues, Rng } from '../core/random.js';
import { runInteger } from '../quant/golden.js';
import type { IntegerModel } from '../quant/model-types.js';
import type { GoldenVectors, ProgramSpec } from './types.js';

/**
 * Word-wise FNV-1a over 32-bit two's-complement codes: h = (h ⊕ word) · 16777619 mod 2^32 from
 * 2166136261. The testbench computes the same over the arena.
 */
export function hashWords(words: ArrayLike<number>, from = 0, count = words.length - from): number {
  let h = 2166136261;
  for (let i = from; i < from + count; i++) h = Math.imul((h ^ words[i]) >>> 0, 16777619) >>> 0;
  return h;
}

/** Run `images` seeded images through the golden model and keep every layer's codes. */
export function computeGoldenVectors(model: IntegerModel, program: ProgramSpec, images: number, seed: number): GoldenVectors {
  const { height, width, channels } = model.input;
  const words = height * width * channels;
  const x = gaussianValues(new Rng(seed), images * words);
  const result = runInteger(model, x, images, { layers: true });
  const all = result.layers as Map<string, Int32Array>;
  const perImage = (codes: Int32Array, n: number) =>
    Array.from({ length: images }, (_, i) => Array.from(codes.subarray(i * n, (i + 1) * n)));
  const layers: Record<string, number[][]> = {};
  for (const t of program.tensors) layers[t.name] = perImage(all.get(t.name) as Int32Array, t.words);
  const last = program.layers[program.layers.length - 1];
  const lastLayer = model.layers[model.layers.length - 1];
  let scores: number[][];
  if (program.scores === 'logits' && lastLayer.kind === 'fc') {
    const acc = all.get(last.name) as Int32Array;
    const { multiplier, bias } = lastLayer.requant;
    scores = Array.from({ length: images }, (_, i) =>
      Array.from({ length: program.classes }, (_, c) => acc[i * program.classes + c] * multiplier[c] + bias[c]),
    );
  } else {
    scores = layers[last.name].map((row) => row.slice());
  }
  return {
    format: 'trips-hw-golden',
    version: 1,
    designHash: program.designHash,
    modelHash: program.modelHash,
    images,
    seed,
    input: perImage(all.get('input') as Int32Array, words),
    layers,
    scores,
    hashes: Array.from({ length: images }, (_, i) => program.tensors.map((t) => hashWords(layers[t.name][i]))),
  };
}
