/**
 * The sampling arithmetic of heterogeneous sampling (method.md §4), on plain arrays so it is
 * the same on every replica and testable without TF.js: Gumbel perturbation, top-k ranking,
 * soft Gumbel-softmax, and the offset correction of active logits after an arch step.
 */
import type { Rng } from '../core/random.js';

/** logits + standard Gumbel noise. */
export function perturb(logits: ArrayLike<number>, rng: Rng): number[] {
  return Array.from(logits, (l) => l + rng.gumbel());
}

/** Indices of the k largest values, largest first (ties: the lower index first). */
export function topK(values: ArrayLike<number>, k: number): number[] {
  return Array.from(values, (_, i) => i)
    .sort((a, b) => values[b] - values[a] || a - b)
    .slice(0, k);
}

export function argmax(values: ArrayLike<number>): number {
  return topK(values, 1)[0];
}

/** softmax(v / T), computed stably. */
export function softmax(values: ArrayLike<number>, temperature = 1): number[] {
  const scaled = Array.from(values, (v) => v / temperature);
  const peak = Math.max(...scaled);
  const e = scaled.map((v) => Math.exp(v - peak));
  const total = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / total);
}

/** A soft Gumbel-softmax sample: softmax((logits + g) / T). */
export function softGumbel(logits: ArrayLike<number>, temperature: number, rng: Rng): number[] {
  return softmax(perturb(logits, rng), temperature);
}

/** Entropy (nats) of softmax(logits). */
export function entropy(logits: ArrayLike<number>): number {
  return -softmax(logits).reduce((h, p) => (p > 0 ? h + p * Math.log(p) : h), 0);
}

/**
 * After an arch step, shift the active candidates' logits so that together they keep the
 * probability mass they had before the step (method.md §4): inactive candidates, which got no
 * gradient, keep their probability. `after` is corrected in place.
 */
export function correctOffsets(before: ArrayLike<number>, after: Float32Array | number[], active: readonly number[]): void {
  const lse = (v: ArrayLike<number>) => {
    const peak = Math.max(...active.map((i) => v[i]));
    return peak + Math.log(active.reduce((s, i) => s + Math.exp(v[i] - peak), 0));
  };
  const shift = lse(before) - lse(after);
  for (const i of active) after[i] += shift;
}
