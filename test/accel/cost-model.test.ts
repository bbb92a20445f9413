/**
 * The analytical cycle model against hand computation, one layer at a time. Every case uses
 * the ZC706 (170.56 DRAM bits/cycle, so one chunk's port ≤ 128 is never shared), 8-bit
 * weights, activations and outputs, and DEFAULT_COEFFICIENTS:
 *   cycles = overlap + prologue + weightLoad + output + params + 2·steps + 8·tiles + 32.
 * Per (m, r, c) tile and input-channel step: compute (mn) = ⌈mi/peM⌉·⌈ni/peN⌉·ri·ci·K²,
 * (mp) = ⌈mi/peM⌉·ni·ri·⌈ci/peN⌉·K²; load = ⌈ni·hIn·wIn·q/port⌉ (+ ⌈mi·ni·K²·q/port⌉ under os),
 * hIn = (ri−1)·S + K. overlap = Σ max(compute, load); prologue = Σ_tiles min of the first step.
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
  it('os, compute-bound (PE 4×4, port 64): 2736 cycles', () => {
    // step: compute = ⌈16/4⌉·⌈8/4⌉·4·4·1 = 128; load = ⌈8·4·4·8/64⌉ + ⌈16·8·1·8/64⌉ = 16 + 16 = 32
    // overlap = 8 tiles · 2 steps · max(128, 32) = 2048;  prologue = 8 · min(128, 32) = 256
    // output = 8 · ⌈16·4·4·8/64⌉ = 8 · 32 = 256;  params = ⌈32 ch · 96 bit / 64⌉ = 48
    // steps = 8·2 = 16;  tiles = 8
    // cycles = 2048 + 256 + 0 + 256 + 48 + 2·16 + 8·8 + 32 = 2736
    const l = one(conv1x1, { ...tiles1x1, loopOrder: 'os' });
    expect(l.terms).toEqual(terms({ overlap: 2048, prologue: 256, weightLoad: 0, output: 256, params: 48, steps: 16, tiles: 8 }));
    expect(l.cycles).toBe(2736);
    expect(linear(l.terms)).toBe(2736);
    // 8·8·32·16 = 32768 MACs on a 16-MAC array in 2736 cycles
    expect(l.macs).toBe(32768);
    expect(l.peUtilisation).toBeCloseTo(32768 / (2736 * 16), 12);
  });

  it('ws, compute-bound: weights leave the step load and are loaded once per m-tile: 2672 cycles', () => {
    // step load = inputs only = 16; overlap = 8·2·max(128, 16) = 2048; prologue = 8·16 = 128
    // weightLoad = 2 m-tiles · ⌈16·16·1·8/64⌉ = 2·32 = 64
    // cycles = 2048 + 128 + 64 + 256 + 48 + 32 + 64 + 32 = 2672
    const l = one(conv1x1, { ...tiles1x1, loopOrder: 'ws' });
    expect(l.terms).toEqual(terms({ overlap: 2048, prologue: 128, weightLoad: 64, output: 256, params: 48, steps: 16, tiles: 8 }));
    expect(l.cycles).toBe(2672);
  });

  it('DRAM-bound (PE 16×8): os re-fetches the weights for every spatial tile, ws once per m-tile', () => {
    // compute = ⌈16/16⌉·⌈8/8⌉·16 = 16 per step; os load 32, ws load 16 (inputs)
    // os: overlap = 8·2·32 = 512, prologue = 8·min(16, 32) = 128
    //     cycles = 512 + 128 + 0 + 256 + 48 + 32 + 64 + 32 = 1072
    // ws: overlap = 8·2·16 = 256, prologue = 8·16 = 128, weightLoad = 64
    //     cycles = 256 + 128 + 64 + 256 + 48 + 32 + 64 + 32 = 880
    const pe = { ...tiles1x1, peM: 16, peN: 8 };
    const os = one(conv1x1, { ...pe, loopOrder: 'os' });
    const ws = one(conv1x1, { ...pe, loopOrder: 'ws' });
    expect(os.terms).toEqual(terms({ overlap: 512, prologue: 128, weightLoad: 0, output: 256, params: 48, steps: 16, tiles: 8 }));
    expect(ws.terms).toEqual(terms({ overlap: 256, prologue: 128, weightLoad: 64, output: 256, params: 48, steps: 16, tiles: 8 }));
    expect([os.cycles, ws.cycles]).toEqual([1072, 880]);
    // Weight traffic in port cycles: os 8 tiles · 2 steps · 16 = 256 (the 4096 weight bits
    // fetched once per each of the 4 spatial tiles), ws 64 (once). 256 = 4 · 64.
    const osWeights = os.terms.overlap - ws.terms.overlap;
    expect(osWeights).toBe(256);
    expect(osWeights).toBe(4 * ws.terms.weightLoad);
    expect(os.cycles - ws.cycles).toBe(osWeights - ws.terms.weightLoad);
  });

  it('compute-bound ignores a wider port in the overlap; DRAM-bound halves it', () => {
    // port 128: loads halve (inputs 8, weights 8), output 8·16 = 128, params 24.
    // PE 4×4: overlap stays 8·2·128 = 2048; prologue 8·16 = 128
    //   cycles = 2048 + 128 + 128 + 24 + 32 + 64 + 32 = 2456
    // PE 16×8: overlap = 8·2·max(16, 16) = 256 (from 512); prologue 8·16 = 128
    //   cycles = 256 + 128 + 128 + 24 + 32 + 64 + 32 = 664
    const computeBound = one(conv1x1, { ...tiles1x1, portBits: 128 });
    const dramBound = one(conv1x1, { ...tiles1x1, peM: 16, peN: 8, portBits: 128 });
    expect(computeBound.terms.overlap).toBe(2048);
    expect(computeBound.cycles).toBe(2456);
    expect(dramBound.terms.overlap).toBe(256);
    expect(dramBound.cycles).toBe(664);
  });
});

describe('cost model: spatial kernels', () => {
  it('3×3 stride 1 with a tail tile in M, N, R and C: 16524 cycles', () => {
    // M=20, N=12, R=C=10; tiles 8/8/4/4 → m: 8,8,4; n: 8,4; r and c: 4,4,2 (hIn 6,6,4).
    // With PE 4×4 every step is compute-bound (the worst, mi 4, ni 8, 2×2: 72 > 16 + 36), and
    // 4 divides every tail, so overlap = ΣM/4 · N/4 · R·C·9 = 5·3·100·9 = 13500.
    // prologue = Σ_tiles first-step load (ni 8) = Σ hIn·wIn + Σ 9·mi
    //   = 3·16·16 + 9·20·3·3 = 768 + 1620 = 2388
    // output = Σ mi·ri·ci·8/64 = 20·10·10/8 = 250;  params = ⌈20·96/64⌉ = 30;  tiles = 3·3·3 = 27; steps 54
    // cycles = 13500 + 2388 + 250 + 30 + 2·54 + 8·27 + 32 = 16524
    const l = layer('k3', { inH: 10, inC: 12, outC: 20, kernel: 3 });
    const p = { tileM: 8, tileN: 8, tileR: 4, tileC: 4 };
    const cost = one(l, p);
    expect(cost.terms).toEqual(terms({ overlap: 13500, prologue: 2388, weightLoad: 0, output: 250, params: 30, steps: 54, tiles: 27 }));
    expect(cost.cycles).toBe(16524);
    // the packed hot path gives the same number and writes the same terms
    const problem = oneChunkProblem([l]);
    const t = new Float64Array(TERM_COUNT);
    expect(layerCycles(problem.rows, 0, packed(p), 0, 64, problem.coefficients, t)).toBe(16524);
    expect(Array.from(t)).toEqual(COST_TERMS.map((k) => cost.terms[k]));
  });

  it('3×3 stride 2 is DRAM-bound under os and compute-bound under ws', () => {
    // 8×8 in, pad 1 → 4×4 out, M=N=8; tiles 8/8/2/2, PE 8×8: 4 tiles of 1 step, hIn = wIn = 1·2+3 = 5
    // compute = 1·1·2·2·9 = 36; inputs ⌈8·5·5·8/64⌉ = 25; weights ⌈8·8·9·8/64⌉ = 72
    // os: overlap 4·max(36, 97) = 388; prologue 4·36 = 144; output 4·⌈8·2·2·8/64⌉ = 16; params ⌈8·96/64⌉ = 12
    //     cycles = 388 + 144 + 16 + 12 + 2·4 + 8·4 + 32 = 632
    // ws: overlap 4·max(36, 25) = 144; prologue 4·25 = 100; weightLoad 1·72
    //     cycles = 144 + 100 + 72 + 16 + 12 + 8 + 32 + 32 = 416
    const l = layer('s2', { inH: 8, inC: 8, outC: 8, kernel: 3, stride: 2 });
    expect([l.outH, l.outW]).toEqual([4, 4]);
    const p = { tileM: 8, tileN: 8, tileR: 2, tileC: 2, peM: 8, peN: 8 };
    const os = one(l, { ...p, loopOrder: 'os' });
    const ws = one(l, { ...p, loopOrder: 'ws' });
    expect(os.terms).toEqual(terms({ overlap: 388, prologue: 144, weightLoad: 0, output: 16, params: 12, steps: 4, tiles: 4 }));
    expect(ws.terms).toEqual(terms({ overlap: 144, prologue: 100, weightLoad: 72, output: 16, params: 12, steps: 4, tiles: 4 }));
    expect([os.cycles, ws.cycles]).toEqual([632, 416]);
  });

  it('standard conv under mp: a column tail wastes PE columns that mn does not', () => {
    // M=16, N=8, 6×6, 3×3; tiles 16/8/6/4 → c tiles 4 (wIn 6) and 2 (wIn 4), one r tile (hIn 8)
    // PE 8×4. mp compute = ⌈16/8⌉·8·6·⌈ci/4⌉·9 = 864 for ci = 4 and for ci = 2
    // os load = 8·8·wIn·8/64 + 16·8·9·8/64 = 48 + 144 = 192 (ci 4), 32 + 144 = 176 (ci 2)
    // overlap = 864 + 864 = 1728; prologue = 192 + 176 = 368; output 12·4 + 12·2 = 72; params ⌈16·96/64⌉ = 24
    // cycles = 1728 + 368 + 72 + 24 + 2·2 + 8·2 + 32 = 2244
    // mn compute = 2·⌈8/4⌉·6·ci·9 = 864 and 432 → overlap 1296, cycles 1812
    const l = layer('mp', { inH: 6, inC: 8, outC: 16, kernel: 3 });
    const p = { tileM: 16, tileN: 8, tileR: 6, tileC: 4, peM: 8, peN: 4 };
    const mp = one(l, { ...p, parallel: 'mp' });
    expect(mp.terms).toEqual(terms({ overlap: 1728, prologue: 368, weightLoad: 0, output: 72, params: 24, steps: 2, tiles: 2 }));
    expect(mp.cycles).toBe(2244);
    const mn = one(l, { ...p, parallel: 'mn' });
    expect(mn.terms.overlap).toBe(1296);
    expect(mn.cycles).toBe(1812);
  });

  it('depthwise 3×3 under mn (channels only) and mp (channels × columns)', () => {
    // 16 channels, 8×8, tiles M 8, R 4, C 4 → 2·2·2 = 8 tiles, 1 step (no input-channel loop)
    // load = ⌈8 ch·6·6·8/64⌉ + weights ⌈8·1·9·8/64⌉ = 36 + 9 = 45; output 8·⌈8·16·8/64⌉ = 128
    // mn PE 8(×1): compute = 1·1·4·4·9 = 144 → overlap 8·144 = 1152, prologue 8·45 = 360
    // params ⌈16·96/64⌉ = 24
    //   cycles = 1152 + 360 + 128 + 24 + 2·8 + 8·8 + 32 = 1776
    // mp PE 8×4: compute = 1·1·4·⌈4/4⌉·9 = 36 → overlap 8·45 = 360, prologue 8·36 = 288
    //   cycles = 360 + 288 + 128 + 24 + 16 + 64 + 32 = 912
    const dw = layer('dw', { kind: 'dwconv', inH: 8, inC: 16, outC: 16, kernel: 3 });
    const p = { tileM: 8, tileN: 1, tileR: 4, tileC: 4, peM: 8 };
    const mn = one(dw, { ...p, parallel: 'mn', peN: 1 }, 'dw');
    const mp = one(dw, { ...p, parallel: 'mp', peN: 4 }, 'dw');
    expect(mn.terms).toEqual(terms({ overlap: 1152, prologue: 360, weightLoad: 0, output: 128, params: 24, steps: 8, tiles: 8 }));
    expect(mp.terms).toEqual(terms({ overlap: 360, prologue: 288, weightLoad: 0, output: 128, params: 24, steps: 8, tiles: 8 }));
    expect([mn.cycles, mp.cycles]).toEqual([1776, 912]);
    // 8·8·16·9 MACs; mn peak is peM (one lane per channel)
    expect(mn.peUtilisation).toBeCloseTo(9216 / (1776 * 8), 12);
  });

  it('grouped 1×1 conv (groups 2) runs its two groups one after another', () => {
    // 16 → 32, groups 2, 4×4: per group M=16, N=8, one tile of one step (tiles 16/8/4/4, PE 4×4)
    // compute = 4·2·16 = 128; load = ⌈8·16·8/64⌉ + ⌈16·8·8/64⌉ = 32; output ⌈16·16·8/64⌉ = 32
    // ×2 groups: overlap 256, prologue 64, output 64, steps 2, tiles 2; params = ⌈32·96/64⌉ = 48
    // cycles = 256 + 64 + 64 + 48 + 2·2 + 8·2 + 32 = 484
    // The same conv ungrouped: 2 m-tiles × 2 steps of 128 → overlap 512, prologue 64, output 64,
    // steps 4, tiles 2 → 512 + 64 + 64 + 48 + 8 + 16 + 32 = 744
    const p = { tileM: 16, tileN: 8, tileR: 4, tileC: 4 };
    const grouped = one(layer('g2', { inH: 4, inC: 16, outC: 32, groups: 2 }), p);
    expect(grouped.terms).toEqual(terms({ overlap: 256, prologue: 64, weightLoad: 0, output: 64, params: 48, steps: 2, tiles: 2 }));
    expect(grouped.cycles).toBe(484);
    expect(grouped.macs).toBe(4 * 4 * 32 * 8);
    expect(one(layer('g1', { inH: 4, inC: 16, outC: 32 }), p).cycles).toBe(744);
  });
});

describe('cost model: add and global pool on their producer chunk', () => {
  // conv 16→16 on 8×8, then add(conv, input) and a global 8×8 average pool; PE 2×2, tiles 8/8/4/4
  const conv = layer('c', { inH: 8, inC: 16, outC: 16 });
  const add = layer('add', { kind: 'add', inputs: ['c', 'input'], inH: 8, inC: 16, outC: 16 });
  const pool = layer('pool', { kind: 'pool', inputs: ['add'], inH: 8, inC: 16, outC: 16, kernel: 8, stride: 8 });
  const p = { tileM: 8, tileN: 8, tileR: 4, tileC: 4, peM: 2, peN: 2 };

  it('add: max(⌈M/peM⌉·R·C, two operand loads) + output + per-tile overhead', () => {
    // compute = ⌈16/2⌉·8·8 = 512; load = ⌈2·16·64·8/64⌉ = 256; output ⌈16·64·8/64⌉ = 128
    // tiles = ⌈16/8⌉·⌈8/4⌉·⌈8/4⌉ = 8 = steps; params: its two multipliers, ⌈2·96/64⌉ = 3; no prologue
    // cycles = 512 + 128 + 3 + 2·8 + 8·8 + 32 = 755
    const [, a, g] = costOf([conv, add, pool], p);
    expect(a.terms).toEqual(terms({ overlap: 512, prologue: 0, weightLoad: 0, output: 128, params: 3, steps: 8, tiles: 8 }));
    expect(a.cycles).toBe(755);
    expect(a.macs).toBe(0);
    // pool: compute = ⌈16/2⌉·1·1·8·8 = 512; load = ⌈16·64·8/64⌉ = 128; output ⌈16·8/64⌉ = 2
    // one window size (64 pixels): params ⌈1·96/64⌉ = 2
    // tiles = ⌈16/8⌉ = 2 = steps → cycles = 512 + 2 + 2 + 2·2 + 8·2 + 32 = 568
    expect(g.terms).toEqual(terms({ overlap: 512, prologue: 0, weightLoad: 0, output: 2, params: 2, steps: 2, tiles: 2 }));
    expect(g.cycles).toBe(568);
  });

  it('pool is load-bound when the lanes are wide: overlap = input stream', () => {
    // PE 16×1, tileM 16: compute = ⌈16/16⌉·64 = 64 < load 128 → overlap 128; tiles ⌈16/16⌉ = 1
    // cycles = 128 + 2 + 2 + 2·1 + 8·1 + 32 = 174
    const [, , g] = costOf([conv, add, pool], { ...p, tileM: 16, peM: 16, peN: 1 });
    expect(g.terms).toEqual(terms({ overlap: 128, prologue: 0, weightLoad: 0, output: 2, params: 2, steps: 1, tiles: 1 }));
    expect(g.cycles).toBe(174);
  });
});

describe('cost model: calibration scales exactly its own term', () => {
  const withCoef = (key: 'conv/os' | 'conv/ws' | 'eltwise/os', c: Partial<typeof DEFAULT_COEFFICIENTS>): CalibrationSpec => ({
    version: 1,
    coefficients: { [key]: { ...DEFAULT_COEFFICIENTS, ...c } },
  });

  it('tiles 0 removes 8·tiles; overlap 0.5 halves the overlap; ws weightLoad 3 triples it', () => {
    const os = { ...tiles1x1, loopOrder: 'os' } as const;
    const ws = { ...tiles1x1, loopOrder: 'ws' } as const;
    expect(one(conv1x1, os, 'conv', withCoef('conv/os', { tiles: 0 })).cycles).toBe(2736 - 8 * 8);
    expect(one(conv1x1, os, 'conv', withCoef('conv/os', { overlap: 0.5 })).cycles).toBe(2736 - 1024);
    expect(one(conv1x1, ws, 'conv', withCoef('conv/ws', { weightLoad: 3 })).cycles).toBe(2672 + 2 * 64);
    // a calibration of one (class, order) leaves the others on the defaults
    expect(one(conv1x1, ws, 'conv', withCoef('conv/os', { tiles: 0 })).cycles).toBe(2672);
    const l = one(conv1x1, os, 'conv', withCoef('conv/os', { fixed: 100, steps: 0 }));
    expect(l.cycles).toBe(2736 + 68 - 2 * 16);
    expect(l.cycles).toBe(linear(l.terms, { ...DEFAULT_COEFFICIENTS, fixed: 100, steps: 0 }));
  });

  it('add and pool use the eltwise coefficients, not the conv ones', () => {
    const conv = layer('c', { inH: 8, inC: 16, outC: 16 });
    const add = layer('add', { kind: 'add', inputs: ['c', 'input'], inH: 8, inC: 16, outC: 16 });
    const p = { tileM: 8, tileN: 8, tileR: 4, tileC: 4, peM: 2, peN: 2 };
    const base = costOf([conv, add], p);
    const cal = costOf([conv, add], p, 'conv', withCoef('eltwise/os', { fixed: 0 }));
    expect(cal[0].cycles).toBe(base[0].cycles);
    expect(cal[1].cycles).toBe(755 - 32);
  });
});
