/**
 * The full cost report of a design — per layer (with the model's raw terms), per chunk, and
 * for the whole accelerator — computed by the same functions the searches call per sample.
 */
import { macsOf } from '../core/network.js';
import { coefficientKeyOf, PARAM_SIZE, P_PARALLEL, P_PEM, P_PEN, P_PORT, TERM_COUNT } from './cost-model.js';
import {
  chunkCycles,
  evaluateDesign,
  FEASIBLE,
  INFEASIBLE_BRAM,
  INFEASIBLE_DSP,
  INFEASIBLE_FF,
  INFEASIBLE_LUT,
  INFEASIBLE_PE_OVER_TILE,
  newEvaluation,
  packParams,
  portScale,
  type DesignEvaluation,
  unpackParams,
} from './evaluate.js';
import { compileCostProblem, type CostProblem } from './problem.js';
import { chunkResources, RES_BRAM, RES_DSP, RES_FF, RES_LUT } from './resources.js';
import {
  type AcceleratorSpec,
  type CalibrationSpec,
  type ChunkCost,
  COST_TERMS,
  type CostReport,
  type CostTerm,
  type DesignPoint,
  type LayerCost,
} from './types.js';

/** Why a design is infeasible, in one sentence; undefined when it is feasible. */
export function explainStatus(problem: CostProblem, ev: DesignEvaluation, params: Float64Array): string | undefined {
  const r = problem.board.resources;
  const board = problem.board.name;
  switch (ev.status) {
    case FEASIBLE:
      return undefined;
    case INFEASIBLE_PE_OVER_TILE: {
      const c = ev.badChunk;
      const p = unpackParams(params, c);
      const nTile = p.parallel === 'mn' ? `tileN ${p.tileN}` : `tileC ${p.tileC}`;
      return `chunk ${problem.chunks[c].id}: PE unroll ${p.peM}×${p.peN} exceeds buffer tile (tileM ${p.tileM}, ${nTile})`;
    }
    case INFEASIBLE_DSP:
      return `DSP ${ev.dsp} > ${r.dsp} available on ${board}`;
    case INFEASIBLE_BRAM:
      return `BRAM18 ${ev.bram18} > ${r.bram18} available on ${board}`;
    case INFEASIBLE_LUT:
      return `LUT ${ev.lut} > ${r.lut} available on ${board}`;
    case INFEASIBLE_FF:
      return `FF ${ev.ff} > ${r.ff} available on ${board}`;
    default:
      return `unknown status ${ev.status}`;
  }
}

export function estimateCost(problem: CostProblem, params: Float64Array): CostReport {
  const ev = evaluateDesign(problem, params, newEvaluation());
  const scale = portScale(problem, params);
  const n = problem.layers.length;
  const perLayer = new Float64Array(n);
  const terms = new Float64Array(n * TERM_COUNT);
  const res = new Float64Array(4);
  const chunks: ChunkCost[] = [];
  const layers: LayerCost[] = [];
  problem.chunks.forEach((chunk, c) => {
    const cycles = chunkCycles(problem, params, c, scale, perLayer, terms, TERM_COUNT);
    chunkResources(problem.extents[c], params, c * PARAM_SIZE, problem.resourceModel, res);
    chunks.push({
      id: chunk.id,
      cycles,
      layers: chunk.layers.length,
      dsp: res[RES_DSP],
      bram18: res[RES_BRAM],
      lut: res[RES_LUT],
      ff: res[RES_FF],
      portBitsEffective: params[c * PARAM_SIZE + P_PORT] * scale,
    });
    const po = c * PARAM_SIZE;
    const peakMacs = params[po + P_PEM] * (problem.extents[c].dw && params[po + P_PARALLEL] === 0 ? 1 : params[po + P_PEN]);
    const { loopOrder } = unpackParams(params, c);
    for (let i = problem.chunkStart[c]; i < problem.chunkEnd[c]; i++) {
      const layer = problem.layers[i];
      const macs = macsOf(layer);
      const t = Object.fromEntries(COST_TERMS.map((k, ti) => [k, terms[i * TERM_COUNT + ti]])) as Record<CostTerm, number>;
      layers.push({
        name: layer.name,
        kind: layer.kind,
        chunk: chunk.id,
        cycles: perLayer[i],
        key: coefficientKeyOf(layer.kind, loopOrder),
        terms: t,
        macs,
        peUtilisation: macs === 0 ? 0 : macs / (perLayer[i] * peakMacs),
      });
    }
  });
  // report layers in network order, not chunk order
  const order = new Map(problem.network.layers.map((l, i) => [l.name, i]));
  layers.sort((a, b) => (order.get(a.name) ?? 0) - (order.get(b.name) ?? 0));
  const budget = problem.board.resources;
  const hz = problem.clockMhz * 1e6;
  const reason = explainStatus(problem, ev, params);
  return {
    feasible: ev.status === FEASIBLE,
    ...(reason === undefined ? {} : { reason }),
    fps: ev.bottleneckCycles > 0 ? hz / ev.bottleneckCycles : 0,
    latencyCycles: ev.latencyCycles,
    latencyMs: (ev.latencyCycles / hz) * 1e3,
    bottleneckCycles: ev.bottleneckCycles,
    clockMhz: problem.clockMhz,
    dsp: ev.dsp,
    bram18: ev.bram18,
    lut: ev.lut,
    ff: ev.ff,
    utilisation: {
      dsp: ev.dsp / budget.dsp,
      bram18: ev.bram18 / budget.bram18,
      lut: ev.lut / budget.lut,
      ff: ev.ff / budget.ff,
    },
    chunks,
    layers,
  };
}

/** Compile a design's network, chunks and board, then estimate it (optionally calibrated). */
export function estimateDesign(design: DesignPoint, calibration?: CalibrationSpec, file?: string): CostReport {
  const problem = compileCostProblem(design.network, design.accelerator.chunks, design.board, {
    calibration,
    clockMhz: design.accelerator.clockMhz,
    file,
  });
  return estimateCost(problem, packParams(design.accelerator.chunks.map((c) => c.params)));
}

/** Chunk allocation with parameters, ready to be written into a design. */
export function toAccelerator(problem: CostProblem, params: Float64Array): AcceleratorSpec {
  return {
    clockMhz: problem.clockMhz,
    chunks: problem.chunks.map((chunk, c) => ({ ...chunk, layers: [...chunk.layers], params: unpackParams(params, c) })),
  };
}
