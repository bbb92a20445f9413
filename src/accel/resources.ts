/**
 * Resource model of one chunk, held against Yosys (`trips-hw synth`, docs/synth.md): DSP from
 * the PE array (one DSP48 per MAC: the engine does not pack two MACs into one DSP) and the
 * output path's peM requantisers (a 32×24 and a 9×24 multiply each); BRAM18 from the memories
 * hw/rtl builds — input words of VI channels in two halves and BJ column banks, weight words
 * in PE_M banks (two copies under `os`), 32-bit accumulators in PE_M × BJ banks, three
 * requantisation tables per PE_M bank, the program RAM — each as block RAM or LUT RAM by the
 * rule the lowering also applies, counted as Yosys maps it (one primitive configuration per
 * memory, words sliced at 72 bits); LUT and FF as a linear estimate that `calibrate` refits
 * from synth records. Depths come from accel/engine-layout.ts, as the lowering's do. Pure
 * functions over packed parameters that allocate nothing.
 */
import { type ChunkExtents, N_CLASS, N_ENT, N_G, N_INPIX, N_K, N_M, N_N, N_R, N_C, N_S, NEED_SIZE } from './chunk-extents.js';
import { L_ACC_DEPTH, L_IN_DEPTH, L_RQ_DEPTH, L_W_DEPTH, LAYOUT_SIZE, layoutInto, programWords } from './engine-layout.js';
import { P_PARALLEL, P_ORDER, P_TM, P_TN, P_TR, P_TC, P_PEM, P_PEN } from './cost-model.js';

export type { ChunkExtents } from './chunk-extents.js';

export interface ResourceModel {
  readonly lutPerChunk: number;
  readonly ffPerChunk: number;
  /** DSP48 of one requantiser of the output path (there are peM). */
  readonly dspPerRequant: number;
  readonly lutPerMacBit: number;
  readonly ffPerMacBit: number;
  readonly accumulatorBits: number;
  /** Arrays up to this many bits go to distributed RAM (LUTRAM) instead of BRAM. */
  readonly lutramMaxBits: number;
  readonly lutramBitsPerLut: number;
}

export const DEFAULT_RESOURCE_MODEL: ResourceModel = {
  lutPerChunk: 2500,
  ffPerChunk: 3500,
  dspPerRequant: 5,
  lutPerMacBit: 2,
  ffPerMacBit: 3,
  accumulatorBits: 32,
  lutramMaxBits: 1024,
  lutramBitsPerLut: 64,
};

export const RES_DSP = 0;
export const RES_BRAM = 1;
export const RES_LUT = 2;
export const RES_FF = 3;

// Block RAM configurations (width × depth, in BRAM18): RAMB18 up to 36 × 512 (simple dual
// port), RAMB36 up to 72 × 512; Yosys maps a memory with one of them (7-series and
// UltraScale+ alike).
const BRAM_CONFIGS = [
  [1, 16384, 1],
  [2, 8192, 1],
  [4, 4096, 1],
  [9, 2048, 1],
  [18, 1024, 1],
  [36, 512, 1],
  [1, 32768, 2],
  [2, 16384, 2],
  [4, 8192, 2],
  [9, 4096, 2],
  [18, 2048, 2],
  [36, 1024, 2],
  [72, 512, 2],
] as const;
/** trips_ram.sv slices words wider than this into independent memories. */
const RAM_SLICE = 72;

/** Whether a memory of `depth` words of `width` bits is block RAM (else LUT RAM). */
export function memoryIsBlock(width: number, depth: number, model: ResourceModel): boolean {
  return width * depth > model.lutramMaxBits;
}

/** BRAM18 of one memory of `depth` words of `width` bits mapped to block RAM. */
function blockRam18(width: number, depth: number): number {
  let total = 0;
  for (let lo = 0; lo < width; lo += RAM_SLICE) {
    const w = Math.min(RAM_SLICE, width - lo);
    let best = Infinity;
    for (const [cw, cd, cost] of BRAM_CONFIGS) {
      const blocks = Math.ceil(w / cw) * Math.ceil(depth / cd) * cost;
      if (blocks < best) best = blocks;
    }
    total += best;
  }
  return total;
}

/** BRAM18 for `banks` memories of `depth` words of `width` bits (0 when they are LUT RAM). */
export function bram18For(banks: number, width: number, depth: number, model: ResourceModel): number {
  return memoryIsBlock(width, depth, model) ? banks * blockRam18(width, depth) : 0;
}

function lutramBits(banks: number, width: number, depth: number, model: ResourceModel): number {
  return memoryIsBlock(width, depth, model) ? 0 : banks * width * depth;
}

const scratchLayout = new Float64Array(LAYOUT_SIZE);

/** The words every bank needs, the largest over the chunk's layers, into `out` (in, w, acc, rq). */
export function chunkDepths(ext: ChunkExtents, p: Float64Array, po: number, out: Float64Array): Float64Array {
  const mp = p[po + P_PARALLEL] === 1;
  const ws = p[po + P_ORDER] === 1;
  const peM = p[po + P_PEM];
  const peN = p[po + P_PEN];
  const vi = ext.dw ? peM : peN;
  const vw = ext.dw ? 1 : peN;
  const bj = mp ? peN : 1;
  out[0] = 2;
  out[1] = 2;
  out[2] = 2;
  out[3] = 2;
  const n = ext.needs;
  for (let o = 0; o < n.length; o += NEED_SIZE) {
    const l = layoutInto(
      n[o + N_CLASS],
      ext.dw,
      n[o + N_M],
      n[o + N_N],
      n[o + N_R],
      n[o + N_C],
      n[o + N_K],
      n[o + N_S],
      n[o + N_G],
      n[o + N_INPIX],
      1,
      n[o + N_ENT],
      p[po + P_TM],
      p[po + P_TN],
      p[po + P_TR],
      p[po + P_TC],
      peM,
      ws,
      mp,
      vi,
      vw,
      bj,
      scratchLayout,
    );
    if (l[L_IN_DEPTH] > out[0]) out[0] = l[L_IN_DEPTH];
    if (l[L_W_DEPTH] > out[1]) out[1] = l[L_W_DEPTH];
    if (l[L_ACC_DEPTH] > out[2]) out[2] = l[L_ACC_DEPTH];
    if (l[L_RQ_DEPTH] > out[3]) out[3] = l[L_RQ_DEPTH];
  }
  return out;
}

/** Bits of the three requantisation tables of one bank: bias, multiplier + shift, permutation. */
const TABLE_WIDTHS = [64, 30, 16] as const;
const scratchDepths = new Float64Array(4);

/** DSP, BRAM18, LUT and FF of one chunk, written to `out` at RES_*. */
export function chunkResources(ext: ChunkExtents, p: Float64Array, po: number, model: ResourceModel, out: Float64Array): void {
  const mn = p[po + P_PARALLEL] === 0;
  const os = p[po + P_ORDER] === 0;
  const peM = p[po + P_PEM];
  const peN = p[po + P_PEN];
  const q = ext.bits;
  const vi = ext.dw ? peM : peN;
  const vw = ext.dw ? 1 : peN;
  const bj = mn ? 1 : peN;
  const d = chunkDepths(ext, p, po, scratchDepths);
  const macs = peM * peN;
  const copies = os ? 2 : 1;
  // an add's two input codes share one accumulator word (trips_chunk ACC_W)
  const acc = Math.max(model.accumulatorBits, 2 * ext.actW);
  // the tables are block or LUT RAM together, by the widest
  const rqBlock = memoryIsBlock(TABLE_WIDTHS[0], d[3], model);
  let tables = 0;
  let tableBits = 0;
  for (const w of TABLE_WIDTHS) {
    if (rqBlock) tables += peM * blockRam18(w, d[3]);
    else tableBits += peM * w * d[3];
  }
  out[RES_BRAM] =
    bram18For(2 * bj, vi * ext.actW, d[0], model) +
    bram18For(copies * peM, vw * q, d[1], model) +
    bram18For(peM * bj, acc, d[2], model) +
    tables +
    blockRam18(32, programWords(ext.layers));
  const lutram =
    lutramBits(2 * bj, vi * ext.actW, d[0], model) +
    lutramBits(copies * peM, vw * q, d[1], model) +
    lutramBits(peM * bj, acc, d[2], model) +
    tableBits;

  out[RES_DSP] = macs + peM * model.dspPerRequant;
  const adderBits = mn && !ext.dw ? peM * (peN - 1) * (2 * q + Math.ceil(Math.log2(peN))) : 0;
  out[RES_LUT] = Math.ceil(
    model.lutPerChunk + macs * q * model.lutPerMacBit + adderBits + peM * bj * acc + lutram / model.lutramBitsPerLut,
  );
  out[RES_FF] = Math.ceil(model.ffPerChunk + macs * q * model.ffPerMacBit + adderBits + peM * bj * acc);
}
