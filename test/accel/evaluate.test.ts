/**
 * Whole-design evaluation: feasibility statuses with reasons (never a throw), the pipeline
 * formulas FPS = f_clk / bottleneck chunk and latency = Σ layers, and DRAM port sharing.
 * The layers are the hand-computed cases of cost-model.test.ts (2736 and 1776 cycles).
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

// Chunk "pw": two 1×1 convs 16→32 on 8×8 (2736 cycles each with pwParams);
// chunk "dw": a 3×3 depthwise conv on 16 channels (1776 cycles with dwParams).
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
      ['pw1', 'pw', 2736],
      ['pw2', 'pw', 2736],
      ['dw', 'dw', 1776],
    ]);
    expect(report.chunks.map((c) => [c.id, c.cycles, c.layers])).toEqual([
      ['pw', 5472, 2],
      ['dw', 1776, 1],
    ]);
    // chunks are pipeline stages: the pw chunk (2·2736) paces the stream
    expect(report.bottleneckCycles).toBe(5472);
    expect(report.fps).toBeCloseTo(200e6 / 5472, 6);
    // one image walks every layer: 2736 + 2736 + 1776 = 7248 cycles at 200 MHz
    expect(report.latencyCycles).toBe(7248);
    expect(report.latencyMs).toBeCloseTo((7248 / 200e6) * 1e3, 12);
    expect(report.clockMhz).toBe(200);
  });

  it('the slowest chunk sets FPS; every chunk adds to latency', () => {
    // dw with PE 4: compute 2·1·4·4·9 = 288 per tile → overlap 8·288 = 2304;
    //   cycles = 2304 + 360 + 128 + 24 + 16 + 64 + 32 = 2928 < 5472: FPS unchanged
    const slowerDw = estimateCost(twoChunks(), packed(pwParams, { ...dwParams, peM: 4 }));
    expect([slowerDw.bottleneckCycles, slowerDw.latencyCycles]).toEqual([5472, 5472 + 2928]);
    // dw with PE 1: overlap 8·1152 = 9216 → 9216 + 360 + 128 + 24 + 16 + 64 + 32 = 9840 > 5472
    const slowestDw = estimateCost(twoChunks(), packed(pwParams, { ...dwParams, peM: 1 }));
    expect([slowestDw.bottleneckCycles, slowestDw.latencyCycles]).toEqual([9840, 5472 + 9840]);
    // pw under ws (2672 per layer, cost-model.test.ts) is the faster bottleneck
    const fastPw = estimateCost(twoChunks(), packed({ ...pwParams, loopOrder: 'ws' }, dwParams));
    expect([fastPw.bottleneckCycles, fastPw.latencyCycles]).toEqual([2 * 2672, 2 * 2672 + 1776]);
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
    // resources add up over chunks: DSP (16/2 + 4) + (8/2 + 4) = 20
    expect(report.dsp).toBe(20);
    expect(report.chunks.reduce((s, c) => s + c.bram18, 0)).toBe(report.bram18);
    expect(report.utilisation.dsp).toBeCloseTo(20 / 900, 12);
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
    // PE 64×64 at 8 bits: 4096/2 + 4 = 2052 DSP, plus 8 for the dw chunk = 2060 > 900
    const problem = twoChunks();
    const params = packed({ ...pwParams, tileM: 64, tileN: 64, peM: 64, peN: 64 }, dwParams);
    let report: ReturnType<typeof estimateCost> | undefined;
    expect(() => (report = estimateCost(problem, params))).not.toThrow();
    expect(report?.feasible).toBe(false);
    expect(report?.dsp).toBe(2060);
    expect(report?.reason).toBe('DSP 2060 > 900 available on zc706');
    expect(report?.fps).toBeGreaterThan(0);
    expect(evaluateDesign(problem, params, newEvaluation()).pressure).toBeCloseTo(2060 / 900, 12);
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
    // the dw chunk under os is load-bound per step (45 > 36 under mp); a wider pw port steals from it
    const dwMp = { ...dwParams, parallel: 'mp', peN: 4 } as const;
    const alone = estimateCost(twoChunks(), packed(pwParams, dwMp)).chunks[1].cycles;
    const shared = estimateCost(twoChunks(), packed({ ...pwParams, portBits: 256 }, dwMp)).chunks[1].cycles;
    expect(alone).toBe(912);
    expect(shared).toBeGreaterThan(alone);
  });
});
