/**
 * The resource model against hand computation: BRAM18 blocks per memory (LUTRAM threshold and
 * the 1/2/4/9/18/36-bit aspect ratios), DSP packing from the board, and a chunk's buffers.
 */
import { describe, expect, it } from 'vitest';
import { macsPerDsp } from '../../src/accel/boards.js';
import { estimateCost } from '../../src/accel/estimate.js';
import {
  bram18For,
  chunkResources,
  type ChunkExtents,
  DEFAULT_RESOURCE_MODEL as MODEL,
  RES_BRAM,
  RES_DSP,
  RES_FF,
  RES_LUT,
} from '../../src/accel/resources.js';
import type { ChunkParams } from '../../src/accel/types.js';
import { layer, oneChunkProblem, packed, ZC706 } from './helpers.js';

/** Buffer needs of MAC layers (chunk-extents.ts NEED_*): [M walked, N reduced, R, C, kernel, stride] each. */
function macNeeds(...layers: [number, number, number, number, number, number][]): Float64Array {
  return Float64Array.from(layers.flatMap(([m, n, r, c, k, st]) => [0, m, n, r, c, k, st, 0]));
}

function resourcesOf(ext: ChunkExtents, p: Partial<ChunkParams>): { dsp: number; bram: number; lut: number; ff: number } {
  const out = new Float64Array(4);
  chunkResources(ext, packed(p), 0, MODEL, out);
  return { dsp: out[RES_DSP], bram: out[RES_BRAM], lut: out[RES_LUT], ff: out[RES_FF] };
}

describe('bram18For', () => {
  it('puts memories of at most 1024 bits in LUTRAM (0 BRAM)', () => {
    expect(bram18For(4, 8, 128, MODEL)).toBe(0); // 1024 bits: exactly at the threshold
    expect(bram18For(1, 32, 32, MODEL)).toBe(0);
    expect(bram18For(1, 8, 129, MODEL)).toBe(1); // 1032 bits: one block (9×2048)
  });

  it('picks the cheapest aspect ratio (width × depth: 1×16K, 2×8K, 4×4K, 9×2K, 18×1K, 36×512)', () => {
    // 20 bits × 512: 36-wide ⌈20/36⌉·⌈512/512⌉ = 1 beats 18-wide ⌈20/18⌉·1 = 2
    expect(bram18For(1, 20, 512, MODEL)).toBe(1);
    // 20 × 1024: 36-wide 1·2 = 2, 18-wide 2·1 = 2, 9-wide 3·1 = 3 → 2
    expect(bram18For(1, 20, 1024, MODEL)).toBe(2);
    // 19 × 600: 36-wide 1·⌈600/512⌉ = 2, 18-wide 2·1 = 2 → 2; 18 × 600 fits one 18×1K block
    expect(bram18For(1, 19, 600, MODEL)).toBe(2);
    expect(bram18For(1, 18, 600, MODEL)).toBe(1);
    // 36 × 513: 36-wide 1·2 = 2, 18-wide 2·1 = 2
    expect(bram18For(1, 36, 513, MODEL)).toBe(2);
    // 8 × 2048 fits one 9×2K block; 8 × 4608: 9-wide ⌈4608/2048⌉ = 3, 4-wide 2·2 = 4, 18-wide 5
    expect(bram18For(1, 8, 2048, MODEL)).toBe(1);
    expect(bram18For(1, 8, 4608, MODEL)).toBe(3);
    // 32-bit accumulators × 512: one 36×512 block
    expect(bram18For(1, 32, 512, MODEL)).toBe(1);
  });

  it('multiplies by the number of independent banks', () => {
    expect(bram18For(3, 16, 1024, MODEL)).toBe(3);
    expect(bram18For(16, 8, 4608, MODEL)).toBe(48);
  });
});

describe('DSP packing from the board', () => {
  it('reads MACs per DSP from the smallest listed bitwidth ≥ the chunk bits (ZC706: 4→4, 6/8→2, 16→1)', () => {
    expect([4, 5, 6, 8, 12, 16, 32].map((b) => macsPerDsp(ZC706, b))).toEqual([4, 2, 2, 2, 1, 1, 1]);
  });

  it('charges ⌈peM·peN / packing⌉ + 4 requantisation DSP per chunk', () => {
    const at = (bits: number, peM: number, peN: number): number => {
      const l = layer('c', { inH: 8, inC: 16, outC: 16, bits });
      return estimateCost(oneChunkProblem([l]), packed({ tileM: 16, tileN: 16, peM, peN })).dsp;
    };
    expect(at(4, 8, 8)).toBe(64 / 4 + 4); // 20
    expect(at(6, 8, 8)).toBe(64 / 2 + 4); // 36
    expect(at(8, 8, 8)).toBe(64 / 2 + 4); // 36
    expect(at(4, 3, 3)).toBe(Math.ceil(9 / 4) + 4); // 7
  });
});

describe('chunk buffers', () => {
  // conv chunk, 8-bit, largest layer 64 out × 256 in channels, 16×16 map, 3×3 stride 1;
  // tiles M 32, N 16, R 8, C 8; PE 4×4 under mn.
  const conv: ChunkExtents = {
    dw: false,
    bits: 8,
    macsPerDsp: 2,
    maxM: 64,
    maxN: 256,
    maxR: 16,
    maxC: 16,
    needs: macNeeds([64, 256, 16, 16, 3, 1]),
  };
  const p = { parallel: 'mn', tileM: 32, tileN: 16, tileR: 8, tileC: 8, peM: 4, peN: 4 } as const;

  it('os: double-buffered inputs and weights of one tileN step, 32-bit accumulators', () => {
    // inputs: peN = 4 banks of ⌈16·10·10/4⌉ = 400 × 8 bit → 1 block each → 4, twice = 8
    // weights: peM·peN = 16 banks of ⌈32·16·9/16⌉ = 288 × 8 → 1 block each, twice = 32
    // outputs: peM = 4 banks of ⌈32·8·8/4⌉ = 512 × 32 → 1 block each = 4
    const r = resourcesOf(conv, { ...p, loopOrder: 'os' });
    expect(r.bram).toBe(8 + 32 + 4);
    expect(r.dsp).toBe(16 / 2 + 4);
    // LUT = 2500 + 16 MACs·8 bit·2 + adders 4·3·(2·8 + ⌈log2 4⌉) + 4 banks·32 = 2500 + 256 + 216 + 128
    expect(r.lut).toBe(3100);
    // FF = 3500 + 16·8·3 + 216 + 128
    expect(r.ff).toBe(4228);
  });

  it('ws: the weight buffer holds every input channel (maxN), once', () => {
    // weights: 16 banks of ⌈32·256·9/16⌉ = 4608 × 8 → 3 blocks (9×2048) each = 48, single copy
    const r = resourcesOf(conv, { ...p, loopOrder: 'ws' });
    expect(r.bram).toBe(8 + 48 + 4);
    // ws weights grow with maxN (not tileN): halve maxN → 2304 deep → 2 blocks per bank
    expect(resourcesOf({ ...conv, maxN: 128, needs: macNeeds([64, 128, 16, 16, 3, 1]) }, { ...p, loopOrder: 'ws' }).bram).toBe(8 + 32 + 4);
    // os weights do not depend on maxN at all
    expect(resourcesOf({ ...conv, maxN: 128, needs: macNeeds([64, 128, 16, 16, 3, 1]) }, { ...p, loopOrder: 'os' }).bram).toBe(44);
  });

  it('inputs are double-buffered: halving tileN saves twice the blocks of one buffer', () => {
    // 1×1, 16×16 tile, PE 1×1, tileM 2: weights 2·tileN words (≤ 1024 bits → LUTRAM), outputs
    // 1 bank of 2·16·16 = 512 × 32 → 1 block. Inputs: 1 bank of tileN·256 × 8 bits:
    //   tileN 64 → 16384 deep → 8 blocks (every aspect but 18/36 gives 8); tileN 32 → 4 blocks
    const small: ChunkExtents = {
      dw: false,
      bits: 8,
      macsPerDsp: 2,
      maxM: 8,
      maxN: 64,
      maxR: 16,
      maxC: 16,
      needs: macNeeds([8, 64, 16, 16, 1, 1]),
    };
    const q = { tileM: 2, tileR: 16, tileC: 16, peM: 1, peN: 1 };
    const big = resourcesOf(small, { ...q, tileN: 64 });
    const half = resourcesOf(small, { ...q, tileN: 32 });
    expect(big.bram).toBe(2 * 8 + 0 + 1);
    expect(half.bram).toBe(2 * 4 + 0 + 1);
    // the LUTRAM weights cost LUTs: 2 copies · 128 words · 8 bit / 64 = 32 (tileN 64), 16 (tileN 32)
    expect(big.lut).toBe(2500 + 16 + 0 + 32 + 32);
    expect(half.lut).toBe(2500 + 16 + 0 + 32 + 16);
  });

  it('depthwise: mp banks inputs per PE (peM·peN), which can push every buffer into LUTRAM', () => {
    // 32 channels, 8×8, 3×3; tiles M 16, R 8, C 8; input words 16·10·10 = 1600
    const dw: ChunkExtents = {
      dw: true,
      bits: 8,
      macsPerDsp: 2,
      maxM: 32,
      maxN: 1,
      maxR: 8,
      maxC: 8,
      needs: macNeeds([32, 1, 8, 8, 3, 1]),
    };
    const t = { tileM: 16, tileN: 1, tileR: 8, tileC: 8, peM: 8 };
    // mn: inputs 8 banks × 200 × 8 → 1 block each, ×2 = 16; weights 8 banks × 18 words → LUTRAM;
    //     outputs 8 banks × ⌈16·64/8⌉ = 128 × 32 → 1 block each = 8
    const mn = resourcesOf(dw, { ...t, parallel: 'mn', peN: 1 });
    expect(mn.bram).toBe(16 + 0 + 8);
    expect(mn.dsp).toBe(8 / 2 + 4);
    // mp PE 8×4: inputs 32 banks × 50 words, outputs 32 banks × 32 × 32 bit = 1024 → all LUTRAM
    // LUT = 2500 + 32·8·2 + 32·32 + (2·32·8·50 + 2·8·8·18 + 32·32·32) / 64 = 2500 + 512 + 1024 + 948
    const mp = resourcesOf(dw, { ...t, parallel: 'mp', peN: 4 });
    expect(mp.bram).toBe(0);
    expect(mp.lut).toBe(4984);
    expect(mp.dsp).toBe(32 / 2 + 4);
  });

  it('sizes buffers by min(tile, largest layer): a tile beyond every layer costs nothing more', () => {
    const l = layer('c', { inH: 8, inC: 16, outC: 16, kernel: 3 });
    const problem = oneChunkProblem([l]);
    expect(problem.extents[0]).toMatchObject({ maxM: 16, maxN: 16, maxR: 8, maxC: 8, bits: 8, macsPerDsp: 2 });
    expect(Array.from(problem.extents[0].needs)).toEqual([0, 16, 16, 8, 8, 3, 1, 64]);
    const fit = estimateCost(problem, packed({ tileM: 16, tileN: 16, tileR: 8, tileC: 8 }));
    const over = estimateCost(problem, packed({ tileM: 128, tileN: 64, tileR: 32, tileC: 32 }));
    expect([over.bram18, over.lut, over.bottleneckCycles]).toEqual([fit.bram18, fit.lut, fit.bottleneckCycles]);
  });
});

describe('buffers of a chunk with different layer shapes', () => {
  it('hold the largest need of any one layer, not a mix of per-dimension maxima', () => {
    // a 3×3 stride-1 conv over 16 channels and a 1×1 stride-2 conv over 64 channels
    const a = layer('a', { inH: 16, inC: 16, outC: 16, kernel: 3 });
    const b = layer('b', { inH: 16, inC: 64, outC: 16, kernel: 1, stride: 2, inputs: ['a'] });
    const problem = oneChunkProblem([a, b]);
    // [MAC, M, N, R, C, K, S, input pixels] per distinct layer shape
    expect(Array.from(problem.extents[0].needs)).toEqual([0, 16, 16, 16, 16, 3, 1, 256, 0, 16, 64, 8, 8, 1, 2, 256]);
    // tiles N 64, R 8, C 8: layer a needs 16·10·10 = 1600 input words, layer b 64·15·15 = 14400;
    // a mix (64 channels, 3×3 window, stride 2) would need 64·17·17 = 18496
    const ext = problem.extents[0];
    const only = (n: number, k: number, st: number) =>
      resourcesOf({ ...ext, needs: macNeeds([16, n, 16, 16, k, st]) }, { tileM: 16, tileN: 64, tileR: 8, tileC: 8, peM: 1, peN: 1 });
    const both = resourcesOf(ext, { tileM: 16, tileN: 64, tileR: 8, tileC: 8, peM: 1, peN: 1 });
    const mixed = only(64, 3, 2);
    expect(both.bram).toBeLessThan(mixed.bram);
    expect(both.bram).toBeGreaterThanOrEqual(only(64, 1, 2).bram);
  });
});
