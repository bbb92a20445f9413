/**
 * Chunk extents and buffer words — accel, shared by the resource model (resources.ts, in the
 * search's hot path) and the layer program (backend/program.ts, which sizes the engines' and
 * the HLS project's buffers). In: a chunk's layers, kind and bits, and its tiles. Out: the
 * extents the design space covers, and the words of the input (one half of the double
 * buffer), weight (one copy) and accumulator buffers — the largest need of any one layer the
 * chunk runs, add and pool included, computed by one function so that the BRAM the model
 * charges is the BRAM the hardware gets.
 */
import type { LayerSpec } from '../core/network.js';
import { inputSpan, isMacKind, poolTableEntries, reducedN, walkedM } from '../core/layer-geometry.js';
import { macsPerDsp } from './boards.js';
import type { BoardSpec, ChunkKind, ChunkParams } from './types.js';

/** The chunk's layers as the buffers see them, and the extents the design space covers. */
export interface ChunkExtents {
  readonly dw: boolean;
  readonly bits: number;
  readonly macsPerDsp: number;
  /** Largest out channels walked, output rows and columns over every layer of the chunk. */
  readonly maxM: number;
  /** Input channels per group, largest over the chunk's MAC layers (1 when none). */
  readonly maxN: number;
  readonly maxR: number;
  readonly maxC: number;
  /** Distinct buffer shapes of the chunk's layers, NEED_SIZE numbers each (NEED_* below). */
  readonly needs: Float64Array;
  /** Layers the chunk runs (its program RAM holds one descriptor each). */
  readonly layers: number;
  /** Bits of an activation word on chip: the widest input code of the chunk's layers, signed. */
  readonly actW: number;
}

export const NEED_SIZE = 10;
export const N_CLASS = 0; // 0 MAC (conv, fc, dwconv), 1 add, 2 pool
export const N_M = 1; // out channels walked
export const N_N = 2; // in channels reduced
export const N_R = 3; // output rows
export const N_C = 4; // output columns
export const N_K = 5; // kernel
export const N_S = 6; // stride
export const N_INPIX = 7; // input pixels (pool: the whole map of a channel tile)
export const N_G = 8; // groups (MAC; 1 otherwise)
export const N_ENT = 9; // requantisation entries (pool: the window sizes that occur)
const NEED_MAC = 0;
const NEED_ADD = 1;

/** Output slots of sizeChunkBuffers. */
export const BUF_INPUT = 0;
export const BUF_WEIGHT = 1;
export const BUF_ACC = 2;

function needOf(l: LayerSpec): number[] {
  const cls = isMacKind(l.kind) ? NEED_MAC : l.kind === 'add' ? NEED_ADD : 2;
  const mac = cls === NEED_MAC;
  // fc as the engines run it: a 1×1 map; add: stride 1
  const fc = l.kind === 'fc';
  const entries = mac ? l.outC : cls === NEED_ADD ? 2 : poolTableEntries(l);
  return [
    cls,
    walkedM(l),
    mac ? reducedN(l) : 1,
    fc ? 1 : l.outH,
    fc ? 1 : l.outW,
    fc ? 1 : l.kernel,
    fc || cls === NEED_ADD ? 1 : l.stride,
    l.inH * l.inW,
    mac && l.kind !== 'dwconv' ? l.groups : 1,
    entries,
  ];
}

/** Bits of an on-chip activation word holding codes of at most `maxBits` (signed, or unsigned + 1). */
export function activationWordBits(maxBits: number): number {
  return maxBits + 1;
}

/** Compile a chunk's layers into its extents (once per search, and once per program). */
export function compileChunkExtents(
  layers: readonly LayerSpec[],
  chunk: { readonly kind: ChunkKind; readonly bits: number },
  board: BoardSpec,
): ChunkExtents {
  // every input a chunk's layers read has the layer's bits (network-check: the producer's outBits)
  const actW = activationWordBits(Math.max(...layers.map((l) => l.bits)));
  const mac = layers.filter((l) => isMacKind(l.kind));
  const seen = new Set<string>();
  const needs: number[] = [];
  for (const l of layers) {
    const need = needOf(l);
    const key = need.join('/');
    if (seen.has(key)) continue;
    seen.add(key);
    needs.push(...need);
  }
  return {
    dw: chunk.kind === 'dw',
    bits: chunk.bits,
    macsPerDsp: macsPerDsp(board, chunk.bits),
    maxM: Math.max(...layers.map(walkedM)),
    maxN: Math.max(1, ...mac.map(reducedN)),
    maxR: Math.max(...layers.map((l) => l.outH)),
    maxC: Math.max(...layers.map((l) => l.outW)),
    needs: Float64Array.from(needs),
    layers: layers.length,
    actW,
  };
}

/**
 * Buffer words of a chunk with tiles (tileM, tileN, tileR, tileC), written to `out` at BUF_*:
 * the largest need of any one layer, each layer's tiles clipped to its own extents.
 *   MAC: input box (depthwise: mi, else ni channels) × ((ri−1)·S+K) × ((ci−1)·S+K) in one
 *        half; weights mi·K²·(os: ni | ws: every input channel) per copy; accumulators mi·ri·ci.
 *   add: both inputs of a tile (2·mi·ri·ci), its mi·ri·ci accumulators.
 *   pool: an out-channel tile's whole input map (mi·inH·inW), its whole output map.
 * Allocates nothing: the resource model calls it for every design it evaluates.
 */
export function sizeChunkBuffers(
  ext: ChunkExtents,
  tileM: number,
  tileN: number,
  tileR: number,
  tileC: number,
  os: boolean,
  out: Float64Array,
): Float64Array {
  let input = 1;
  let weight = 1;
  let acc = 1;
  const n = ext.needs;
  for (let o = 0; o < n.length; o += NEED_SIZE) {
    const mi = Math.min(tileM, n[o + N_M]);
    let inW: number;
    let accW: number;
    let w = 0;
    if (n[o + N_CLASS] === NEED_MAC) {
      const N = n[o + N_N];
      const K = n[o + N_K];
      const S = n[o + N_S];
      const ni = ext.dw ? 1 : Math.min(tileN, N);
      const ri = Math.min(tileR, n[o + N_R]);
      const ci = Math.min(tileC, n[o + N_C]);
      inW = (ext.dw ? mi : ni) * inputSpan(ri, S, K) * inputSpan(ci, S, K);
      w = mi * K * K * (ext.dw ? 1 : os ? ni : N);
      accW = mi * ri * ci;
    } else if (n[o + N_CLASS] === NEED_ADD) {
      accW = mi * Math.min(tileR, n[o + N_R]) * Math.min(tileC, n[o + N_C]);
      inW = 2 * accW;
    } else {
      inW = mi * n[o + N_INPIX];
      accW = mi * n[o + N_R] * n[o + N_C];
    }
    if (inW > input) input = inW;
    if (w > weight) weight = w;
    if (accW > acc) acc = accW;
  }
  out[BUF_INPUT] = input;
  out[BUF_WEIGHT] = weight;
  out[BUF_ACC] = acc;
  return out;
}

/** sizeChunkBuffers for one chunk's parameters, as named words (the program's buffers). */
export function chunkBufferWords(
  ext: ChunkExtents,
  p: Pick<ChunkParams, 'tileM' | 'tileN' | 'tileR' | 'tileC' | 'loopOrder'>,
): { inputWords: number; weightWords: number; accWords: number } {
  const out = sizeChunkBuffers(ext, p.tileM, p.tileN, p.tileR, p.tileC, p.loopOrder === 'os', new Float64Array(3));
  return { inputWords: out[BUF_INPUT], weightWords: out[BUF_WEIGHT], accWords: out[BUF_ACC] };
}
