/**
 * Whole-design evaluation: feasibility statuses with reasons (never a throw), the pipeline
 * formulas FPS = f_clk / bottleneck chunk and latency = Σ layers, and DRAM port sharing.
 * The layers are the hand-computed cases of cost-model.test.ts (3414 and 2406 cycles).
 */
import { describe, expect, it } from 'vitest';
import { estimateCost } from '../../src/accel/estimate.js';
import {
  evaluateDesign,
  FEASIBLE,
  INFEASIBLE_BRAM,
  INFEASIBLE_DSP,
  INFEASIBLE_FF,
  INFEASIBLE_LUT,
  INFEASIBLE_PE_OVER_TILE,
  newEvaluation,
  portScale,
} from '../../src/accel/evaluate.js';
import { compileCostProblem, type CostProblem } from '../../src/accel/problem.js';
import type { BoardSpec, ChunkParams } from '../../src/accel/types.js';
import { chunk, layer, network, oneChunkProblem, packed, ZC706 } from './helpers.js';

// Chunk "pw": two 1×1 convs 16→32 on 8×8 (3414 cycles each with pwParams);
// chunk "dw": a 3×3 depthwise conv on 16 channels (2406 cycles with dwParams).
const pw1 = layer('pw1', { inH: 8, inC: 16, outC: 32 });
const pw2 = layer('pw2', { inputs: ['pw1'], inH: 8, inC: 16, outC: 32 });
const dw = layer('dw', { kind: 'dwconv', inputs: ['pw2'], inH: 8, inC: 16, outC: 16, kernel: 3 });
const net = network([pw1, pw2, dw]);
const pwParams: Partial<ChunkParams> = { tileM: 16, tileN: 8, tileR: 4, tileC: 4, peM: 4, peN: 4, portBits: 64 };
const dwParams: Partial<ChunkParams> = { tileM: 8, tileN: 1, tileR: 4, tileC: 4, peM: 8, peN: 1, portBits: 64 };

function twoChunks(board: BoardSpec = ZC706): CostProblem {
  return compileCostProblem(net, [chunk('pw', 'conv', ['pw1', 'pw2']), chunk('dw', 'dw', ['dw'])], board);
}

const withResources = (r: Partial<BoardSpec['resources']>): BoardSpec => ({ ...ZC706, resources: { ...ZC706.resources, ...r } });

describe('pipeline throughput and latency', () => {
  it('FPS = f_clk / the slowest chunk; latency = Σ layer cycles', () => {
    const report = estimateCost(twoChunks(), packed(pwParams, dwParams));
    expect(report.feasible).toBe(true);
    expect(report.reason).toBeUndefined();
    expect(report.layers.map((l) => [l.name, l.chunk, l.cycles])).toEqual([
      ['pw1', 'pw', 3414],
      ['pw2', 'pw', 3414],
      ['dw', 'dw', 2406],
    ]);
    expect(report.chunks.map((c) => [c.id, c.cycles, c.layers])).toEqual([
      ['pw', 6828, 2],
      ['dw', 2406, 1],
    ]);
    // chunks are pipeline stages: the pw chunk (2·3414) paces the stream
    expect(report.bottleneckCycles).toBe(6828);
    expect(report.fps).toBeCloseTo(200e6 / 6828, 6);
    // one image walks every layer: 3414 + 3414 + 2406 = 9234 cycles at 200 MHz
    expect(report.latencyCycles).toBe(9234);
    expect(report.latencyMs).toBeCloseTo((9234 / 200e6) * 1e3, 12);
    expect(report.clockMhz).toBe(200);
  });

  it('the slowest chunk sets FPS; every chunk adds to latency', () => {
    // The dw chunk's input words hold VI = peM channels, so a narrower PE also means more words.
    // dw with PE 4: compute 4 + ⌈8/4⌉·1·4·4·9 = 292 per tile; load = inputs T(36·⌈8/4⌉, 8·36·8)
    //   = max(72, 36) = 72 + weights T(72, 9) = 72 → 144; output 8·T(16·⌈8/4⌉, 16·8·8) = 8·32 = 256
    //   cycles = 8·292 + 8·144 + 256 + 32 + 2·8 + 15·8 + 62 = 2336 + 1152 + 486 = 3974 < 6828: FPS unchanged
    const slowerDw = estimateCost(twoChunks(), packed(pwParams, { ...dwParams, peM: 4 }));
    expect([slowerDw.bottleneckCycles, slowerDw.latencyCycles]).toEqual([6828, 6828 + 3974]);
    // dw with PE 1: compute 4 + 8·144 = 1156; load = T(36·8, 36) + 72 = 288 + 72 = 360;
    //   output 8·T(16·8, 16) = 1024 → 8·1156 + 8·360 + 1024 + 32 + 16 + 120 + 62 = 13382 > 6828
    const slowestDw = estimateCost(twoChunks(), packed(pwParams, { ...dwParams, peM: 1 }));
    expect([slowestDw.bottleneckCycles, slowestDw.latencyCycles]).toEqual([13382, 6828 + 13382]);
    // pw under ws (3286 per layer, cost-model.test.ts) is the faster bottleneck
    const fastPw = estimateCost(twoChunks(), packed({ ...pwParams, loopOrder: 'ws' }, dwParams));
    expect([fastPw.bottleneckCycles, fastPw.latencyCycles]).toEqual([2 * 3286, 2 * 3286 + 2406]);
  });

  it('estimateCost agrees with the allocation-free evaluateDesign the searches call', () => {
    const problem = twoChunks();
    const params = packed(pwParams, dwParams);
    const ev = evaluateDesign(problem, params, newEvaluation());
    const report = estimateCost(problem, params);
    expect(ev.status).toBe(FEASIBLE);
    expect([ev.bottleneckCycles, ev.latencyCycles, ev.dsp, ev.bram18, ev.lut, ev.ff]).toEqual([
      report.bottleneckCycles,
      report.latencyCycles,
      report.dsp,
      report.bram18,
      report.lut,
      report.ff,
    ]);
    // resources add up over chunks: DSP = peM·peN MACs + 5 per requantiser (peM of them):
    // (4·4 + 5·4) + (8·1 + 5·8) = 36 + 48 = 84
    expect(report.dsp).toBe(84);
    expect(report.chunks.reduce((s, c) => s + c.bram18, 0)).toBe(report.bram18);
    expect(report.utilisation.dsp).toBeCloseTo(84 / 900, 12);
  });
});

describe('feasibility statuses', () => {
  it('PE over tile: status with a reason naming the chunk (tileM under mn, tileC under mp)', () => {
    const problem = twoChunks();
    const overM = estimateCost(problem, packed({ ...pwParams, peM: 32 }, dwParams));
    expect(overM.feasible).toBe(false);
    expect(overM.reason).toBe('chunk pw: PE unroll 32×4 exceeds buffer tile (tileM 16, tileN 8)');
    const params = packed(pwParams, { ...dwParams, parallel: 'mp', peN: 8 });
    const ev = evaluateDesign(problem, params, newEvaluation());
    expect([ev.status, ev.badChunk]).toEqual([INFEASIBLE_PE_OVER_TILE, 1]);
    expect(estimateCost(problem, params).reason).toMatch(/^chunk dw: .*tileC 4\)$/);
    // peN ≤ tileC under mp is fine even though peN > tileN
    expect(estimateCost(problem, packed(pwParams, { ...dwParams, parallel: 'mp', peN: 4 })).feasible).toBe(true);
  });

  it('over DSP: feasible = false with the count in the reason, and still a full report', () => {
    // PE 64×64: 64·64 + 5·64 = 4416 DSP (one per MAC at every bitwidth), plus 48 for the dw
    // chunk = 4464 > 900
    const problem = twoChunks();
    const params = packed({ ...pwParams, tileM: 64, tileN: 64, peM: 64, peN: 64 }, dwParams);
    let report: ReturnType<typeof estimateCost> | undefined;
    expect(() => (report = estimateCost(problem, params))).not.toThrow();
    expect(report?.feasible).toBe(false);
    expect(report?.dsp).toBe(4464);
    expect(report?.reason).toBe('DSP 4464 > 900 available on zc706');
    expect(report?.fps).toBeGreaterThan(0);
    expect(evaluateDesign(problem, params, newEvaluation()).pressure).toBeCloseTo(4464 / 900, 12);
  });

  it('over BRAM, LUT and FF on a smaller board: infeasible with reasons, never a throw', () => {
    const params = packed(pwParams, dwParams);
    const base = estimateCost(twoChunks(), params);
    const bram = estimateCost(twoChunks(withResources({ bram18: base.bram18 - 1 })), params);
    expect(bram.feasible).toBe(false);
    expect(bram.reason).toBe(`BRAM18 ${base.bram18} > ${base.bram18 - 1} available on zc706`);
    const ev = evaluateDesign(twoChunks(withResources({ lut: 1000 })), params, newEvaluation());
    expect(ev.status).toBe(INFEASIBLE_LUT);
    expect(ev.pressure).toBeCloseTo(base.lut / 1000, 12);
    expect(evaluateDesign(twoChunks(withResources({ ff: 1000 })), params, newEvaluation()).status).toBe(INFEASIBLE_FF);
    // exactly at the budget is still feasible
    expect(estimateCost(twoChunks(withResources({ bram18: base.bram18, dsp: base.dsp })), params).feasible).toBe(true);
  });

  it('PE over tile is reported before a resource overrun; DSP before BRAM', () => {
    const tiny = withResources({ dsp: 1, bram18: 1 });
    const ev = evaluateDesign(twoChunks(tiny), packed({ ...pwParams, peM: 32 }, dwParams), newEvaluation());
    expect([ev.status, ev.badChunk]).toEqual([INFEASIBLE_PE_OVER_TILE, 0]);
    expect(evaluateDesign(twoChunks(tiny), packed(pwParams, dwParams), newEvaluation()).status).toBe(INFEASIBLE_DSP);
    const noBram = withResources({ bram18: 1 });
    expect(evaluateDesign(twoChunks(noBram), packed(pwParams, dwParams), newEvaluation()).status).toBe(INFEASIBLE_BRAM);
  });
});

describe('DRAM port sharing', () => {
  // ZC706: 4.264 GB/s · 8 / 200 MHz = 170.56 bits per cycle
  it('ports summing to at most the DRAM width keep their width', () => {
    const problem = twoChunks();
    expect(problem.dramBitsPerCycle).toBeCloseTo(170.56, 9);
    expect(portScale(problem, packed(pwParams, dwParams))).toBe(1); // 64 + 64 = 128
    expect(estimateCost(problem, packed(pwParams, dwParams)).chunks.map((c) => c.portBitsEffective)).toEqual([64, 64]);
  });

  it('ports summing to more shrink proportionally: 128 + 128 → 85.28 each', () => {
    const problem = twoChunks();
    const params = packed({ ...pwParams, portBits: 128 }, { ...dwParams, portBits: 128 });
    expect(portScale(problem, params)).toBeCloseTo(170.56 / 256, 12);
    const report = estimateCost(problem, params);
    for (const c of report.chunks) expect(c.portBitsEffective).toBeCloseTo(85.28, 9);
    // each chunk then costs what it costs alone on an 85.28-bit port
    const alone = (l: typeof pw1, p: Partial<ChunkParams>, kind: 'conv' | 'dw') =>
      estimateCost(oneChunkProblem([l], kind), packed({ ...p, portBits: 170.56 / 2 })).bottleneckCycles;
    expect(report.layers.map((l) => l.cycles)).toEqual([
      alone(pw1, pwParams, 'conv'),
      alone(pw2, pwParams, 'conv'),
      alone(dw, dwParams, 'dw'),
    ]);
    // and unequal ports keep their ratio: 256 + 64 = 320 → 136.448 and 34.112
    const skewed = estimateCost(problem, packed({ ...pwParams, portBits: 256 }, dwParams));
    expect(skewed.chunks[0].portBitsEffective).toBeCloseTo(256 * (170.56 / 320), 9);
    expect(skewed.chunks[1].portBitsEffective).toBeCloseTo(64 * (170.56 / 320), 9);
  });

  it('sharing slows a DRAM-bound design', () => {
    // the dw chunk under os is load-bound per step (108 > 40 under mp, cost-model.test.ts); a wider
    // pw port steals from it: 256 + 64 = 320 > 170.56 leaves it 64·170.56/320 = 34.112 bits, and
    // its 8-channel input words (64 bits) then outpace the port: inputs T(36, ⌈2304/34.112⌉) = 68,
    // weights T(72, ⌈576/34.112⌉ = 17) = 72 → overlap 8·max(40, 140) = 1120, prologue 320;
    // output 8·T(16, ⌈1024/34.112⌉) = 8·31 = 248; params T(16, 31) + T(16, ⌈512/34.112⌉ = 16) = 47
    // → 1120 + 320 + 248 + 47 + 2·8 + 15·8 + 62 = 1933
    const dwMp = { ...dwParams, parallel: 'mp', peN: 4 } as const;
    const alone = estimateCost(twoChunks(), packed(pwParams, dwMp)).chunks[1].cycles;
    const shared = estimateCost(twoChunks(), packed({ ...pwParams, portBits: 256 }, dwMp)).chunks[1].cycles;
    expect(alone).toBe(1542);
    expect(shared).toBeGreaterThan(alone);
    expect(shared).toBe(1933);
  });
});
