/**
 * The analytical cycle model against hand computation, one layer at a time. Every case uses
 * the ZC706 (170.56 DRAM bits/cycle, so one chunk's port ≤ 128 is never shared), 8-bit
 * weights, activations and outputs, and DEFAULT_COEFFICIENTS:
 *   cycles = overlap + prologue + weightLoad + output + params + 2·steps + 15·tiles + 62.
 * A transfer of w buffer words holding b bits costs T(w, b) = max(w, ⌈b/port⌉): the DMA writes
 * at most one word a cycle. An input word holds VI channels of one pixel (VI = peN on a conv
 * chunk, peM on a depthwise chunk), a weight word VW values (peN; depthwise 1), an output word
 * peM channels of one pixel.
 * Per (m, r, c) tile and input-channel step: compute (mn) = 4 + ⌈mi/peM⌉·⌈ni/peN⌉·ri·ci·K²,
 * (mp) = 4 + ⌈mi/peM⌉·ni·ri·⌈ci/peN⌉·K² (4 = COMPUTE_PIPE); load = T(hIn·wIn·⌈ni/VI⌉, ni·hIn·wIn·q)
 * (+ T(mi·K²·⌈ni/VW⌉, mi·ni·K²·q) under os), hIn = (ri−1)·S + K. A tile's steps run load 1,
 * [compute i ∥ load i+1]*, compute S: overlap = Σ_tiles Σ_{i<S} max(compute_i, load_{i+1});
 * prologue = Σ_tiles load_1 + compute_S (the fill and the drain); output = Σ_tiles T(ri·ci·⌈mi/peM⌉, mi·ri·ci·qo);
 * params = T(E, 64·E) + T(E, 32·E) for the E requantisation entries (= 2·E on a port ≥ 64 bits).
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_COEFFICIENTS, layerCycles, TERM_COUNT } from '../../src/accel/cost-model.js';
import { estimateCost } from '../../src/accel/estimate.js';
import type { LayerSpec } from '../../src/core/network.js';
import type { CalibrationSpec, ChunkKind, ChunkParams, CostTerm, LayerCost } from '../../src/accel/types.js';
import { COST_TERMS } from '../../src/accel/types.js';
import { layer, oneChunkProblem, packed } from './helpers.js';

function costOf(
  layers: readonly LayerSpec[],
  p: Partial<ChunkParams>,
  kind: ChunkKind = 'conv',
  calibration?: CalibrationSpec,
): LayerCost[] {
  const report = estimateCost(oneChunkProblem(layers, kind, { calibration }), packed(p));
  expect(report.feasible).toBe(true);
  return [...report.layers];
}

const one = (l: LayerSpec, p: Partial<ChunkParams>, kind: ChunkKind = 'conv', cal?: CalibrationSpec): LayerCost =>
  costOf([l], p, kind, cal)[0];

type Terms = Record<CostTerm, number>;
const terms = (t: Omit<Terms, 'fixed'>): Terms => ({ ...t, fixed: 1 });

/** The model is linear in its terms: cycles = Σ coef_k · term_k. */
function linear(t: Readonly<Terms>, coef = DEFAULT_COEFFICIENTS): number {
  return COST_TERMS.reduce((sum, k) => sum + coef[k] * t[k], 0);
}

// 1×1 conv, N=16 → M=32 on 8×8; tiles 16/8/4/4 divide every dimension: 2 m-tiles × 2 r × 2 c
// = 8 tiles of 2 input-channel steps each.
const conv1x1 = layer('pw', { inH: 8, inC: 16, outC: 32 });
const tiles1x1 = { tileM: 16, tileN: 8, tileR: 4, tileC: 4 } as const;

describe('cost model: 1×1 conv whose dimensions divide the tiles', () => {
  it('os, compute-bound (PE 4×4, port 64): 3414 cycles', () => {
    // VI = VW = peN = 4: an input word is 4 channels of a pixel (32 bits), a weight word 4 values
    // step: compute = 4 + ⌈16/4⌉·⌈8/4⌉·4·4·1 = 4 + 128 = 132
    //   inputs  T(4·4·⌈8/4⌉, 8·4·4·8) = max(32, 1024/64 = 16) = 32
    //   weights T(16·1·⌈8/4⌉, 16·8·1·8) = max(32, 16) = 32  → load 64 (word-bound, not bit-bound)
    // overlap = 8 tiles · 1 · max(132, 64) = 1056;  prologue = 8 · (64 + 132) = 1568
    // output = 8 · T(4·4·⌈16/4⌉, 16·4·4·8) = 8 · max(64, 32) = 512
    // params = T(32, 32·64) + T(32, 32·32) = max(32, 32) + max(32, 16) = 64
    // steps = 8·2 = 16;  tiles = 8
    // cycles = 1056 + 1568 + 0 + 512 + 64 + 2·16 + 15·8 + 62 = 3414
    const l = one(conv1x1, { ...tiles1x1, loopOrder: 'os' });
    expect(l.terms).toEqual(terms({ overlap: 1056, prologue: 1568, weightLoad: 0, output: 512, params: 64, steps: 16, tiles: 8 }));
    expect(l.cycles).toBe(3414);
    expect(linear(l.terms)).toBe(3414);
    // 8·8·32·16 = 32768 MACs on a 16-MAC array in 3414 cycles
    expect(l.macs).toBe(32768);
    expect(l.peUtilisation).toBeCloseTo(32768 / (3414 * 16), 12);
  });

  it('ws, compute-bound: weights leave the step load and are loaded once per m-tile: 3286 cycles', () => {
    // step load = inputs only = 32; overlap = 8·max(132, 32) = 1056; prologue = 8·(32 + 132) = 1312
    // weightLoad = 2 m-tiles · T(16·1·(2 steps · ⌈8/4⌉), 16·16·1·8) = 2 · max(64, 2048/64 = 32) = 128
    // cycles = 1056 + 1312 + 128 + 512 + 64 + 32 + 120 + 62 = 3286
    const l = one(conv1x1, { ...tiles1x1, loopOrder: 'ws' });
    expect(l.terms).toEqual(terms({ overlap: 1056, prologue: 1312, weightLoad: 128, output: 512, params: 64, steps: 16, tiles: 8 }));
    expect(l.cycles).toBe(3286);
  });

  it('DRAM-bound (PE 16×8): os re-fetches the weights for every spatial tile, ws once per m-tile', () => {
    // VI = VW = 8: a word is 64 bits, one port beat. compute = 4 + ⌈16/16⌉·⌈8/8⌉·16 = 20 per step
    // inputs T(16·⌈8/8⌉, 1024) = max(16, 16) = 16; weights T(16·⌈8/8⌉, 1024) = 16 → os load 32, ws load 16
    // output = 8 · T(16·⌈16/16⌉, 2048) = 8 · max(16, 32) = 256
    // os: overlap = 8·max(20, 32) = 256, prologue = 8·(32 + 20) = 416
    //     cycles = 256 + 416 + 0 + 256 + 64 + 32 + 120 + 62 = 1206
    // ws: overlap = 8·max(20, 16) = 160 (now compute-bound), prologue = 8·(16 + 20) = 288,
    //     weightLoad = 2 · T(16·(2·⌈8/8⌉), 2048) = 2 · max(32, 32) = 64
    //     cycles = 160 + 288 + 64 + 256 + 64 + 32 + 120 + 62 = 1046
    const pe = { ...tiles1x1, peM: 16, peN: 8 };
    const os = one(conv1x1, { ...pe, loopOrder: 'os' });
    const ws = one(conv1x1, { ...pe, loopOrder: 'ws' });
    expect(os.terms).toEqual(terms({ overlap: 256, prologue: 416, weightLoad: 0, output: 256, params: 64, steps: 16, tiles: 8 }));
    expect(ws.terms).toEqual(terms({ overlap: 160, prologue: 288, weightLoad: 64, output: 256, params: 64, steps: 16, tiles: 8 }));
    expect([os.cycles, ws.cycles]).toEqual([1206, 1046]);
    // Weight traffic in port cycles: os is all load, 8 tiles · 2 steps · (16 inputs + 16 weights)
    // = its overlap (the second loads) + the first loads of its prologue (8·32); the weight part
    // 8·2·16 = 256 (the 4096 weight bits fetched once per each of the 4 spatial tiles) is 4 · ws's 64.
    const osLoads = os.terms.overlap + 8 * 32;
    expect(osLoads).toBe(8 * 2 * 32);
    expect(osLoads - 8 * 2 * 16).toBe(4 * ws.terms.weightLoad);
    // ws pays its 64 once, but its steps are compute-bound (20 > 16), so it saves less than the
    // 256: overlap 256 − 160 = 96, prologue 416 − 288 = 128, less its weightLoad 64 → 160
    expect(os.cycles - ws.cycles).toBe(96 + 128 - 64);
  });

  it('compute-bound ignores a wider port in the overlap; DRAM-bound halves it only while its words are wider than the port', () => {
    // port 128, PE 4×4: every transfer is word-bound already (32-bit input and weight words,
    // 32-bit output words, one table entry a cycle), so nothing changes: 3414 as on port 64.
    // PE 16×8: 64-bit words, load stays 16 + 16 words → overlap stays 256, prologue 416; the
    //   128-bit output words now take one beat: output 8·T(16, 2048/128 = 16) = 128 (from 256)
    //   cycles = 256 + 416 + 128 + 64 + 32 + 120 + 62 = 1078
    const computeBound = one(conv1x1, { ...tiles1x1, portBits: 128 });
    const wordBound = one(conv1x1, { ...tiles1x1, peM: 16, peN: 8, portBits: 128 });
    expect(computeBound.terms.overlap).toBe(1056);
    expect(computeBound.cycles).toBe(3414);
    expect(wordBound.terms.overlap).toBe(256);
    expect(wordBound.terms.output).toBe(128);
    expect(wordBound.cycles).toBe(1078);
    // PE 16×16 with tileN 16 (1 step per tile): 128-bit input and weight words, two beats each on
    //   port 64. compute = 4 + 1·1·16 = 20; inputs T(16·⌈16/16⌉, 16·16·8) and weights
    //   T(16·⌈16/16⌉, 16·16·8): port 64 max(16, 32) = 32 each, load 64; port 128 max(16, 16) = 16 each, load 32
    //   one step: no overlap; prologue = load + compute
    //   port 64:  prologue 8·(64 + 20) = 672, output 8·T(16, 2048/64) = 256
    //             cycles = 672 + 256 + 64 + 2·8 + 120 + 62 = 1190
    //   port 128: prologue 8·(32 + 20) = 416 (its load halved), output 8·16 = 128
    //             cycles = 416 + 128 + 64 + 16 + 120 + 62 = 806
    const wide = { ...tiles1x1, tileN: 16, peM: 16, peN: 16 };
    const port64 = one(conv1x1, wide);
    const port128 = one(conv1x1, { ...wide, portBits: 128 });
    expect([port64.terms.overlap, port128.terms.overlap]).toEqual([0, 0]);
    expect([port64.terms.prologue, port128.terms.prologue]).toEqual([672, 416]);
    expect([port64.cycles, port128.cycles]).toEqual([1190, 806]);
  });
});

describe('cost model: a DRAM that answers late', () => {
  it('every read chain lands L cycles later: a step load, a ws weight tile, the tables', () => {
    // the 3414-cycle os case with L = 40: load 64 → 104, still under the 132 of compute in the
    // pairs, so overlap stays 8·132 = 1056; prologue 8·(104 + 132) = 1888 (+ 8·40); params + 40
    //   cycles = 3414 + 320 + 40 = 3774
    // ws (3286): load 32 → 72; prologue + 8·40; weightLoad 2·(64 + 40) = 208 (+ 2·40); params + 40
    //   cycles = 3286 + 320 + 80 + 40 = 3726
    const problem = oneChunkProblem([conv1x1]);
    const at = (order: 'os' | 'ws', latency: number) => {
      const t = new Float64Array(TERM_COUNT);
      const cycles = layerCycles(problem.rows, 0, packed({ ...tiles1x1, loopOrder: order }), 0, 64, problem.coefficients, t, latency);
      return { cycles, terms: Object.fromEntries(COST_TERMS.map((k, i) => [k, t[i]])) };
    };
    expect(at('os', 0).cycles).toBe(3414);
    expect(at('os', 40)).toEqual({
      cycles: 3774,
      terms: terms({ overlap: 1056, prologue: 1888, weightLoad: 0, output: 512, params: 104, steps: 16, tiles: 8 }),
    });
    expect(at('ws', 40).cycles).toBe(3726);
    expect(at('ws', 40).terms.weightLoad).toBe(208);
    // a latency the compute no longer covers: L = 100 makes the os loads 164 > 132, so the pairs
    // are load-bound: overlap 8·164 = 1312, prologue 8·(164 + 132) = 2368, params 164
    expect(at('os', 100).terms).toMatchObject({ overlap: 1312, prologue: 2368, params: 164 });
  });
});

describe('cost model: spatial kernels', () => {
  it('3×3 stride 1 with a tail tile in M, N, R and C: 19607 cycles', () => {
    // M=20, N=12, R=C=10; tiles 8/8/4/4 → m: 8,8,4; n: 8,4; r and c: 4,4,2 (hIn 6,6,4). PE 4×4,
    // VI = VW = 4, and 4 divides every tile, so every transfer is word-bound (2 words per 64 bits):
    //   compute = 4 + (mi/4)·(ni/4)·ri·ci·9;  load = (ni/4)·(hIn·wIn + 9·mi)
    // Each of the 27 tiles: load(ni 8) · max(compute(ni 8), load(ni 4)) · compute(ni 4). The ni-8
    // compute covers the ni-4 load on every tile (the 2×2 tiles: 148 > 88 for mi 8, 76 > 52 for mi 4),
    // so overlap = Σ compute(ni 8) = 27·4 + ΣM/4 · 8/4 · R·C·9 = 108 + 5·2·100·9 = 9108
    // prologue = Σ load(ni 8) + Σ compute(ni 4):
    //   2·(3·Σ hIn·wIn + 9·Σ mi·9) = 2·(3·16·16 + 9·20·9) = 2·(768 + 1620) = 4776
    //   + 27·4 + 5·1·100·9 = 4608  → 9384
    // output = Σ ri·ci·mi/4 = 20·10·10/4 = 500 (words, over mi·ri·ci·8/64 bits);  params = 2·20 = 40
    // tiles = 3·3·3 = 27; steps 54
    // cycles = 9108 + 9384 + 500 + 40 + 2·54 + 15·27 + 62 = 19607
    // (pairing each step's compute with its own load instead — max(c_i, l_i) + the first step's
    // min — gave 19643: 12 cycles too many on each of the three load-bound 2×2 tiles)
    const l = layer('k3', { inH: 10, inC: 12, outC: 20, kernel: 3 });
    const p = { tileM: 8, tileN: 8, tileR: 4, tileC: 4 };
    const cost = one(l, p);
    expect(cost.terms).toEqual(terms({ overlap: 9108, prologue: 9384, weightLoad: 0, output: 500, params: 40, steps: 54, tiles: 27 }));
    expect(cost.cycles).toBe(19607);
    // the packed hot path gives the same number and writes the same terms
    const problem = oneChunkProblem([l]);
    const t = new Float64Array(TERM_COUNT);
    expect(layerCycles(problem.rows, 0, packed(p), 0, 64, problem.coefficients, t)).toBe(19607);
    expect(Array.from(t)).toEqual(COST_TERMS.map((k) => cost.terms[k]));
  });

  it('3×3 stride 2 is DRAM-bound under os and compute-bound under ws', () => {
    // 8×8 in, pad 1 → 4×4 out, M=N=8; tiles 8/8/2/2, PE 8×8: 4 tiles of 1 step, hIn = wIn = 1·2+3 = 5
    // compute = 4 + 1·1·2·2·9 = 40; inputs T(5·5·⌈8/8⌉, 8·5·5·8) = max(25, 25) = 25;
    // weights T(8·9·⌈8/8⌉, 8·8·9·8) = max(72, 72) = 72
    // one step a tile: no overlap, prologue = load + compute
    // os: prologue 4·(97 + 40) = 548; output 4·T(2·2·⌈8/8⌉, 8·2·2·8) = 4·4 = 16;
    //     params 2·8 = 16;  cycles = 548 + 16 + 16 + 2·4 + 15·4 + 62 = 710
    // ws: prologue 4·(25 + 40) = 260; weightLoad 1·T(8·9·⌈8/8⌉, 8·8·9·8) = 72
    //     cycles = 260 + 72 + 16 + 16 + 8 + 60 + 62 = 494
    const l = layer('s2', { inH: 8, inC: 8, outC: 8, kernel: 3, stride: 2 });
    expect([l.outH, l.outW]).toEqual([4, 4]);
    const p = { tileM: 8, tileN: 8, tileR: 2, tileC: 2, peM: 8, peN: 8 };
    const os = one(l, { ...p, loopOrder: 'os' });
    const ws = one(l, { ...p, loopOrder: 'ws' });
    expect(os.terms).toEqual(terms({ overlap: 0, prologue: 548, weightLoad: 0, output: 16, params: 16, steps: 4, tiles: 4 }));
    expect(ws.terms).toEqual(terms({ overlap: 0, prologue: 260, weightLoad: 72, output: 16, params: 16, steps: 4, tiles: 4 }));
    expect([os.cycles, ws.cycles]).toEqual([710, 494]);
  });

  it('standard conv under mp: a column tail wastes PE columns that mn does not', () => {
    // M=16, N=8, 6×6, 3×3; tiles 16/8/6/4 → c tiles 4 (wIn 6) and 2 (wIn 4), one r tile (hIn 8)
    // PE 8×4, VI = VW = 4. mp compute = 4 + ⌈16/8⌉·8·6·⌈ci/4⌉·9 = 868 for ci = 4 and for ci = 2
    // os load = inputs T(8·wIn·⌈8/4⌉, 8·8·wIn·8) + weights T(16·9·⌈8/4⌉, 16·8·9·8)
    //   = max(16·wIn, 8·wIn) + max(288, 144) = 96 + 288 = 384 (ci 4), 64 + 288 = 352 (ci 2)
    // one step a tile: prologue = (384 + 868) + (352 + 868) = 2472
    // output T(6·ci·⌈16/8⌉, 16·6·ci·8) = max(12·ci, 12·ci): 48 + 24 = 72; params 2·16 = 32
    // cycles = 2472 + 72 + 32 + 2·2 + 15·2 + 62 = 2672
    // mn compute = 4 + 2·⌈8/4⌉·6·ci·9 = 868 and 436 → prologue 384 + 868 + 352 + 436 = 2040, cycles 2240
    const l = layer('mp', { inH: 6, inC: 8, outC: 16, kernel: 3 });
    const p = { tileM: 16, tileN: 8, tileR: 6, tileC: 4, peM: 8, peN: 4 };
    const mp = one(l, { ...p, parallel: 'mp' });
    expect(mp.terms).toEqual(terms({ overlap: 0, prologue: 2472, weightLoad: 0, output: 72, params: 32, steps: 2, tiles: 2 }));
    expect(mp.cycles).toBe(2672);
    const mn = one(l, { ...p, parallel: 'mn' });
    expect(mn.terms.prologue).toBe(2040);
    expect(mn.cycles).toBe(2240);
    // the waste: the ci = 2 tail runs a full ⌈2/4⌉ = 1 column pass, 864 − 432 = 432 cycles more
    expect(mp.cycles - mn.cycles).toBe(432);
  });

  it('depthwise 3×3 under mn (channels only) and mp (channels × columns)', () => {
    // 16 channels, 8×8, tiles M 8, R 4, C 4 → 2·2·2 = 8 tiles, 1 step (no input-channel loop)
    // depthwise chunk: VI = peM = 8 (an input word is 8 channels of a pixel), VW = 1
    // load = inputs T(6·6·⌈8/8⌉, 8·6·6·8) + weights T(8·9·⌈1/1⌉, 8·1·9·8) = max(36, 36) + max(72, 9)
    //   = 36 + 72 = 108;  output 8·T(4·4·⌈8/8⌉, 8·16·8) = 8·max(16, 16) = 128;  params 2·16 = 32
    // one step a tile: prologue = 8·(load + compute)
    // mn PE 8(×1): compute = 4 + 1·1·4·4·9 = 148 → prologue 8·(108 + 148) = 2048
    //   cycles = 2048 + 128 + 32 + 2·8 + 15·8 + 62 = 2406
    // mp PE 8×4: compute = 4 + 1·1·4·⌈4/4⌉·9 = 40 → prologue 8·(108 + 40) = 1184
    //   cycles = 1184 + 128 + 32 + 16 + 120 + 62 = 1542
    const dw = layer('dw', { kind: 'dwconv', inH: 8, inC: 16, outC: 16, kernel: 3 });
    const p = { tileM: 8, tileN: 1, tileR: 4, tileC: 4, peM: 8 };
    const mn = one(dw, { ...p, parallel: 'mn', peN: 1 }, 'dw');
    const mp = one(dw, { ...p, parallel: 'mp', peN: 4 }, 'dw');
    expect(mn.terms).toEqual(terms({ overlap: 0, prologue: 2048, weightLoad: 0, output: 128, params: 32, steps: 8, tiles: 8 }));
    expect(mp.terms).toEqual(terms({ overlap: 0, prologue: 1184, weightLoad: 0, output: 128, params: 32, steps: 8, tiles: 8 }));
    expect([mn.cycles, mp.cycles]).toEqual([2406, 1542]);
    // 8·8·16·9 MACs; mn peak is peM (one lane per channel)
    expect(mn.peUtilisation).toBeCloseTo(9216 / (2406 * 8), 12);
  });

  it('grouped 1×1 conv (groups 2) runs its two groups one after another', () => {
    // 16 → 32, groups 2, 4×4: per group M=16, N=8, one tile of one step (tiles 16/8/4/4, PE 4×4)
    // compute = 4 + 4·2·16 = 132; load = T(16·⌈8/4⌉, 8·16·8) + T(16·⌈8/4⌉, 16·8·8) = 32 + 32 = 64;
    // output T(16·⌈16/4⌉, 16·16·8) = max(64, 32) = 64
    // ×2 groups of one step: prologue 2·(64 + 132) = 392, output 128, steps 2, tiles 2; params = 2·32 = 64
    // cycles = 392 + 128 + 64 + 2·2 + 15·2 + 62 = 680
    // The same conv ungrouped: 2 m-tiles × 2 steps of 132 → overlap 2·132 = 264, prologue
    // 2·(64 + 132) = 392, output 128, steps 4, tiles 2 → 264 + 392 + 128 + 64 + 8 + 30 + 62 = 948
    const p = { tileM: 16, tileN: 8, tileR: 4, tileC: 4 };
    const grouped = one(layer('g2', { inH: 4, inC: 16, outC: 32, groups: 2 }), p);
    expect(grouped.terms).toEqual(terms({ overlap: 0, prologue: 392, weightLoad: 0, output: 128, params: 64, steps: 2, tiles: 2 }));
    expect(grouped.cycles).toBe(680);
    expect(grouped.macs).toBe(4 * 4 * 32 * 8);
    expect(one(layer('g1', { inH: 4, inC: 16, outC: 32 }), p).cycles).toBe(948);
  });
});

describe('cost model: add and global pool on their producer chunk', () => {
  // conv 16→16 on 8×8, then add(conv, input) and a global 8×8 average pool; PE 2×2, tiles 8/8/4/4
  // On a conv chunk VI = peN = 2, so E = min(VI, peM) = 2 channels a cycle; overlap =
  // max(compute, load) + 4·tiles; params = T(E, 32·E), the one 32-bit table.
  const conv = layer('c', { inH: 8, inC: 16, outC: 16 });
  const add = layer('add', { kind: 'add', inputs: ['c', 'input'], inH: 8, inC: 16, outC: 16 });
  const pool = layer('pool', { kind: 'pool', inputs: ['add'], inH: 8, inC: 16, outC: 16, kernel: 8, stride: 8 });
  const p = { tileM: 8, tileN: 8, tileR: 4, tileC: 4, peM: 2, peN: 2 };

  it('add: max(⌈M/E⌉·R·C, two operand loads) + output + per-tile overhead', () => {
    // compute = ⌈16/2⌉·8·8 = 512; load = T(2·64·⌈16/2⌉, 2·16·64·8) = max(1024, 256) = 1024
    // tiles = ⌈16/8⌉·⌈8/4⌉·⌈8/4⌉ = 8 = steps; overlap = max(512, 1024) + 4·8 = 1056
    // output T(64·⌈16/2⌉, 16·64·8) = max(512, 128) = 512
    // params: its two multipliers, T(2, 2·32) = max(2, 1) = 2; no prologue
    // cycles = 1056 + 512 + 2 + 2·8 + 15·8 + 62 = 1768
    const [, a, g] = costOf([conv, add, pool], p);
    expect(a.terms).toEqual(terms({ overlap: 1056, prologue: 0, weightLoad: 0, output: 512, params: 2, steps: 8, tiles: 8 }));
    expect(a.cycles).toBe(1768);
    expect(a.macs).toBe(0);
    // pool: compute = ⌈16/2⌉·1·1·8·8 = 512; load = T(64·⌈16/2⌉, 16·64·8) = max(512, 128) = 512,
    //   + the last window's other channel groups after its last pixel: tiles·(⌈8/2⌉ − 1)·8·8 = 2·3·64 = 384
    //   tiles = ⌈16/8⌉ = 2 = steps; overlap = max(512, 896) + 4·2 = 904
    // output T(1·1·⌈16/2⌉, 16·8) = max(8, 2) = 8; one window size (64 pixels): params T(1, 32) = 1
    // cycles = 904 + 8 + 1 + 2·2 + 15·2 + 62 = 1009
    expect(g.terms).toEqual(terms({ overlap: 904, prologue: 0, weightLoad: 0, output: 8, params: 1, steps: 2, tiles: 2 }));
    expect(g.cycles).toBe(1009);
  });

  it('pool is load-bound when the lanes are wide: overlap = input stream', () => {
    // PE 16×16, tileM 16, tileN 16: VI = 16 and E = 16, one tile, one channel group
    // compute = ⌈16/16⌉·64 = 64 < load T(64·⌈16/16⌉, 16·64·8) = max(64, 128) = 128 (+ 1·(1 − 1)·64)
    // → overlap 128 + 4·1 = 132; output T(1, 128) = 2; params 1
    // cycles = 132 + 2 + 1 + 2·1 + 15·1 + 62 = 214
    const [, , g] = costOf([conv, add, pool], { ...p, tileM: 16, tileN: 16, peM: 16, peN: 16 });
    expect(g.terms).toEqual(terms({ overlap: 132, prologue: 0, weightLoad: 0, output: 2, params: 1, steps: 1, tiles: 1 }));
    expect(g.cycles).toBe(214);
    // with peN 1 the input words hold one channel: E = min(1, 16) = 1 and the pool runs a channel
    // a cycle, compute ⌈16/1⌉·64 = 1024, load T(64·16, 8192) = 1024 + 1·(16 − 1)·64 = 1984
    const [, , narrow] = costOf([conv, add, pool], { ...p, tileM: 16, peM: 16, peN: 1 });
    expect(narrow.terms.overlap).toBe(1984 + 4);
  });
});

describe('cost model: calibration scales exactly its own term', () => {
  const withCoef = (key: 'conv/os' | 'conv/ws' | 'eltwise/os', c: Partial<typeof DEFAULT_COEFFICIENTS>): CalibrationSpec => ({
    version: 1,
    coefficients: { [key]: { ...DEFAULT_COEFFICIENTS, ...c } },
  });

  it('tiles 0 removes 15·tiles; overlap 0.5 halves the overlap; ws weightLoad 3 triples it', () => {
    const os = { ...tiles1x1, loopOrder: 'os' } as const;
    const ws = { ...tiles1x1, loopOrder: 'ws' } as const;
    // the 3414-cycle os and 3286-cycle ws cases above: 8 tiles, overlap 1056, ws weightLoad 128
    expect(one(conv1x1, os, 'conv', withCoef('conv/os', { tiles: 0 })).cycles).toBe(3414 - 15 * 8);
    expect(one(conv1x1, os, 'conv', withCoef('conv/os', { overlap: 0.5 })).cycles).toBe(3414 - 528);
    expect(one(conv1x1, ws, 'conv', withCoef('conv/ws', { weightLoad: 3 })).cycles).toBe(3286 + 2 * 128);
    // a calibration of one (class, order) leaves the others on the defaults
    expect(one(conv1x1, ws, 'conv', withCoef('conv/os', { tiles: 0 })).cycles).toBe(3286);
    const l = one(conv1x1, os, 'conv', withCoef('conv/os', { fixed: 100, steps: 0 }));
    expect(l.cycles).toBe(3414 + (100 - 62) - 2 * 16);
    expect(l.cycles).toBe(linear(l.terms, { ...DEFAULT_COEFFICIENTS, fixed: 100, steps: 0 }));
  });

  it('add and pool use the eltwise coefficients, not the conv ones', () => {
    const conv = layer('c', { inH: 8, inC: 16, outC: 16 });
    const add = layer('add', { kind: 'add', inputs: ['c', 'input'], inH: 8, inC: 16, outC: 16 });
    const p = { tileM: 8, tileN: 8, tileR: 4, tileC: 4, peM: 2, peN: 2 };
    const base = costOf([conv, add], p);
    const cal = costOf([conv, add], p, 'conv', withCoef('eltwise/os', { fixed: 0 }));
    expect(cal[0].cycles).toBe(base[0].cycles);
    // the 1768-cycle add above, less its 62 fixed
    expect(cal[1].cycles).toBe(1768 - 62);
  });
});
