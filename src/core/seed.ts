/**
 * Derived seeds: one user seed fans out into independent streams (shuffle of epoch e, augmentation
 * of sample i, …) without any stream depending on how many numbers another one drew. That is
 * what lets a resumed run see exactly the batches an uninterrupted one would have seen.
 */
export function deriveSeed(...parts: readonly number[]): number {
  let h = 0x811c9dc5;
  for (const part of parts) {
    h = Math.imul(h ^ (part >>> 0), 0x01000193);
    h = finalize(h + 0x9e3779b9);
  }
  return h >>> 0;
}

/** murmur3's fmix32: every input bit flips about half the output bits. */
function finalize(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h;
}

/**
 * Every stream tag, in one table, so two uses of the same (seed, epoch) never share a stream:
 * the data pipeline's (1–4) and the search's (11–14 per step, 21–22 per accelerator search).
 */
export const STREAM = {
  shuffle: 1,
  augment: 2,
  validation: 3,
  synthetic: 4,
  weightPath: 11,
  archPath: 12,
  weightBatches: 13,
  archBatches: 14,
  /** The DAS run of the n-th accelerator search during the joint search. */
  hwSearch: 21,
  /** The final accelerator search of the derived network. */
  finalHwSearch: 22,
} as const;
