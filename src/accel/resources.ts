/**
 * Resource model of one chunk: DSP from the PE array and the board's packing, BRAM18 from the
 * three buffers (inputs double-buffered, weights double-buffered under `os` and holding every
 * input channel under `ws`, 32-bit output accumulators), banked so that the PE array gets its
 * operands every cycle, and sized for the largest need of any one layer of the chunk (tiles
 * clipped to the chunk's extents); LUT and FF as a linear estimate. Pure functions over packed
 * parameters.
 */
import { P_PARALLEL, P_ORDER, P_TM, P_TN, P_TR, P_TC, P_PEM, P_PEN } from './cost-model.js';

export interface ResourceModel {
  readonly lutPerChunk: number;
  readonly ffPerChunk: number;
  /** Requantisation multipliers of the output path. */
  readonly dspPerChunk: number;
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
  dspPerChunk: 4,
  lutPerMacBit: 2,
  ffPerMacBit: 3,
  accumulatorBits: 32,
  lutramMaxBits: 1024,
  lutramBitsPerLut: 64,
};

/** Largest layer extents a chunk must hold: buffers are sized min(tile, extent). */
export interface ChunkExtents {
  readonly dw: boolean;
  readonly bits: number;
  readonly macsPerDsp: number;
  readonly maxM: number;
  /** Input channels per group, largest over the chunk's layers. */
  readonly maxN: number;
  readonly maxR: number;
  readonly maxC: number;
  /**
   * Distinct (in channels per group, kernel, stride) triples of the chunk's MAC layers: each
   * buffer holds the most that any one layer needs, not a mix of maxima from different layers.
   */
  readonly windows: Float64Array;
}

export const RES_DSP = 0;
export const RES_BRAM = 1;
export const RES_LUT = 2;
export const RES_FF = 3;

// BRAM18 aspect ratios (width × depth) of 7-series and UltraScale(+) block RAM.
const BRAM_WIDTHS = [1, 2, 4, 9, 18, 36];
const BRAM_DEPTHS = [16384, 8192, 4096, 2048, 1024, 512];

/** BRAM18 blocks for `banks` independent memories of `depth` words of `width` bits. */
export function bram18For(banks: number, width: number, depth: number, model: ResourceModel): number {
  if (width * depth <= model.lutramMaxBits) return 0;
  let best = Infinity;
  for (let i = 0; i < BRAM_WIDTHS.length; i++) {
    const blocks = Math.ceil(width / BRAM_WIDTHS[i]) * Math.ceil(depth / BRAM_DEPTHS[i]);
    if (blocks < best) best = blocks;
  }
  return banks * best;
}

function lutramBits(banks: number, width: number, depth: number, model: ResourceModel): number {
  return width * depth <= model.lutramMaxBits ? banks * width * depth : 0;
}

/** DSP, BRAM18, LUT and FF of one chunk, written to `out` at RES_*. */
export function chunkResources(
  ext: ChunkExtents,
  p: Float64Array,
  po: number,
  model: ResourceModel,
  out: Float64Array,
): void {
  const mn = p[po + P_PARALLEL] === 0;
  const os = p[po + P_ORDER] === 0;
  const peM = p[po + P_PEM];
  const peN = p[po + P_PEN];
  const q = ext.bits;
  const tM = Math.min(p[po + P_TM], ext.maxM);
  const tN = ext.dw ? 1 : Math.min(p[po + P_TN], ext.maxN);
  const tR = Math.min(p[po + P_TR], ext.maxR);
  const tC = Math.min(p[po + P_TC], ext.maxC);
  const macs = peM * peN;
  let inWords = 0;
  let wPerM = 0;
  for (let i = 0; i < ext.windows.length; i += 3) {
    const n = ext.windows[i];
    const k = ext.windows[i + 1];
    const s = ext.windows[i + 2];
    const channels = ext.dw ? tM : Math.min(tN, n);
    const words = channels * ((tR - 1) * s + k) * ((tC - 1) * s + k);
    if (words > inWords) inWords = words;
    const w = (ext.dw ? 1 : os ? Math.min(tN, n) : n) * k * k;
    if (w > wPerM) wPerM = w;
  }
  const inBanks = ext.dw ? (mn ? peM : peM * peN) : peN;
  const inDepth = Math.ceil(inWords / inBanks);
  const wBanks = ext.dw ? peM : mn ? macs : peM;
  const wDepth = Math.ceil((tM * wPerM) / wBanks);
  const wCopies = os ? 2 : 1;
  const oBanks = mn ? peM : macs;
  const oDepth = Math.ceil((tM * tR * tC) / oBanks);
  const acc = model.accumulatorBits;

  out[RES_BRAM] =
    2 * bram18For(inBanks, q, inDepth, model) +
    wCopies * bram18For(wBanks, q, wDepth, model) +
    bram18For(oBanks, acc, oDepth, model);
  const lutram =
    2 * lutramBits(inBanks, q, inDepth, model) +
    wCopies * lutramBits(wBanks, q, wDepth, model) +
    lutramBits(oBanks, acc, oDepth, model);

  out[RES_DSP] = Math.ceil(macs / ext.macsPerDsp) + model.dspPerChunk;
  const adderBits = mn && !ext.dw ? peM * (peN - 1) * (2 * q + Math.ceil(Math.log2(peN))) : 0;
  out[RES_LUT] = Math.ceil(
    model.lutPerChunk + macs * q * model.lutPerMacBit + adderBits + oBanks * acc + lutram / model.lutramBitsPerLut,
  );
  out[RES_FF] = Math.ceil(model.ffPerChunk + macs * q * model.ffPerMacBit + adderBits + oBanks * acc);
}
