/**
 * The accelerator template's data: boards, chunk parameters, the design space, cost
 * coefficients and cost reports. Plain readonly JSON-able types; the behaviour lives in the
 * pure functions of this module.
 */
import type { NetworkSpec } from '../core/network.js';
import type { Provenance } from '../core/provenance.js';

export interface BoardSpec {
  readonly version: 1;
  readonly name: string;
  readonly displayName: string;
  readonly part: string;
  readonly family: string;
  readonly resources: { readonly dsp: number; readonly bram18: number; readonly lut: number; readonly ff: number };
  readonly clockMhz: number;
  readonly dram: {
    readonly bandwidthGBps: number;
    /** Cycles from a DMA read request to its answer (default 0); every read chain pays it once. */
    readonly readLatencyCycles?: number;
    readonly description: string;
  };
  /** MACs one DSP slice performs per cycle at each bitwidth (operand packing). */
  readonly dspPacking: Readonly<Record<string, number>>;
  readonly sources: readonly string[];
}

/** PE array Tm×Tn over out×in channels (`mn`), or Tm out-channels × Tn output columns (`mp`). */
export type ParallelMode = 'mn' | 'mp';
/**
 * `os` output-stationary: input-channel tiles innermost, partial sums stay on chip, weights are
 * re-fetched for every spatial tile. `ws` weight-reuse: the weights of an out-channel tile for
 * all input channels are loaded once and stay on chip while spatial tiles stream past.
 */
export type LoopOrder = 'os' | 'ws';
/** Standard / pointwise / fc convolutions vs depthwise; add and pool ride on their producer's chunk. */
export type ChunkKind = 'conv' | 'dw';
export type MapSize = 'large' | 'small';

export interface ChunkParams {
  readonly parallel: ParallelMode;
  readonly loopOrder: LoopOrder;
  /** Buffer tiles: out channels, in channels, output rows, output columns. */
  readonly tileM: number;
  readonly tileN: number;
  readonly tileR: number;
  readonly tileC: number;
  /** PE unroll: peM ≤ tileM; peN ≤ tileN (mn) or ≤ tileC (mp). */
  readonly peM: number;
  readonly peN: number;
  /** Width of the chunk's DRAM port in bits per cycle. */
  readonly portBits: number;
}

export const CHUNK_PARAM_NAMES = ['parallel', 'loopOrder', 'tileM', 'tileN', 'tileR', 'tileC', 'peM', 'peN', 'portBits'] as const;
export type ChunkParamName = (typeof CHUNK_PARAM_NAMES)[number];

export interface ChunkSpec {
  readonly id: string;
  readonly kind: ChunkKind;
  readonly size: MapSize;
  readonly bits: number;
  readonly layers: readonly string[];
  readonly params: ChunkParams;
}

export interface AcceleratorSpec {
  readonly clockMhz: number;
  readonly chunks: readonly ChunkSpec[];
}

/** Option lists of every chunk parameter: the space DAS, random and exhaustive all search. */
export interface DesignSpaceSpec {
  readonly parallel: readonly ParallelMode[];
  readonly loopOrder: readonly LoopOrder[];
  readonly tileM: readonly number[];
  readonly tileN: readonly number[];
  readonly tileR: readonly number[];
  readonly tileC: readonly number[];
  readonly pe: readonly number[];
  readonly portBits: readonly number[];
}

/** Coefficients of the linear cycle model `cycles = Σ_k coef_k · term_k` (see cost-model.ts). */
export interface CostCoefficients {
  readonly overlap: number;
  readonly prologue: number;
  readonly weightLoad: number;
  readonly output: number;
  readonly params: number;
  readonly steps: number;
  readonly tiles: number;
  readonly fixed: number;
}
export const COST_TERMS = ['overlap', 'prologue', 'weightLoad', 'output', 'params', 'steps', 'tiles', 'fixed'] as const;
export type CostTerm = (typeof COST_TERMS)[number];

/** Which coefficient set a layer uses: its execution class and its chunk's loop order. */
export type LayerClass = 'conv' | 'dw' | 'eltwise';
export type CoefficientKey = `${LayerClass}/${LoopOrder}`;

export interface CalibrationSpec {
  readonly version: 1;
  readonly coefficients: Readonly<Partial<Record<CoefficientKey, CostCoefficients>>>;
  readonly source?: string;
  /** Fitted LUT and FF coefficients of the resource model (accel/resources.ts LOGIC_TERMS); absent: the defaults. */
  readonly resources?: { readonly lut: Readonly<Record<string, number>>; readonly ff: Readonly<Record<string, number>> };
}

export interface LayerCost {
  readonly name: string;
  readonly kind: string;
  readonly chunk: string;
  readonly cycles: number;
  /** The coefficient set that weighs the terms (class / loop order), and the model's raw terms. */
  readonly key: CoefficientKey;
  readonly terms: Readonly<Record<CostTerm, number>>;
  readonly macs: number;
  /** MACs per cycle achieved over the chunk's peak MACs per cycle. */
  readonly peUtilisation: number;
}

export interface ChunkCost {
  readonly id: string;
  readonly cycles: number;
  readonly layers: number;
  readonly dsp: number;
  readonly bram18: number;
  readonly lut: number;
  readonly ff: number;
  readonly portBitsEffective: number;
}

export interface CostReport {
  readonly feasible: boolean;
  /** Why the design is infeasible; absent when feasible. */
  readonly reason?: string;
  readonly fps: number;
  readonly latencyCycles: number;
  readonly latencyMs: number;
  readonly bottleneckCycles: number;
  readonly clockMhz: number;
  readonly dsp: number;
  readonly bram18: number;
  readonly lut: number;
  readonly ff: number;
  readonly utilisation: { readonly dsp: number; readonly bram18: number; readonly lut: number; readonly ff: number };
  readonly chunks: readonly ChunkCost[];
  readonly layers: readonly LayerCost[];
}

export interface DesignPoint {
  readonly version: 1;
  readonly name: string;
  readonly network: NetworkSpec;
  readonly board: BoardSpec;
  readonly accelerator: AcceleratorSpec;
  readonly space: DesignSpaceSpec;
  readonly predicted: {
    readonly feasible: boolean;
    readonly reason?: string;
    readonly fps: number;
    readonly latencyCycles: number;
    readonly dsp: number;
    readonly bram18: number;
    readonly lut: number;
  };
  readonly explore?: {
    readonly strategy: string;
    readonly samples: number;
    readonly seed: number;
    /** differentiable: the share of the samples spent refining DAS's best design by annealing. */
    readonly refine?: number;
    /** DAS logits per chunk id and parameter, to warm-start a later search. */
    readonly logits?: Readonly<Record<string, Readonly<Record<string, readonly number[]>>>>;
  };
  readonly provenance: Provenance;
  /** How `trips-hw search` found the network (absent for a network brought by the user). */
  readonly search?: SearchRecord;
}

/** The search block of a design (schemas/design.schema.json#/definitions/search). */
export interface SearchRecord {
  readonly preset: string;
  readonly dataset: string;
  readonly genotype: {
    readonly version: 1;
    readonly space: string;
    readonly cells: readonly { readonly op: string; readonly bits: number }[];
  };
  readonly hwSearch: 'joint' | 'once';
  readonly sampling: 'heterogeneous' | 'hard' | 'soft';
  readonly lambda: number;
  readonly fpsWindow: readonly number[];
  readonly epochs: number;
}
