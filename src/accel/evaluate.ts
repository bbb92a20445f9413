/**
 * Evaluate one accelerator design (packed chunk parameters) on a compiled cost problem:
 * per-chunk cycles, the pipeline bottleneck, single-image latency and resources, plus a
 * feasibility status. Allocation-free: this is what every search strategy calls per sample.
 *
 *   FPS = f_clk / max_chunk Σ_{layer ∈ chunk} cycles(layer)   (chunks are pipeline stages)
 *   latency = Σ_layers cycles(layer)                         (one image walks every layer)
 *
 * The chunks share the board's DRAM: when their ports together ask for more bits per cycle
 * than the DRAM delivers, every port is slowed by the same factor.
 */
import { layerCycles, PARAM_SIZE, P_PARALLEL, P_PEM, P_PEN, P_PORT, P_TC, P_TM, P_TN, ROW_SIZE } from './cost-model.js';
import type { CostProblem } from './problem.js';
import { chunkResources, RES_BRAM, RES_DSP, RES_FF, RES_LUT } from './resources.js';
import type { ChunkParams } from './types.js';

export const FEASIBLE = 0;
export const INFEASIBLE_PE_OVER_TILE = 1;
export const INFEASIBLE_DSP = 2;
export const INFEASIBLE_BRAM = 3;
export const INFEASIBLE_LUT = 4;
export const INFEASIBLE_FF = 5;

export interface DesignEvaluation {
  status: number;
  /** Chunk index of a PE-over-tile violation. */
  badChunk: number;
  bottleneckCycles: number;
  latencyCycles: number;
  dsp: number;
  bram18: number;
  lut: number;
  ff: number;
  /** Largest resource use over budget (≤ 1 when every resource fits). */
  pressure: number;
  /** When allocated: per chunk [cycles, dsp, bram18, lut, ff] (CHUNK_STRIDE numbers each). */
  perChunk: Float64Array | null;
}

export const CHUNK_STRIDE = 5;

/** A reusable evaluation; pass `chunks` to also receive per-chunk cycles and resources. */
export function newEvaluation(chunks = 0): DesignEvaluation {
  return {
    status: 0,
    badChunk: -1,
    bottleneckCycles: 0,
    latencyCycles: 0,
    dsp: 0,
    bram18: 0,
    lut: 0,
    ff: 0,
    pressure: 0,
    perChunk: chunks > 0 ? new Float64Array(chunks * CHUNK_STRIDE) : null,
  };
}

/** A copy that later evaluations into `ev` cannot change. */
export function snapshotEvaluation(ev: DesignEvaluation): DesignEvaluation {
  return { ...ev, perChunk: ev.perChunk === null ? null : ev.perChunk.slice() };
}

const res = new Float64Array(4);

/** Effective port width of every chunk once the DRAM is shared (bits per cycle). */
export function portScale(problem: CostProblem, params: Float64Array): number {
  let total = 0;
  for (let c = 0; c < problem.chunks.length; c++) total += params[c * PARAM_SIZE + P_PORT];
  return total > problem.dramBitsPerCycle ? problem.dramBitsPerCycle / total : 1;
}

/** Cycles of chunk `c`; with `perLayer`, each layer's cycles are written at its row index. */
export function chunkCycles(
  problem: CostProblem,
  params: Float64Array,
  c: number,
  scale: number,
  perLayer: Float64Array | null = null,
  terms: Float64Array | null = null,
  termStride = 0,
): number {
  const po = c * PARAM_SIZE;
  const port = params[po + P_PORT] * scale;
  let sum = 0;
  for (let i = problem.chunkStart[c]; i < problem.chunkEnd[c]; i++) {
    const t = terms === null ? null : terms.subarray(i * termStride, (i + 1) * termStride);
    const cycles = layerCycles(problem.rows, i * ROW_SIZE, params, po, port, problem.coefficients, t, problem.dramLatency);
    if (perLayer !== null) perLayer[i] = cycles;
    sum += cycles;
  }
  return sum;
}

export function peOverTile(params: Float64Array, c: number): boolean {
  const po = c * PARAM_SIZE;
  const nLimit = params[po + P_PARALLEL] === 0 ? params[po + P_TN] : params[po + P_TC];
  return params[po + P_PEM] > params[po + P_TM] || params[po + P_PEN] > nLimit;
}

export function evaluateDesign(problem: CostProblem, params: Float64Array, out: DesignEvaluation): DesignEvaluation {
  const scale = portScale(problem, params);
  const budget = problem.board.resources;
  let bottleneck = 0;
  let latency = 0;
  let dsp = 0;
  let bram = 0;
  let lut = 0;
  let ff = 0;
  out.status = FEASIBLE;
  out.badChunk = -1;
  for (let c = 0; c < problem.chunks.length; c++) {
    if (out.status === FEASIBLE && peOverTile(params, c)) {
      out.status = INFEASIBLE_PE_OVER_TILE;
      out.badChunk = c;
    }
    const cycles = chunkCycles(problem, params, c, scale);
    if (cycles > bottleneck) bottleneck = cycles;
    latency += cycles;
    chunkResources(problem.extents[c], params, c * PARAM_SIZE, problem.resourceModel, res);
    if (out.perChunk !== null) {
      const k = c * CHUNK_STRIDE;
      out.perChunk[k] = cycles;
      out.perChunk[k + 1] = res[RES_DSP];
      out.perChunk[k + 2] = res[RES_BRAM];
      out.perChunk[k + 3] = res[RES_LUT];
      out.perChunk[k + 4] = res[RES_FF];
    }
    dsp += res[RES_DSP];
    bram += res[RES_BRAM];
    lut += res[RES_LUT];
    ff += res[RES_FF];
  }
  out.bottleneckCycles = bottleneck;
  out.latencyCycles = latency;
  out.dsp = dsp;
  out.bram18 = bram;
  out.lut = lut;
  out.ff = ff;
  const rd = dsp / budget.dsp;
  const rb = bram / budget.bram18;
  const rl = lut / budget.lut;
  const rf = ff / budget.ff;
  out.pressure = Math.max(rd, rb, rl, rf);
  if (out.status === FEASIBLE) {
    if (rd > 1) out.status = INFEASIBLE_DSP;
    else if (rb > 1) out.status = INFEASIBLE_BRAM;
    else if (rl > 1) out.status = INFEASIBLE_LUT;
    else if (rf > 1) out.status = INFEASIBLE_FF;
  }
  return out;
}

// ---- conversions between ChunkParams and the packed form -------------------------------------

export function packParams(chunks: readonly ChunkParams[]): Float64Array {
  const packed = new Float64Array(chunks.length * PARAM_SIZE);
  chunks.forEach((p, c) => {
    packed.set(
      [p.parallel === 'mn' ? 0 : 1, p.loopOrder === 'os' ? 0 : 1, p.tileM, p.tileN, p.tileR, p.tileC, p.peM, p.peN, p.portBits],
      c * PARAM_SIZE,
    );
  });
  return packed;
}

export function unpackParams(packed: Float64Array, c: number): ChunkParams {
  const o = c * PARAM_SIZE;
  return {
    parallel: packed[o] === 0 ? 'mn' : 'mp',
    loopOrder: packed[o + 1] === 0 ? 'os' : 'ws',
    tileM: packed[o + 2],
    tileN: packed[o + 3],
    tileR: packed[o + 4],
    tileC: packed[o + 5],
    peM: packed[o + 6],
    peN: packed[o + 7],
    portBits: packed[o + 8],
  };
}
