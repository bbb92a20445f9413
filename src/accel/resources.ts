/**
 * Resource model of one chunk, held against Yosys (`trips-hw synth`, docs/synth.md): DSP from
 * the PE array (one DSP48 per MAC: the engine does not pack two MACs into one DSP) and the
 * output path's peM requantisers (a 32×24 and a 9×24 multiply each); BRAM18 from the memories
 * hw/rtl builds — input words of VI channels in two halves and BJ column banks, weight words
 * in PE_M banks (two copies under `os`), 32-bit accumulators in PE_M × BJ banks, three
 * requantisation tables per PE_M bank, the program RAM — each as block RAM or LUT RAM by the
 * rule the lowering also applies, counted as Yosys maps it (one primitive configuration per
 * memory, words sliced at 72 bits). LUT and FF are linear in counts of the engine's
 * structures (LOGIC_TERMS: the fixed controller and DMA, requantisers, lane bits, operand
 * selects, adder trees, accumulators, port lanes, memories, LUT RAM, the family), with
 * coefficients (accel/resource-model.ts) fitted to Yosys by `calibrate --synth-records`
 * (calibrate/resources.ts) — the defaults on the chunks of bench:synth. Everything the terms count is a compile-time size of the engine
 * (backend/rtl/sizes.ts RtlSizes), so a synth record or a Vivado report of a generated chunk
 * gives them back exactly. Depths come from accel/engine-layout.ts, as the lowering's do.
 * Pure functions over packed parameters that allocate nothing.
 */
import { type ChunkExtents, N_CLASS, N_ENT, N_G, N_INPIX, N_K, N_M, N_N, N_R, N_C, N_S, NEED_SIZE } from './chunk-extents.js';
import {
  engineShape,
  L_ACC_DEPTH,
  L_IN_DEPTH,
  L_RQ_DEPTH,
  L_W_DEPTH,
  LAYOUT_SIZE,
  layoutInto,
  tableRotation,
  programWords,
} from './engine-layout.js';
import { LOGIC_TERMS, type LogicShape, logicEstimate, type ResourceModel } from './resource-model.js';
import { P_PARALLEL, P_ORDER, P_TM, P_TN, P_TR, P_TC, P_PEM, P_PEN } from './cost-model.js';

export type { ChunkExtents } from './chunk-extents.js';

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
/** Bits of one table entry a requantiser selects (bias, multiplier and shift, permutation). */
const ROTATED_BITS = TABLE_WIDTHS.reduce((a, b) => a + b, 0);
const scratchDepths = new Float64Array(4);

/** The LOGIC_TERMS of an engine with these sizes on a family, into `out` (in LOGIC_TERMS order). */
export function logicTermsInto(s: LogicShape, ultrascale: boolean, out: Float64Array): Float64Array {
  const mp = s.MP !== 0;
  const dw = s.DW !== 0;
  const { vi, vw, bj } = engineShape(dw, mp, s.PE_M, s.PE_N);
  const acc = Math.max(32, 2 * s.ACT_W);
  const lanes = s.PE_M * s.PE_N;
  const copies = s.WS !== 0 ? 1 : 2;
  // [banks, width, depth, block] of every memory (the three tables go by the 64-bit one)
  let lutram = 0;
  let regs = 0;
  const memory = (banks: number, width: number, depth: number, block: number) => {
    if (block !== 0) return;
    lutram += banks * width * depth;
    regs += banks * width;
  };
  memory(2 * bj, vi * s.ACT_W, s.IN_DEPTH, s.IN_BLOCK);
  memory(copies * s.PE_M, vw * s.W_W, s.W_DEPTH, s.W_BLOCK);
  memory(s.PE_M * bj, acc, s.ACC_DEPTH, s.ACC_BLOCK);
  for (const w of TABLE_WIDTHS) memory(s.PE_M, w, s.RQ_DEPTH, s.RQ_BLOCK);
  out[0] = 1;
  out[1] = s.PE_M;
  out[2] = lanes * (s.ACT_W + s.W_W);
  out[3] =
    (mp ? s.PE_N * s.ACT_W * bj * vi : 0) +
    // (records of engines before ROT have none: those engines always rotated)
    (s.ROT !== 0 ? s.PE_M * s.PE_M * ROTATED_BITS : 0);
  out[4] = !mp && !dw ? s.PE_M * (s.PE_N - 1) * acc : 0;
  out[5] = s.PE_M * (mp ? s.PE_N : 1) * acc;
  out[6] = s.LANES;
  out[7] = 2 * bj + copies * s.PE_M + s.PE_M * bj + TABLE_WIDTHS.length * s.PE_M + 1;
  out[8] = lutram;
  out[9] = regs;
  out[10] = ultrascale ? 1 : 0;
  return out;
}

/** The chunk's sizes as chunkResources sees them (one object, refilled: nothing allocated per call). */
const scratchShape = {
  PE_M: 0,
  PE_N: 0,
  MP: 0,
  WS: 0,
  DW: 0,
  LANES: 0,
  ACT_W: 0,
  W_W: 0,
  IN_DEPTH: 0,
  W_DEPTH: 0,
  ACC_DEPTH: 0,
  RQ_DEPTH: 0,
  PROG_WORDS: 0,
  IN_BLOCK: 0,
  W_BLOCK: 0,
  ACC_BLOCK: 0,
  RQ_BLOCK: 0,
  ROT: 0,
};
const scratchTerms = new Float64Array(LOGIC_TERMS.length);

/** DSP, BRAM18, LUT and FF of one chunk, written to `out` at RES_*. */
export function chunkResources(ext: ChunkExtents, p: Float64Array, po: number, model: ResourceModel, out: Float64Array): void {
  const mn = p[po + P_PARALLEL] === 0;
  const os = p[po + P_ORDER] === 0;
  const peM = p[po + P_PEM];
  const peN = p[po + P_PEN];
  const q = ext.bits;
  const shape = engineShape(ext.dw, !mn, peM, peN);
  const { vi, vw, bj } = shape;
  const d = chunkDepths(ext, p, po, scratchDepths);
  const copies = os ? 2 : 1;
  // an add's two input codes share one accumulator word (trips_chunk ACC_W)
  const acc = Math.max(model.accumulatorBits, 2 * ext.actW);
  // the tables are block or LUT RAM together, by the widest
  const rqBlock = memoryIsBlock(TABLE_WIDTHS[0], d[3], model);
  const progWords = programWords(ext.layers);
  let tables = 0;
  if (rqBlock) for (const w of TABLE_WIDTHS) tables += peM * blockRam18(w, d[3]);
  out[RES_BRAM] =
    bram18For(2 * bj, vi * ext.actW, d[0], model) +
    bram18For(copies * peM, vw * q, d[1], model) +
    bram18For(peM * bj, acc, d[2], model) +
    tables +
    blockRam18(32, progWords);
  out[RES_DSP] = peM * peN + peM * model.dspPerRequant;

  const sh = scratchShape;
  sh.PE_M = peM;
  sh.PE_N = peN;
  sh.MP = mn ? 0 : 1;
  sh.WS = os ? 0 : 1;
  sh.DW = ext.dw ? 1 : 0;
  sh.LANES = shape.lanes;
  sh.ACT_W = ext.actW;
  sh.W_W = q;
  sh.IN_DEPTH = d[0];
  sh.W_DEPTH = d[1];
  sh.ACC_DEPTH = d[2];
  sh.RQ_DEPTH = d[3];
  sh.PROG_WORDS = progWords;
  sh.IN_BLOCK = memoryIsBlock(vi * ext.actW, d[0], model) ? 1 : 0;
  sh.W_BLOCK = memoryIsBlock(vw * q, d[1], model) ? 1 : 0;
  sh.ACC_BLOCK = memoryIsBlock(acc, d[2], model) ? 1 : 0;
  sh.RQ_BLOCK = rqBlock ? 1 : 0;
  sh.ROT = tableRotation(p[po + P_TM], peM);
  logicTermsInto(sh, model.ultrascale, scratchTerms);
  out[RES_LUT] = Math.ceil(logicEstimate(model.lut, scratchTerms));
  out[RES_FF] = Math.ceil(logicEstimate(model.ff, scratchTerms));
}
