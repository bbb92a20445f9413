/**
 * Search-stage artifacts as plain readonly data: the search space (what may be chosen) and a
 * genotype (what was chosen). Both have a schema in `schemas/`; files are validated at the edge.
 */

export interface SearchSpaceSpec {
  readonly version: 1;
  readonly name: string;
  readonly input: { readonly height: number; readonly width: number; readonly channels: number };
  readonly classes: number;
  /** The fixed first conv: kernel × kernel, `stride`, padding kernel >> 1. */
  readonly stem: { readonly channels: number; readonly stride: number; readonly kernel: number };
  /** Stages in order; the first cell of a stage carries the stage's stride, the others stride 1. */
  readonly stages: readonly SearchStageSpec[];
  /** Candidate ops: `k{K}_e{E}` or `k{K}_e{E}_g{G}` (MBConv) and `skip`. */
  readonly ops: readonly string[];
  /** Candidate bitwidths of a cell (weights and activations share one). */
  readonly bitwidths: readonly number[];
  /** The fixed 1×1 conv before global pooling. */
  readonly head: { readonly channels: number };
  /**
   * Bitwidth of stem, head, pool and fc. Optional in a file (default 8);
   * `resolveSearchSpace` always returns it filled in.
   */
  readonly fixedBits: number;
}

export interface SearchStageSpec {
  readonly cells: number;
  readonly channels: number;
  readonly stride: number;
}

export interface GenotypeSpec {
  readonly version: 1;
  /** A built-in space name (`cifar22`, …) or a search-space file, relative to the genotype file. */
  readonly space: string;
  /** One entry per searchable cell, in network order. */
  readonly cells: readonly GenotypeCellSpec[];
}

export interface GenotypeCellSpec {
  readonly op: string;
  readonly bits: number;
}

/** A candidate op, decoded from its name. */
export type CellOp =
  | { readonly kind: 'skip' }
  | { readonly kind: 'mbconv'; readonly kernel: number; readonly expand: number; readonly groups: number };

/** One searchable cell of a space, with the shapes it sees whatever op is chosen. */
export interface CellSlot {
  readonly index: number;
  readonly stage: number;
  readonly inC: number;
  readonly outC: number;
  readonly stride: number;
}
