/**
 * Resource model of one chunk: DSP from the PE array and the board's packing, BRAM18 from the
 * three buffers (inputs double-buffered, weights double-buffered under `os` and holding every
 * input channel under `ws`, 32-bit output accumulators), banked so that the PE array gets its
 * operands every cycle, and sized for the largest need of any one layer of the chunk — the
 * words the generated buffers get (chunk-extents.ts sizeChunkBuffers, which the layer program
 * calls too); LUT and FF as a linear estimate. Pure functions over packed parameters.
 */
import { BUF_ACC, BUF_INPUT, BUF_WEIGHT, type ChunkExtents, sizeChunkBuffers } from './chunk-extents.js';
import { P_PARALLEL, P_ORDER, P_TM, P_TN, P_TR, P_TC, P_PEM, P_PEN } from './cost-model.js';

export type { ChunkExtents } from './chunk-extents.js';

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

const scratchWords = new Float64Array(3);

/** DSP, BRAM18, LUT and FF of one chunk, written to `out` at RES_*. */
export function chunkResources(ext: ChunkExtents, p: Float64Array, po: number, model: ResourceModel, out: Float64Array): void {
  const mn = p[po + P_PARALLEL] === 0;
  const os = p[po + P_ORDER] === 0;
  const peM = p[po + P_PEM];
  const peN = p[po + P_PEN];
  const q = ext.bits;
  const words = sizeChunkBuffers(ext, p[po + P_TM], p[po + P_TN], p[po + P_TR], p[po + P_TC], os, scratchWords);
  const macs = peM * peN;
  const inBanks = ext.dw ? (mn ? peM : peM * peN) : peN;
  const inDepth = Math.ceil(words[BUF_INPUT] / inBanks);
  const wBanks = ext.dw ? peM : mn ? macs : peM;
  const wDepth = Math.ceil(words[BUF_WEIGHT] / wBanks);
  const wCopies = os ? 2 : 1;
  const oBanks = mn ? peM : macs;
  const oDepth = Math.ceil(words[BUF_ACC] / oBanks);
  const acc = model.accumulatorBits;

  out[RES_BRAM] =
    2 * bram18For(inBanks, q, inDepth, model) + wCopies * bram18For(wBanks, q, wDepth, model) + bram18For(oBanks, acc, oDepth, model);
  const lutram =
    2 * lutramBits(inBanks, q, inDepth, model) + wCopies * lutramBits(wBanks, q, wDepth, model) + lutramBits(oBanks, acc, oDepth, model);

  out[RES_DSP] = Math.ceil(macs / ext.macsPerDsp) + model.dspPerChunk;
  const adderBits = mn && !ext.dw ? peM * (peN - 1) * (2 * q + Math.ceil(Math.log2(peN))) : 0;
  out[RES_LUT] = Math.ceil(model.lutPerChunk + macs * q * model.lutPerMacBit + adderBits + oBanks * acc + lutram / model.lutramBitsPerLut);
  out[RES_FF] = Math.ceil(model.ffPerChunk + macs * q * model.ffPerMacBit + adderBits + oBanks * acc);
}
