/**
 * The resource model against hand computation: BRAM18 per memory (LUT RAM up to 1024 bits,
 * else the cheapest block configuration, words sliced at 72 bits), DSP (one per MAC, five per
 * requantiser, whatever packing the board claims), and a chunk's memories as hw/rtl builds
 * them, with depths derived from the layout rules of accel/engine-layout.ts:
 *   input    2 halves × BJ banks (BJ = peN under mp, else 1) of VI·actW-bit words (VI = peN,
 *            depthwise peM); depth ((tR−1)·S+K) · RSI, RSI = ⌈((tC−1)·S+K)/(sub·BJ)⌉·sub·NGI,
 *            NGI = ⌈(depthwise tM, else tN)/VI⌉, sub = S under mp, else 1
 *   weights  (os 2, ws 1) copies × peM banks of VW·q-bit words (VW = peN, depthwise 1); depth
 *            MG·K²·TS, MG = ⌈tM/peM⌉, TS = NGW (os) or ⌈N/tN⌉·NGW (ws), NGW = ⌈tN/VW⌉
 *   accum.   peM × BJ banks of 32 bits; depth tR·⌈tC/BJ⌉·MG
 *   tables   3 per peM bank (64, 30 and 16 bits, block or LUT RAM together by the 64-bit one);
 *            depth G·⌈M/peM⌉
 *   program  32 bits × programWords(layers) (16 + 64 per layer, a power of two), block RAM
 * each depth the largest over the chunk's layers (tiles clipped to each layer), at least 2.
 */
import { describe, expect, it } from 'vitest';
import { estimateCost } from '../../src/accel/estimate.js';
import { programWords } from '../../src/accel/engine-layout.js';
import {
  bram18For,
  chunkDepths,
  chunkResources,
  type ChunkExtents,
  logicTermsInto,
  memoryIsBlock,
  RES_BRAM,
  RES_DSP,
  RES_FF,
  RES_LUT,
} from '../../src/accel/resources.js';
import { DEFAULT_RESOURCE_MODEL as MODEL, LOGIC_TERMS, logicEstimate } from '../../src/accel/resource-model.js';
import type { BoardSpec, ChunkParams } from '../../src/accel/types.js';
import { engineSizes } from '../../src/backend/rtl/sizes.js';
import { chunkParams, layer, oneChunkProblem, packed, ZC706 } from './helpers.js';

/**
 * Buffer needs of MAC layers (chunk-extents.ts N_*): [M walked, N reduced, R, C, kernel, stride,
 * groups, requantisation entries] each (input pixels 0: only pools read them).
 */
function macNeeds(...layers: [number, number, number, number, number, number, number, number][]): Float64Array {
  return Float64Array.from(layers.flatMap(([m, n, r, c, k, st, g, e]) => [0, m, n, r, c, k, st, 0, g, e]));
}

function resourcesOf(ext: ChunkExtents, p: Partial<ChunkParams>): { dsp: number; bram: number; lut: number; ff: number } {
  const out = new Float64Array(4);
  chunkResources(ext, packed(p), 0, MODEL, out);
  return { dsp: out[RES_DSP], bram: out[RES_BRAM], lut: out[RES_LUT], ff: out[RES_FF] };
}

/** The chunk's LOGIC_TERMS, from the sizes the lowering builds for it. */
function termsOf(ext: ChunkExtents, p: Partial<ChunkParams>): number[] {
  return Array.from(logicTermsInto(engineSizes(ext, chunkParams(p)), false, new Float64Array(LOGIC_TERMS.length)));
}

/** chunkDepths as [input, weight, accumulator, table] words per bank. */
function depthsOf(ext: ChunkExtents, p: Partial<ChunkParams>): number[] {
  return Array.from(chunkDepths(ext, packed(p), 0, new Float64Array(4)));
}

describe('bram18For', () => {
  it('puts memories of at most 1024 bits in LUT RAM (0 BRAM)', () => {
    expect(bram18For(4, 8, 128, MODEL)).toBe(0); // 1024 bits: exactly at the threshold
    expect(bram18For(1, 32, 32, MODEL)).toBe(0);
    expect(bram18For(1, 8, 129, MODEL)).toBe(1); // 1032 bits: one block (9×2048)
    expect([
      memoryIsBlock(8, 128, MODEL),
      memoryIsBlock(8, 129, MODEL),
      memoryIsBlock(64, 16, MODEL),
      memoryIsBlock(64, 17, MODEL),
    ]).toEqual([false, true, false, true]);
  });

  it('picks the cheapest configuration (RAMB18 1×16K … 36×512 cost 1, RAMB36 1×32K … 72×512 cost 2)', () => {
    // 20 bits × 512: 36-wide ⌈20/36⌉·⌈512/512⌉ = 1 beats 18-wide ⌈20/18⌉·1 = 2
    expect(bram18For(1, 20, 512, MODEL)).toBe(1);
    // 20 × 1024: 36-wide 1·2 = 2, 18-wide 2·1 = 2, 9-wide 3·1 = 3, RAMB36 36×1024 1·1·2 = 2 → 2
    expect(bram18For(1, 20, 1024, MODEL)).toBe(2);
    // 19 × 600: 36-wide 1·⌈600/512⌉ = 2, 18-wide 2·1 = 2 → 2; 18 × 600 fits one 18×1K block
    expect(bram18For(1, 19, 600, MODEL)).toBe(2);
    expect(bram18For(1, 18, 600, MODEL)).toBe(1);
    // 36 × 513: 36-wide 1·2 = 2, 18-wide 2·1 = 2, RAMB36 36×1024 2
    expect(bram18For(1, 36, 513, MODEL)).toBe(2);
    // 8 × 2048 fits one 9×2K block; 8 × 4608: 9-wide ⌈4608/2048⌉ = 3, 4-wide 2·2 = 4, 18-wide 5,
    // RAMB36 9×4096 1·2·2 = 4
    expect(bram18For(1, 8, 2048, MODEL)).toBe(1);
    expect(bram18For(1, 8, 4608, MODEL)).toBe(3);
    // 32-bit accumulators × 512: one 36×512 block
    expect(bram18For(1, 32, 512, MODEL)).toBe(1);
    // 72 × 512: one RAMB36 (cost 2) or two 36×512 RAMB18 — 2 either way
    expect(bram18For(1, 72, 512, MODEL)).toBe(2);
  });

  it('slices words wider than 72 bits into independent memories (trips_ram.sv)', () => {
    // 73 × 3000 as 72 + 1 bits: 72×3000 → 36-wide 2·⌈3000/512⌉ = 12 (18-wide 4·3 = 12), 1×3000
    // → one 1×16K block: 13. One 73-bit memory would take 15 (18-wide ⌈73/18⌉·⌈3000/1024⌉ = 5·3).
    expect(bram18For(1, 73, 3000, MODEL)).toBe(13);
    // 136 × 400 (8 channels of 17 bits) as 72 + 64: 2 + 2 (36×512, two wide each)
    expect(bram18For(1, 136, 400, MODEL)).toBe(4);
  });

  it('multiplies by the number of independent banks', () => {
    expect(bram18For(3, 16, 1024, MODEL)).toBe(3);
    expect(bram18For(16, 8, 4608, MODEL)).toBe(48);
  });
});

describe('DSP: one per MAC and five per requantiser', () => {
  const dspOf = (bits: number, peM: number, peN: number, board: BoardSpec = ZC706): number => {
    const l = layer('c', { inH: 8, inC: 16, outC: 16, bits });
    return estimateCost(oneChunkProblem([l], 'conv', { board }), packed({ tileM: 16, tileN: 16, peM, peN })).dsp;
  };

  it('charges peM·peN + 5·peM at every bitwidth', () => {
    expect(MODEL.dspPerRequant).toBe(5);
    expect([4, 6, 8, 16].map((b) => dspOf(b, 8, 8))).toEqual([64 + 40, 64 + 40, 64 + 40, 64 + 40]);
    expect(dspOf(4, 3, 3)).toBe(9 + 15);
    expect(dspOf(8, 1, 16)).toBe(16 + 5);
    expect(dspOf(8, 16, 1)).toBe(16 + 80);
  });

  it('ignores the DSP packing a board claims: the engine has one multiplier per MAC', () => {
    const packing: BoardSpec = { ...ZC706, dspPacking: { '4': 4, '6': 2, '8': 2, '16': 1 } };
    const l = layer('c', { inH: 8, inC: 16, outC: 16, bits: 4 });
    // the claim reaches the extents (4 MACs per DSP at 4 bits) …
    expect(oneChunkProblem([l], 'conv', { board: packing }).extents[0].macsPerDsp).toBe(4);
    // … and changes nothing: 8·8 MACs + 5·8 requantiser DSP, as on the board that claims none
    for (const bits of [4, 6, 8]) {
      expect(dspOf(bits, 8, 8, packing), `${bits} bit`).toBe(104);
      expect(dspOf(bits, 8, 8, packing)).toBe(dspOf(bits, 8, 8, ZC706));
    }
  });
});

describe('chunk memories', () => {
  // conv chunk, 8-bit weights, 8-bit codes (actW 9), one layer 64 out × 256 in channels, 16×16
  // map, 3×3 stride 1; tiles M 32, N 16, R 8, C 8; PE 4×4 under mn (VI = VW = 4, BJ = 1).
  const conv: ChunkExtents = {
    dw: false,
    bits: 8,
    macsPerDsp: 1,
    maxM: 64,
    maxN: 256,
    maxR: 16,
    maxC: 16,
    needs: macNeeds([64, 256, 16, 16, 3, 1, 1, 64]),
    layers: 1,
    actW: 9,
  };
  const p = { parallel: 'mn', tileM: 32, tileN: 16, tileR: 8, tileC: 8, peM: 4, peN: 4 } as const;

  it('os: two input halves, two weight copies of one tileN step, 32-bit accumulators, LUT RAM tables', () => {
    // input: NGI ⌈16/4⌉ = 4, RSI (7+3)·4 = 40, depth (7+3)·40 = 400
    // weights: MG ⌈32/4⌉ = 8, NGW ⌈16/4⌉ = 4, TS = 4, depth 8·9·4 = 288
    // accumulators: 8·⌈8/1⌉·8 = 512; tables: 1 group · ⌈64/4⌉ = 16
    expect(depthsOf(conv, { ...p, loopOrder: 'os' })).toEqual([400, 288, 512, 16]);
    // input: 2·1 memories of 4·9 = 36 bits × 400 → one 36×512 block each = 2
    // weights: 2·4 memories of 4·8 = 32 × 288 → 1 each = 8
    // accumulators: 4·1 memories of 32 × 512 → 1 each = 4
    // tables: 64·16 = 1024 bits → LUT RAM, 4 banks·(64+30+16)·16 = 7040 bits
    // program: programWords(1) = 128 (16 + 64 → 128) × 32 bits → 1
    expect(programWords(1)).toBe(128);
    const r = resourcesOf(conv, { ...p, loopOrder: 'os' });
    expect(r.bram).toBe(2 + 8 + 4 + 0 + 1);
    expect(r.dsp).toBe(16 + 4 * 5);
    // LOGIC_TERMS: chunk 1, requant 4, laneBits 16·(9 + 8), selectBits none (mn, no ROT),
    // adderBits 4·3·32, accBits 4·1·32, portLanes 4, memories 2 + 8 + 4 + 3·4 + 1, lutramBits the
    // tables' 7040, ramRegBits 4·110, ultrascale 0 (a 7-series part)
    const terms = [1, 4, 272, 0, 384, 128, 4, 27, 7040, 440, 0];
    expect(termsOf(conv, { ...p, loopOrder: 'os' })).toEqual(terms);
    expect(r.lut).toBe(Math.ceil(logicEstimate(MODEL.lut, terms)));
    expect(r.ff).toBe(Math.ceil(logicEstimate(MODEL.ff, terms)));
  });

  it('ws: one weight copy holding every input channel of the layer (N, not tileN)', () => {
    // TS = ⌈256/16⌉·4 = 64, weight depth 8·9·64 = 4608: 32 bits × 4608 → 36×512 ⌈4608/512⌉ = 9
    // (18×1024: 2·5 = 10) per bank, one copy of 4 banks = 36
    expect(depthsOf(conv, { ...p, loopOrder: 'ws' })).toEqual([400, 4608, 512, 16]);
    expect(resourcesOf(conv, { ...p, loopOrder: 'ws' }).bram).toBe(2 + 36 + 4 + 0 + 1);
    // ws weights grow with N: halve it → TS 32, depth 2304 → ⌈2304/512⌉ = 5 per bank = 20
    const half = { ...conv, maxN: 128, needs: macNeeds([64, 128, 16, 16, 3, 1, 1, 64]) };
    expect(depthsOf(half, { ...p, loopOrder: 'ws' })).toEqual([400, 2304, 512, 16]);
    expect(resourcesOf(half, { ...p, loopOrder: 'ws' }).bram).toBe(2 + 20 + 4 + 0 + 1);
    // os weights do not depend on N at all
    expect(resourcesOf(half, { ...p, loopOrder: 'os' }).bram).toBe(15);
  });

  it('input words are VI·actW bits wide: 16-bit codes (actW 17) double the input blocks', () => {
    // 4·17 = 68 bits × 400 → 36×512: ⌈68/36⌉ = 2 per memory, 2 halves = 4 (was 2)
    expect(resourcesOf({ ...conv, actW: 17 }, { ...p, loopOrder: 'os' }).bram).toBe(4 + 8 + 4 + 0 + 1);
  });

  it('inputs are double-buffered: halving tileN saves twice the blocks of one half', () => {
    // 1×1 conv, 8 out × 64 in channels, 16×16 map; tiles M 2, R 16, C 16; PE 1×1 (VI = VW = 1)
    const small: ChunkExtents = {
      dw: false,
      bits: 8,
      macsPerDsp: 1,
      maxM: 8,
      maxN: 64,
      maxR: 16,
      maxC: 16,
      needs: macNeeds([8, 64, 16, 16, 1, 1, 1, 8]),
      layers: 1,
      actW: 9,
    };
    const q = { tileM: 2, tileR: 16, tileC: 16, peM: 1, peN: 1 };
    // tileN 64: NGI 64, RSI 16·64 = 1024, input depth 16·1024 = 16384; weights MG 2 · NGW 64 = 128;
    // accumulators 16·16·2 = 512; tables 1·⌈8/1⌉ = 8. tileN 32: input 8192, weights 64.
    expect(depthsOf(small, { ...q, tileN: 64 })).toEqual([16384, 128, 512, 8]);
    expect(depthsOf(small, { ...q, tileN: 32 })).toEqual([8192, 64, 512, 8]);
    // input 9 bits × 16384 → 9×2048: 8 per half (1×16K: 9, RAMB36 9×4096: 4·2 = 8); × 8192 → 4;
    // weights 8 × 128 = 1024 bits → LUT RAM; accumulators 32 × 512 → 1; tables LUT; program 1
    const big = resourcesOf(small, { ...q, tileN: 64 });
    const half = resourcesOf(small, { ...q, tileN: 32 });
    expect(big.bram).toBe(2 * 8 + 0 + 1 + 0 + 1);
    expect(half.bram).toBe(2 * 4 + 0 + 1 + 0 + 1);
    // LUT RAM: weights 2 copies·8·128 (tileN 64) or 2·8·64 bits, tables 110·8 = 880, read
    // registers 2·8 + 110 either way; everything else alike
    const termsBig = termsOf(small, { ...q, tileN: 64 });
    const termsHalf = termsOf(small, { ...q, tileN: 32 });
    expect([termsBig[8], termsBig[9]]).toEqual([2048 + 880, 16 + 110]);
    expect([termsHalf[8], termsHalf[9]]).toEqual([1024 + 880, 16 + 110]);
    expect(termsBig.slice(0, 8)).toEqual(termsHalf.slice(0, 8));
    expect(big.lut - half.lut).toBeCloseTo(1024 * MODEL.lut.lutramBits, -0.5);
  });

  it('depthwise: VI = peM channels per input word; mp banks inputs and accumulators by column', () => {
    // 32 channels, 8×8, 3×3; tiles M 16, R 8, C 8; peM 8: input words 8·9 = 72 bits, weight
    // words 1·8 bits, MG ⌈16/8⌉ = 2, NGI ⌈16/8⌉ = 2, tables 1·⌈32/8⌉ = 4 deep (LUT RAM)
    const dw: ChunkExtents = {
      dw: true,
      bits: 8,
      macsPerDsp: 1,
      maxM: 32,
      maxN: 1,
      maxR: 8,
      maxC: 8,
      needs: macNeeds([32, 1, 8, 8, 3, 1, 1, 32]),
      layers: 1,
      actW: 9,
    };
    const t = { tileM: 16, tileN: 1, tileR: 8, tileC: 8, peM: 8 };
    // mn (BJ 1): input RSI 10·2 = 20, depth 10·20 = 200; weights 2·9·1 = 18; accumulators 8·8·2 = 128
    expect(depthsOf(dw, { ...t, parallel: 'mn', peN: 1 })).toEqual([200, 18, 128, 4]);
    // input 2 memories of 72 × 200 → 2 each (36×512 ×2, or one RAMB36) = 4; weights 8 × 18 →
    // LUT RAM; accumulators 8 banks of 32 × 128 = 4096 bits → 1 each = 8; program 1
    const mn = resourcesOf(dw, { ...t, parallel: 'mn', peN: 1 });
    expect(mn.bram).toBe(4 + 0 + 8 + 0 + 1);
    expect(mn.dsp).toBe(8 + 8 * 5);
    // mp PE 8×4 (BJ 4, sub = S = 1): input RSI ⌈10/4⌉·2 = 6, depth 10·6 = 60; accumulators
    // 8·⌈8/4⌉·2 = 32 deep
    expect(depthsOf(dw, { ...t, parallel: 'mp', peN: 4 })).toEqual([60, 18, 32, 4]);
    // input 2·4 memories of 72 × 60 → 2 each = 16; accumulators 8·4 banks of 32 × 32 = 1024 bits
    // → LUT RAM
    const mp = resourcesOf(dw, { ...t, parallel: 'mp', peN: 4 });
    expect(mp.bram).toBe(16 + 0 + 0 + 0 + 1);
    expect(mp.dsp).toBe(32 + 8 * 5);
    // terms: laneBits 32·(9 + 8); selectBits PE_N 4·9·BJ 4·VI 8; no adder tree (depthwise);
    // accBits 8·4·32; portLanes max(4, 8, 8, 1); memories
    // 2·4 + 2·8 + 8·4 + 3·8 + 1; LUT RAM weights 2·8·8·18 + accumulators 32·32·32 + tables
    // 8·110·4, read registers 2·8·8 + 32·32 + 8·110
    expect(termsOf(dw, { ...t, parallel: 'mp', peN: 4 })).toEqual([
      1,
      8,
      544,
      4 * 9 * 4 * 8,
      0,
      1024,
      8,
      81,
      2304 + 32768 + 3520,
      128 + 1024 + 880,
      0,
    ]);
  });

  it('requantisation tables: G·⌈M/peM⌉ deep, block RAM together once the 64-bit one exceeds 1024 bits', () => {
    // 64 out channels, peM 4: 16 deep, 64·16 = 1024 bits → LUT RAM (the os chunk above: 0 BRAM)
    // peM 2: ⌈64/2⌉ = 32 deep, 64·32 = 2048 → block: 64 bits → 36×512 ⌈64/36⌉ = 2, 30 bits → 1
    // and 16 bits → 1 (960 and 512 bits, block RAM all the same) = 4 per bank, 2 banks = 8
    const q = { ...p, loopOrder: 'os', peM: 2 } as const;
    // input 400 × 36 → 2; weights MG 16 · 9 · 4 = 576 deep, 2·2 memories of 32 × 576 → 2 each
    // (36×512 1·2; 18×1024 2·1) = 8; accumulators 8·8·16 = 1024 deep, 2 memories of 32 × 1024
    // → 2 each = 4; program 1
    expect(depthsOf(conv, q)).toEqual([400, 576, 1024, 32]);
    expect(resourcesOf(conv, q).bram).toBe(2 + 8 + 4 + 8 + 1);
    // groups multiply the depth: 2 groups of 32 out channels (M walked 32) at peM 4 → 2·8 = 16
    const grouped = { ...conv, needs: macNeeds([32, 128, 16, 16, 3, 1, 2, 64]) };
    expect(depthsOf(grouped, { ...p, loopOrder: 'os' })[3]).toBe(16);
  });

  it('the program RAM holds a 16-word header and 64 words per layer, rounded up to a power of two', () => {
    // 1 layer: 80 → 128 words (1 block); 8 layers: 528 → 1024 × 32 → 2 (18×1024 2·1, 36×512 1·2);
    // 32 layers: 2064 → 4096 → 8 (36×512 1·8)
    expect([1, 8, 32].map(programWords)).toEqual([128, 1024, 4096]);
    const os = { ...p, loopOrder: 'os' } as const;
    expect(resourcesOf({ ...conv, layers: 8 }, os).bram - resourcesOf(conv, os).bram).toBe(1);
    expect(resourcesOf({ ...conv, layers: 32 }, os).bram - resourcesOf(conv, os).bram).toBe(7);
  });

  it('sizes memories by min(tile, layer): a tile beyond every layer costs nothing more', () => {
    const l = layer('c', { inH: 8, inC: 16, outC: 16, kernel: 3 });
    const problem = oneChunkProblem([l]);
    expect(problem.extents[0]).toMatchObject({ maxM: 16, maxN: 16, maxR: 8, maxC: 8, bits: 8, macsPerDsp: 1, layers: 1, actW: 9 });
    // [MAC, M, N, R, C, K, S, input pixels, groups, entries]
    expect(Array.from(problem.extents[0].needs)).toEqual([0, 16, 16, 8, 8, 3, 1, 64, 1, 16]);
    const fit = estimateCost(problem, packed({ tileM: 16, tileN: 16, tileR: 8, tileC: 8 }));
    const over = estimateCost(problem, packed({ tileM: 128, tileN: 64, tileR: 32, tileC: 32 }));
    expect([over.bram18, over.lut, over.bottleneckCycles]).toEqual([fit.bram18, fit.lut, fit.bottleneckCycles]);
  });
});

describe('memories of a chunk with different layer shapes', () => {
  it('hold the largest need of any one layer, not a mix of per-dimension maxima', () => {
    // a 3×3 stride-1 conv over 16 channels and a 1×1 stride-2 conv over 64 channels
    const a = layer('a', { inH: 16, inC: 16, outC: 16, kernel: 3 });
    const b = layer('b', { inH: 16, inC: 64, outC: 16, kernel: 1, stride: 2, inputs: ['a'] });
    const problem = oneChunkProblem([a, b]);
    // [MAC, M, N, R, C, K, S, input pixels, groups, entries] per distinct layer shape
    expect(Array.from(problem.extents[0].needs)).toEqual([0, 16, 16, 16, 16, 3, 1, 256, 1, 16, 0, 16, 64, 8, 8, 1, 2, 256, 1, 16]);
    // tiles M 16, N 64, R 8, C 8, PE 1×1 (VI = VW = 1, MG 16):
    //   a: input 16 ch · (7+3) · (7+3) = 1600, weights 16·9·16 = 2304, accumulators 8·8·16 = 1024
    //   b: input 64 · (7·2+1) · (7·2+1) = 14400, weights 16·1·64 = 1024, accumulators 1024
    //   a mix (64 channels, 3×3 window, stride 2): input 64·17·17 = 18496, weights 16·9·64 = 9216
    const ext = problem.extents[0];
    const tiles = { tileM: 16, tileN: 64, tileR: 8, tileC: 8, peM: 1, peN: 1 };
    const only = (n: number, k: number, st: number) => ({ ...ext, needs: macNeeds([16, n, 16, 16, k, st, 1, 16]) });
    expect(depthsOf(ext, tiles)).toEqual([14400, 2304, 1024, 16]);
    expect(depthsOf(only(64, 3, 2), tiles)).toEqual([18496, 9216, 1024, 16]);
    const both = resourcesOf(ext, tiles);
    const mixed = resourcesOf(only(64, 3, 2), tiles);
    expect(both.bram).toBeLessThan(mixed.bram);
    expect(both.bram).toBeGreaterThanOrEqual(resourcesOf(only(64, 1, 2), tiles).bram);
  });

  it('add and pool layers: both inputs of a tile in the halves, a pool a whole map', () => {
    // a 3×3 conv 16 → 16 at 8×8, an add of two 8×8×16 maps, a 2×2 stride-2 max pool of the sum
    const c = layer('c', { inH: 8, inC: 16, outC: 16, kernel: 3 });
    const s = layer('s', { kind: 'add', inH: 8, inC: 16, outC: 16, inputs: ['input', 'c'] });
    const m = layer('m', { kind: 'pool', inH: 8, inC: 16, outC: 16, kernel: 2, stride: 2, inputs: ['s'] });
    const ext = oneChunkProblem([c, s, m]).extents[0];
    // add: stride 1, entries 2; pool: input pixels 64, one window size (2·2 = 4) → 1 entry
    expect(Array.from(ext.needs.slice(10))).toEqual([1, 16, 1, 8, 8, 1, 1, 64, 1, 2, 2, 16, 1, 4, 4, 2, 2, 64, 1, 1]);
    // tiles M 8, R 4, C 4, PE 4×4 mn (VI 4, BJ 1): NGI ⌈8/4⌉ = 2, MG 2
    //   conv: tN 16 → NGI 4, RSI (3+3)·4 = 24, input (3+3)·24 = 144; weights 2·9·4 = 72;
    //         accumulators 4·4·2 = 32; tables ⌈16/4⌉ = 4
    //   add:  input 4 rows · (4 cols · 2) = 32; accumulators 4·4·2 = 32; tables 2
    //   pool: input the whole 8×8 map · 2 = 128; accumulators 4·4·2 = 32; tables 1
    const tiles = { tileM: 8, tileN: 16, tileR: 4, tileC: 4, peM: 4, peN: 4 };
    expect(depthsOf(ext, tiles)).toEqual([144, 72, 32, 4]);
    // at tiles R 2, C 2 the pool still needs its whole map (128 input words, 32 accumulators) —
    // more than the conv's (1+3)·((1+3)·4) = 64 and 2·2·2 = 8
    expect(depthsOf(ext, { ...tiles, tileR: 2, tileC: 2 })).toEqual([128, 72, 32, 4]);
  });
});
