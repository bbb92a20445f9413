/**
 * Paths through the supernet (method.md §4): what a weight step and an arch step sample from
 * α and β, the derived (argmax) genotype, and a genotype as a path — plain data, the same on
 * every replica, drawn from the step's random stream.
 */
import type { Rng } from '../core/random.js';
import { argmax, entropy, perturb, softGumbel, topK } from './sampling.js';
import type { Supernet } from './supernet.js';
import type { GenotypeSpec } from './types.js';

/** A weight step's path: one op per cell and a soft sample over its bitwidths. */
export interface WeightPath {
  readonly kind: 'weight';
  readonly cells: readonly { readonly op: number; readonly coef: readonly number[] }[];
}

/** An arch step's path: the top-2 ops of each cell and the top-2 bitwidths of each of them. */
export interface ArchPath {
  readonly kind: 'arch';
  readonly cells: readonly {
    readonly ops: readonly number[];
    /** The Gumbel noise added to those ops' logits. */
    readonly opNoise: readonly number[];
    /**
     * Per active op: the ranked bitwidths that are active and their noise; `soft`: all of them,
     * mixed by their Gumbel-softmax weights (the soft-sampling ablation) instead of the
     * straight-through top-k.
     */
    readonly bits: readonly { readonly top: readonly number[]; readonly noise: readonly number[]; readonly soft?: boolean }[];
  }[];
}

/** How bitwidths are sampled (method.md §4 and its two ablations). */
export type SamplingMode = 'heterogeneous' | 'hard' | 'soft';

/** Logits as plain arrays: α[cell][op], β[cell][op][bit]. */
export interface Logits {
  readonly alpha: number[][];
  readonly beta: number[][][];
}

export function readLogits(net: Supernet): Logits {
  return { alpha: net.alpha.arraySync() as number[][], beta: net.beta.arraySync() as number[][][] };
}

/**
 * A weight step's path: the Gumbel top-1 op of each cell; its bitwidth coefficients are a soft
 * Gumbel-softmax sample (heterogeneous, soft) or a one-hot Gumbel top-1 (hard).
 */
export function sampleWeightPath(logits: Logits, temperature: number, rng: Rng, mode: SamplingMode = 'heterogeneous'): WeightPath {
  return {
    kind: 'weight',
    cells: logits.alpha.map((a, i) => {
      const op = argmax(perturb(a, rng));
      const row = logits.beta[i][op];
      if (mode !== 'hard') return { op, coef: softGumbel(row, temperature, rng) };
      const bit = argmax(perturb(row, rng));
      return { op, coef: row.map((_, j) => (j === bit ? 1 : 0)) };
    }),
  };
}

/**
 * An arch step's path: the Gumbel top-2 ops of each cell; inside each, the top-2 bitwidths
 * (heterogeneous), the top-1 (hard) or all of them softly (soft).
 */
export function sampleArchPath(logits: Logits, rng: Rng, mode: SamplingMode = 'heterogeneous'): ArchPath {
  const topWithNoise = (values: readonly number[], k: number) => {
    const noisy = perturb(values, rng);
    const top = topK(noisy, Math.min(k, values.length));
    return { top, noise: top.map((i) => noisy[i] - values[i]) };
  };
  const bitsK = mode === 'hard' ? 1 : mode === 'soft' ? Number.POSITIVE_INFINITY : 2;
  return {
    kind: 'arch',
    cells: logits.alpha.map((a, i) => {
      const ops = topWithNoise(a, 2);
      return {
        ops: ops.top,
        opNoise: ops.noise,
        bits: ops.top.map((op) => ({ ...topWithNoise(logits.beta[i][op], bitsK), ...(mode === 'soft' ? { soft: true } : {}) })),
      };
    }),
  };
}

/** The derived network: argmax op of each cell, argmax bitwidth of that op. */
export function derivedGenotype(net: Supernet, logits: Logits): GenotypeSpec {
  return {
    version: 1,
    space: net.space.name,
    cells: logits.alpha.map((a, i) => {
      const op = argmax(a);
      return { op: net.ops[op], bits: net.bits[argmax(logits.beta[i][op])] };
    }),
  };
}

/** Indices of a genotype's choices (op, bit) per cell. */
export function choicesOf(net: Supernet, genotype: GenotypeSpec): { op: number; bit: number }[] {
  return genotype.cells.map((c) => ({ op: net.ops.indexOf(c.op), bit: net.bits.indexOf(c.bits) }));
}

/**
 * A genotype as a weight-step path: its ops, each at its one bitwidth (for recalibrating the
 * running statistics of that path before evaluating it).
 */
export function genotypePath(net: Supernet, genotype: GenotypeSpec): WeightPath {
  return {
    kind: 'weight',
    cells: choicesOf(net, genotype).map(({ op, bit }) => ({ op, coef: net.bits.map((_, j) => (j === bit ? 1 : 0)) })),
  };
}

/** softmax entropy averaged over cells (α) and over (cell, op) pairs (β). */
export function logitEntropies(logits: Logits): { alpha: number; beta: number } {
  const alpha = logits.alpha.reduce((s, row) => s + entropy(row), 0) / logits.alpha.length;
  const rows = logits.beta.flat();
  return { alpha, beta: rows.reduce((s, row) => s + entropy(row), 0) / rows.length };
}
