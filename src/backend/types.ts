/**
 * The layer program: what every hardware view of a design executes, computed once from the
 * design and its integer model by `lowerDesignToProgram` (program.ts). The HLS project and the
 * RTL print exactly these numbers, so the two cannot drift apart.
 *
 * Memory model. Activations live in one DRAM arena of `act` words (signed, `actBits` wide),
 * every tensor at its own address, NHWC; the input image at address 0. Each chunk has its own
 * parameter image: weight codes, requantisation constants and permutation entries, which the
 * chunk's layers address by offset. Layers run one after another in network order, each on its
 * chunk's engine.
 */
import type { ChunkCost, ChunkKind, ChunkParams, LayerCost } from '../accel/types.js';
import type { Window } from '../quant/model-types.js';

/** Operation codes as the descriptors (C++ and RTL) store them. */
export const OPCODES = { conv: 0, dwconv: 1, add: 2, pool: 3, fc: 4 } as const;
export type LayerOp = keyof typeof OPCODES;

/** One activation tensor in the arena. */
export interface TensorSlot {
  readonly name: string;
  /** First word in the activation arena. */
  readonly address: number;
  /** Words (H · W · C). */
  readonly words: number;
  readonly bits: number;
  readonly signed: boolean;
}

/**
 * One layer as its engine reads it: shapes, arena addresses, parameter-image offsets and the
 * clamp bounds. Every field is an integer. Unused fields are 0.
 */
/** The window of a layer, as in the network (fc: a 1×1 map with kernel 1). */
export type LayerWindow = Window;

export interface LayerDescriptor extends LayerWindow {
  readonly index: number;
  readonly name: string;
  /** Legal C / Verilog identifier of the layer (legalised, unique). */
  readonly ident: string;
  readonly op: LayerOp;
  readonly opcode: number;
  /** Index of the chunk that runs the layer, in design order. */
  readonly chunk: number;
  /** Convolution groups, run one after another (1 for all but grouped convs; depthwise: 1). */
  readonly groups: number;
  /**
   * Input channels each output channel reduces over (conv: inC/groups; fc: inC; depthwise: 1)
   * and output channels the out-channel loop walks per group (conv: outC/groups; fc: outC;
   * depthwise: C). Weight codes: [groups·outPer][kernel][kernel][inPer] from `weightOffset`.
   */
  readonly inPer: number;
  readonly outPer: number;
  /** Arena addresses; `in2Addr` only for add. */
  readonly inAddr: number;
  readonly in2Addr: number;
  readonly outAddr: number;
  /** Offsets into the chunk's weight-code, requantisation and permutation images. */
  readonly weightOffset: number;
  readonly requantOffset: number;
  /** −1: no channel shuffle (output channel c is stored at c). */
  readonly permOffset: number;
  readonly clampLo: number;
  readonly clampHi: number;
  /**
   * 1 for a final fc with float logits: the engine writes the integer logits acc·m + c
   * (64-bit) to the score output instead of codes to the arena.
   */
  readonly rawOut: number;
  /** Cycles the analytical model predicts for the layer on its chunk. */
  readonly predictedCycles: number;
  /**
   * The model's raw terms of the layer and the coefficient set that weighs them into
   * `predictedCycles` (accel/estimate.ts, computed once when the program is lowered): the sim
   * records carry them to `calibrate` and the report.
   */
  readonly cost: Pick<LayerCost, 'key' | 'terms'>;
}

/**
 * A descriptor's integers in the order both views hold them (the HLS `layer_t` with `chunk`
 * after `opcode`; the RTL descriptor words followed by what only the engine needs).
 */
export const LAYER_INTEGER_FIELDS = [
  'opcode',
  'inH',
  'inW',
  'inC',
  'outH',
  'outW',
  'outC',
  'kernel',
  'stride',
  'pad',
  'groups',
  'inPer',
  'outPer',
  'inAddr',
  'in2Addr',
  'outAddr',
  'weightOffset',
  'requantOffset',
  'permOffset',
  'clampLo',
  'clampHi',
  'rawOut',
] as const satisfies readonly (keyof LayerDescriptor)[];

/**
 * A chunk's parameter image. Requantisation entries (multiplier, bias, shift) are indexed from
 * a layer's `requantOffset`:
 *   conv / dwconv / fc: one entry per output channel;
 *   add: two entries (the multipliers of input 1 and 2; the shift in the first);
 *   pool: kernel² entries, entry n − 1 for a window of n pixels (unused counts: 0).
 */
export interface ChunkProgram {
  readonly index: number;
  readonly id: string;
  readonly ident: string;
  readonly kind: ChunkKind;
  /** Weight and input-activation bits of the chunk. */
  readonly bits: number;
  readonly params: ChunkParams;
  /**
   * DRAM bits per cycle the chunk's port delivers: portBits, scaled down with every other port
   * when the ports together exceed the board's DRAM bandwidth (as the cost model costs it).
   */
  readonly portBitsEffective: number;
  /** Indices (into `ProgramSpec.layers`) of the chunk's layers, in execution order. */
  readonly layers: readonly number[];
  readonly ops: readonly LayerOp[];
  /** Buffer extents and words (program.ts chunkBuffers; the words are the ones the resource model charges). */
  readonly buffers: ChunkBuffers;
  readonly weights: readonly number[];
  readonly multiplier: readonly number[];
  readonly bias: readonly number[];
  readonly shift: readonly number[];
  readonly perm: readonly number[];
  /** Σ predicted cycles of the chunk's layers. */
  readonly predictedCycles: number;
  /**
   * The DSP, BRAM18, LUT and FF the resource model charges the chunk (accel/estimate.ts, computed
   * once when the program is lowered): `trips-hw synth` carries them into its records, next to
   * what synthesis mapped.
   */
  readonly resources: Pick<ChunkCost, 'dsp' | 'bram18' | 'lut' | 'ff'>;
}

export interface ChunkBuffers {
  /** Out-channel, in-channel, output-row and output-column tile extents. */
  readonly tileM: number;
  readonly tileN: number;
  readonly tileR: number;
  readonly tileC: number;
  /** Input buffer: channels (depthwise: tileM), rows (tileR−1)·S+K, columns (tileC−1)·S+K. */
  readonly inChannels: number;
  readonly inRows: number;
  readonly inCols: number;
  /** Largest kernel of the chunk's MAC layers. */
  readonly kernel: number;
  /** Weight buffer input channels: tileN (os) or every input channel of the widest layer (ws). */
  readonly weightN: number;
  /**
   * Words of the input buffer's half (a MAC step's box; add: both inputs of a tile; pool: a
   * channel tile's map), of one weight copy and of the accumulators: the largest need of any
   * one layer of the chunk, as the resource model charges them (accel/chunk-extents.ts).
   */
  readonly inputWords: number;
  readonly weightWords: number;
  readonly accWords: number;
  /** PE lanes: out channels; in channels (mn) and output columns (mp), the other one 1. */
  readonly lanesM: number;
  readonly lanesN: number;
  readonly lanesC: number;
}

export interface ProgramSpec {
  readonly name: string;
  /** sha256 (hex) of the design's network, accelerator and board. */
  readonly designHash: string;
  /** sha256 (hex) of the integer model (weights, scales, requantisation). */
  readonly modelHash: string;
  readonly classes: number;
  readonly input: TensorSlot & { readonly height: number; readonly width: number; readonly channels: number };
  /** Every layer's output tensor (none for a raw-logit fc), by layer name. */
  readonly tensors: readonly TensorSlot[];
  readonly arenaWords: number;
  /** Bits of a signed arena word: enough for every tensor's codes. */
  readonly actBits: number;
  readonly layers: readonly LayerDescriptor[];
  readonly chunks: readonly ChunkProgram[];
  /** `logits`: the last layer is an fc with float logits (64-bit integer scores); `codes`: quantised outputs. */
  readonly scores: 'logits' | 'codes';
  readonly clockMhz: number;
  /** Cycles the board's DRAM takes to answer a read (the board's dram.readLatencyCycles): the predictions include it. */
  readonly dramLatency: number;
  /** The board's DRAM bandwidth in bits per cycle at the clock, every chunk's port together. */
  readonly dramBitsPerCycle: number;
  readonly predictedFps: number;
}

/** One file of a generated project: a path relative to the output folder and its content. */
export interface GeneratedFile {
  readonly path: string;
  readonly content: string;
}

/**
 * Golden vectors of a program (OUT/golden.json): seeded input images as codes, every layer's
 * output codes (NHWC, as the consumer reads them) and the scores, from the golden integer model.
 */
export interface GoldenVectors {
  readonly format: 'trips-hw-golden';
  readonly version: 1;
  readonly designHash: string;
  readonly modelHash: string;
  readonly images: number;
  readonly seed: number;
  /** [image][input words] input codes. */
  readonly input: readonly (readonly number[])[];
  /** Per layer with an arena tensor (every layer but a raw-logit fc): [image][words]. */
  readonly layers: Readonly<Record<string, readonly (readonly number[])[]>>;
  /** [image][classes]: the integer logits acc·m + c (scores 'logits') or the last layer's codes. */
  readonly scores: readonly (readonly number[])[];
  /** [image][tensor] FNV-1a-32 (word-wise) of every arena tensor, in `ProgramSpec.tensors` order. */
  readonly hashes: readonly (readonly number[])[];
}
