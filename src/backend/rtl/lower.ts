/**
 * lowerProgramToRtl — the layer program → every number the RTL files print (pure): per chunk
 * the engine's compile-time sizes (PE array, DMA lanes, buffer depths: the program's buffer
 * words, which the resource model charges, rounded up to powers of two) and the
 * program RAM image (header with the chunk's runtime configuration, one descriptor per layer).
 * Formats: docs/rtl.md.
 */
import { poolWindowRange } from '../../core/layer-geometry.js';
import type { ChunkProgram, LayerDescriptor, ProgramSpec } from '../types.js';

export const PROGRAM_MAGIC = 0x54524950; // "TRIP"
export const PROGRAM_VERSION = 1;
export const HEADER_WORDS = 16;
export const DESCRIPTOR_WORDS = 32;
/** Fractional bits of the port rate in the header (bits per cycle · 2^16). */
export const PORT_FRACTION_BITS = 16;

/** Names of the header words (the rest are reserved, 0). */
export const HEADER_FIELDS = [
  'magic',
  'version',
  'layers',
  'flags: parallel mp | loopOrder ws << 1 | depthwise << 2',
  'tileM',
  'tileN',
  'tileR',
  'tileC',
  'peM',
  'peN',
  'port bits per cycle · 2^16',
];
/** Names of the descriptor words (the rest are reserved, 0). */
export const DESCRIPTOR_FIELDS = [
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
  'inBits',
  'outBits',
  'layer index',
  'requant entries',
  'first requant entry',
];

/** Bits per value the DMA moves for requantisation parameters (docs/rtl.md "DRAM packing"). */
export const PARAM_BITS = { bias: 64, mulShift: 32, perm: 16 } as const;
/** Bits of one integer logit a raw-output fc writes. */
export const LOGIT_BITS = 32;

/** Compile-time parameters of one chunk engine (trips_chunk's Verilog parameters). */
export interface RtlSizes {
  readonly PE_M: number;
  readonly PE_N: number;
  readonly LANES: number;
  readonly ACT_W: number;
  readonly W_W: number;
  readonly IN_HALF: number;
  readonly W_HALF: number;
  readonly W_WORDS: number;
  readonly ACC_WORDS: number;
  readonly RQ_WORDS: number;
  readonly PROG_WORDS: number;
}

export const RTL_SIZE_NAMES: readonly (keyof RtlSizes)[] = [
  'PE_M',
  'PE_N',
  'LANES',
  'ACT_W',
  'W_W',
  'IN_HALF',
  'W_HALF',
  'W_WORDS',
  'ACC_WORDS',
  'RQ_WORDS',
  'PROG_WORDS',
];

export interface RtlLayer {
  readonly index: number;
  readonly name: string;
  readonly ident: string;
  /** Input and output bits per value on the port (raw fc: 32). */
  readonly inBits: number;
  readonly outBits: number;
  /**
   * Requantisation entries the layer loads, from `firstEntry` (conv: outC from 0; add: 2 from 0;
   * pool: the window sizes that occur, smallest to largest, of the kernel² table).
   */
  readonly entries: number;
  readonly firstEntry: number;
  readonly words: readonly number[];
}

export interface RtlChunk {
  readonly index: number;
  readonly id: string;
  readonly ident: string;
  readonly sizes: RtlSizes;
  /** Runtime configuration, as the header stores it. */
  readonly config: {
    readonly parallel: 0 | 1;
    readonly loopOrder: 0 | 1;
    readonly depthwise: 0 | 1;
    readonly tileM: number;
    readonly tileN: number;
    readonly tileR: number;
    readonly tileC: number;
    readonly peM: number;
    readonly peN: number;
    readonly portFx: number;
  };
  readonly layers: readonly RtlLayer[];
  /** The program RAM image: header then descriptors, 32-bit words. */
  readonly program: readonly number[];
}

export interface RtlProgram {
  readonly designHash: string;
  readonly actBits: number;
  readonly chunks: readonly RtlChunk[];
}

/** Smallest power of two ≥ max(n, floor). */
export function pow2(n: number, floor = 2): number {
  let p = floor;
  while (p < n) p *= 2;
  return p;
}

/** Bits of a layer's input and output values on the port: the tensors' code widths. */
function layerBits(program: ProgramSpec, l: LayerDescriptor): { inBits: number; outBits: number } {
  const slotAt = (address: number) =>
    address === program.input.address ? program.input : program.tensors.find((t) => t.address === address);
  const input = slotAt(l.inAddr);
  const output = l.rawOut ? undefined : program.tensors.find((t) => t.name === l.name);
  return { inBits: input?.bits ?? 8, outBits: output?.bits ?? LOGIT_BITS };
}

function entriesOf(l: LayerDescriptor): { entries: number; firstEntry: number } {
  if (l.op === 'add') return { entries: 2, firstEntry: 0 };
  if (l.op !== 'pool') return { entries: l.outC, firstEntry: 0 };
  const { min, max } = poolWindowRange(l);
  return { entries: max - min + 1, firstEntry: min - 1 };
}

function descriptorWords(
  l: LayerDescriptor,
  bits: { inBits: number; outBits: number },
  e: { entries: number; firstEntry: number },
): number[] {
  const words = [
    l.opcode,
    l.inH,
    l.inW,
    l.inC,
    l.outH,
    l.outW,
    l.outC,
    l.kernel,
    l.stride,
    l.pad,
    l.groups,
    l.inPer,
    l.outPer,
    l.inAddr,
    l.in2Addr,
    l.outAddr,
    l.weightOffset,
    l.requantOffset,
    l.permOffset,
    l.clampLo,
    l.clampHi,
    l.rawOut,
    bits.inBits,
    bits.outBits,
    l.index,
    e.entries,
    e.firstEntry,
  ].map((v) => v >>> 0);
  while (words.length < DESCRIPTOR_WORDS) words.push(0);
  return words;
}

export function lowerChunk(program: ProgramSpec, chunk: ChunkProgram): RtlChunk {
  const p = chunk.params;
  const descs = chunk.layers.map((i) => program.layers[i]);
  const layers: RtlLayer[] = descs.map((l) => {
    const bits = layerBits(program, l);
    const entries = entriesOf(l);
    return { index: l.index, name: l.name, ident: l.ident, ...bits, ...entries, words: descriptorWords(l, bits, entries) };
  });
  const b = chunk.buffers;
  const os = p.loopOrder === 'os';
  const minBits = Math.min(PARAM_BITS.perm, ...layers.flatMap((l) => [l.inBits, l.outBits]));
  const wHalf = os ? pow2(b.weightWords) : 2;
  const config = {
    parallel: p.parallel === 'mp' ? 1 : 0,
    loopOrder: os ? 0 : 1,
    depthwise: chunk.kind === 'dw' ? 1 : 0,
    tileM: p.tileM,
    tileN: p.tileN,
    tileR: p.tileR,
    tileC: p.tileC,
    peM: p.peM,
    peN: p.peN,
    portFx: Math.floor(chunk.portBitsEffective * 2 ** PORT_FRACTION_BITS),
  } as const;
  const header = [PROGRAM_MAGIC, PROGRAM_VERSION, layers.length, config.parallel | (config.loopOrder << 1) | (config.depthwise << 2)];
  header.push(config.tileM, config.tileN, config.tileR, config.tileC, config.peM, config.peN, config.portFx);
  while (header.length < HEADER_WORDS) header.push(0);
  const words = [...header, ...layers.flatMap((l) => l.words)];
  const sizes: RtlSizes = {
    PE_M: p.peM,
    PE_N: p.peN,
    LANES: Math.max(4, Math.floor(p.portBits / minBits) + 1),
    ACT_W: program.actBits,
    W_W: chunk.bits,
    IN_HALF: pow2(b.inputWords),
    W_HALF: wHalf,
    W_WORDS: os ? 2 * wHalf : pow2(b.weightWords),
    ACC_WORDS: pow2(b.accWords),
    RQ_WORDS: pow2(Math.max(...layers.map((l) => l.entries))),
    PROG_WORDS: pow2(words.length),
  };
  return { index: chunk.index, id: chunk.id, ident: chunk.ident, sizes, config: { ...config }, layers, program: words };
}

/** Every chunk of the program, in design order. */
export function lowerProgramToRtl(program: ProgramSpec): RtlProgram {
  return { designHash: program.designHash, actBits: program.actBits, chunks: program.chunks.map((c) => lowerChunk(program, c)) };
}
