/**
 * Differentiable accelerator search (method.md §7), and random sampling from the same sampler.
 *
 * One logit vector per discrete parameter per chunk. Each sample draws every parameter with a
 * straight-through hard Gumbel-softmax — PE options masked to ≤ the sampled buffer tile — and
 * evaluates the cost model. The loss `cost · Π_m ST(p_m)` has forward value `cost`, and its
 * gradient reaches each parameter's soft sample y through the chosen option:
 *     ∂loss/∂logit_i = cost/τ · y_s · (δ_si − y_i).
 * [ours] `cost` is normalised: log of the objective (bottleneck cycles for FPS), plus a penalty
 * growing with resource over-use for infeasible samples, minus a running baseline and divided
 * by a running scale — so the step size means the same on any network, and Adam with a
 * learning rate that actually moves the distribution. Random search is this sampler with the
 * logits frozen at zero: both strategies draw from exactly the same space.
 */
import { adamUpdate } from '../core/adam.js';
import { Rng } from '../core/random.js';
import { PARAM_SIZE, P_PEM, P_PEN, P_PORT, P_TM } from './cost-model.js';
import { type ChunkOptionSpace, paramName, peNLimit } from './design-space.js';
import { CHUNK_STRIDE, evaluateDesign, FEASIBLE, newEvaluation, snapshotEvaluation, type DesignEvaluation } from './evaluate.js';
import type { CostProblem } from './problem.js';

export type Objective = 'fps' | 'latency';
export type LogitTable = Readonly<Record<string, Readonly<Record<string, readonly number[]>>>>;

interface SamplerOptions {
  readonly samples: number;
  readonly seed: number;
  /** Samples per gradient step. */
  readonly batch?: number;
  readonly learningRate?: number;
  readonly temperature?: number;
  readonly objective?: Objective;
  /**
   * Weight of the whole-design cost in each parameter's advantage; the rest comes from the
   * cost share of the parameter's own chunk (see chunkCosts). 1 = the method's global cost.
   */
  readonly globalCredit?: number;
  /** Warm start: logits of a previous search, by chunk id and parameter name. */
  readonly initialLogits?: LogitTable;
  /** Designs evaluated before sampling starts (e.g. the previous search's best); they count as samples. */
  readonly seedDesigns?: readonly Float64Array[];
  readonly onProgress?: (done: number, total: number, bestCycles: number) => void;
}

export interface SearchOutcome {
  /** Best feasible design (packed parameters), or null if no sample was feasible. */
  readonly best: Float64Array | null;
  readonly bestEvaluation: DesignEvaluation | null;
  readonly evaluations: number;
  readonly feasibleSamples: number;
  /** Best objective (cycles) after each sample that improved it: [sample index, cycles]. */
  readonly trace: readonly (readonly [number, number])[];
  readonly logits?: LogitTable;
}

/**
 * Learning rate, batch, temperature and credit split, measured on the 22-cell CIFAR fixture
 * (ZC706, ZCU102, KV260; 1k–10k samples; 5 seeds) and the enumerable bench network. A long
 * run with a large step collapses the distribution onto a poor design early, a short run with
 * a small one never leaves uniform — so the default step shrinks with the sample budget:
 * lr = 0.05 · min(1, √(2000 / samples)).
 */
const DAS_DEFAULTS = { batch: 8, learningRate: 0.05, referenceSamples: 2000, temperature: 1, globalCredit: 0.5 } as const;

function defaultLearningRate(samples: number): number {
  return DAS_DEFAULTS.learningRate * Math.min(1, Math.sqrt(DAS_DEFAULTS.referenceSamples / Math.max(1, samples)));
}

/** Infeasible samples cost their log-objective plus this per unit of log over-use, plus a margin. */
const PENALTY_SLOPE = 2;
const PENALTY_MARGIN = 0.25;

interface Layout {
  readonly offset: Int32Array; // per (chunk, param): start in the flat logit vector
  readonly count: Int32Array;
  readonly total: number;
}

function layoutOf(options: ChunkOptionSpace): Layout {
  const n = options.values.length;
  const offset = new Int32Array(n);
  const count = new Int32Array(n);
  let total = 0;
  for (let k = 0; k < n; k++) {
    offset[k] = total;
    count[k] = options.values[k].length;
    total += count[k];
  }
  return { offset, count, total };
}

export function objectiveOf(ev: DesignEvaluation, objective: Objective): number {
  return objective === 'fps' ? ev.bottleneckCycles : ev.latencyCycles;
}

/** Normalised-able cost of a sample: log objective, penalised when infeasible. */
export function sampleCost(ev: DesignEvaluation, objective: Objective): number {
  const base = Math.log(objectiveOf(ev, objective));
  if (ev.status === FEASIBLE) return base;
  return base + PENALTY_MARGIN + PENALTY_SLOPE * Math.log(Math.max(ev.pressure, 1));
}

/**
 * Draw one design: writes packed parameters to `params`, the chosen option index of every
 * parameter to `chosen`, and the soft Gumbel-softmax sample y (0 for masked options) to `soft`.
 */
function drawDesign(
  options: ChunkOptionSpace,
  layout: Layout,
  logits: Float64Array,
  tau: number,
  rng: Rng,
  params: Float64Array,
  chosen: Int32Array,
  soft: Float64Array,
): void {
  for (let c = 0; c < options.chunks; c++) {
    const po = c * PARAM_SIZE;
    for (let j = 0; j < PARAM_SIZE; j++) {
      const k = po + j;
      const values = options.values[k];
      const off = layout.offset[k];
      const limit = j === P_PEM ? params[po + P_TM] : j === P_PEN ? peNLimit(options, params, c) : Infinity;
      let bestI = -1;
      let bestZ = -Infinity;
      let maxZ = -Infinity;
      for (let i = 0; i < values.length; i++) {
        if (values[i] > limit) {
          soft[off + i] = -Infinity;
          continue;
        }
        const z = (logits[off + i] + rng.gumbel()) / tau;
        soft[off + i] = z;
        if (z > bestZ) {
          bestZ = z;
          bestI = i;
        }
        if (z > maxZ) maxZ = z;
      }
      let sum = 0;
      for (let i = 0; i < values.length; i++) {
        const e = soft[off + i] === -Infinity ? 0 : Math.exp(soft[off + i] - maxZ);
        soft[off + i] = e;
        sum += e;
      }
      for (let i = 0; i < values.length; i++) soft[off + i] /= sum;
      chosen[k] = bestI;
      params[k] = values[bestI];
    }
  }
}

/** `count` designs drawn from the uniform (zero-logit) sampler: what random search evaluates. */
export function sampleRandomDesigns(options: ChunkOptionSpace, count: number, seed: number): Float64Array[] {
  const layout = layoutOf(options);
  const logits = new Float64Array(layout.total);
  const rng = new Rng(seed);
  const chosen = new Int32Array(options.chunks * PARAM_SIZE);
  const soft = new Float64Array(layout.total);
  const designs: Float64Array[] = [];
  for (let i = 0; i < count; i++) {
    const params = new Float64Array(options.chunks * PARAM_SIZE);
    drawDesign(options, layout, logits, 1, rng, params, chosen, soft);
    designs.push(params);
  }
  return designs;
}

function initialLogitsOf(layout: Layout, problem: CostProblem, table?: LogitTable): Float64Array {
  const logits = new Float64Array(layout.total);
  if (!table) return logits;
  problem.chunks.forEach((chunk, c) => {
    for (let j = 0; j < PARAM_SIZE; j++) {
      const k = c * PARAM_SIZE + j;
      const previous = table[chunk.id]?.[paramName(j)];
      if (previous && previous.length === layout.count[k]) logits.set(previous, layout.offset[k]);
    }
  });
  return logits;
}

function logitTableOf(problem: CostProblem, layout: Layout, logits: Float64Array): LogitTable {
  const table: Record<string, Record<string, number[]>> = {};
  problem.chunks.forEach((chunk, c) => {
    const entry: Record<string, number[]> = {};
    for (let j = 0; j < PARAM_SIZE; j++) {
      const k = c * PARAM_SIZE + j;
      entry[paramName(j)] = Array.from(logits.subarray(layout.offset[k], layout.offset[k] + layout.count[k]), (v) => Number(v.toFixed(4)));
    }
    table[chunk.id] = entry;
  });
  return table;
}

/** DAS (learningRate > 0) or random sampling (learningRate = 0) over the same sampler. */
export function searchBySampling(problem: CostProblem, options: ChunkOptionSpace, opts: SamplerOptions): SearchOutcome {
  const layout = layoutOf(options);
  const batch = Math.max(1, opts.batch ?? DAS_DEFAULTS.batch);
  const lr = opts.learningRate ?? defaultLearningRate(opts.samples);
  const tau = opts.temperature ?? DAS_DEFAULTS.temperature;
  const objective = opts.objective ?? 'fps';
  const rng = new Rng(opts.seed);
  const logits = initialLogitsOf(layout, problem, opts.initialLogits);
  const nParams = options.chunks * PARAM_SIZE;
  const params = new Float64Array(nParams);
  const chosen = new Int32Array(nParams * batch);
  const soft = new Float64Array(layout.total * batch);
  const columns = 1 + options.chunks;
  const costs = new Float64Array(batch * columns);
  const critic = { baseline: new Float64Array(columns).fill(NaN), spread: new Float64Array(columns) };
  const globalCredit = opts.globalCredit ?? DAS_DEFAULTS.globalCredit;
  const grad = new Float64Array(layout.total);
  const adamM = new Float64Array(layout.total);
  const adamV = new Float64Array(layout.total);
  const ev = newEvaluation(options.chunks);
  let best: Float64Array | null = null;
  let bestEvaluation: DesignEvaluation | null = null;
  let bestCycles = Infinity;
  let feasibleSamples = 0;
  let step = 0;
  const trace: [number, number][] = [];
  let done = 0;
  for (const seed of opts.seedDesigns ?? []) {
    if (done >= opts.samples) break;
    evaluateDesign(problem, seed, ev);
    if (ev.status === FEASIBLE) {
      feasibleSamples++;
      if (objectiveOf(ev, objective) < bestCycles) {
        bestCycles = objectiveOf(ev, objective);
        best = seed.slice();
        bestEvaluation = snapshotEvaluation(ev);
        trace.push([done, bestCycles]);
      }
    }
    done++;
  }
  while (done < opts.samples) {
    const b = Math.min(batch, opts.samples - done);
    for (let s = 0; s < b; s++) {
      const chosenRow = chosen.subarray(s * nParams, (s + 1) * nParams);
      const softRow = soft.subarray(s * layout.total, (s + 1) * layout.total);
      drawDesign(options, layout, logits, tau, rng, params, chosenRow, softRow);
      evaluateDesign(problem, params, ev);
      costs[s * columns] = sampleCost(ev, objective);
      if (globalCredit < 1) chunkCosts(problem, params, ev, objective, costs[s * columns], costs, s * columns + 1);
      if (ev.status === FEASIBLE) {
        feasibleSamples++;
        const cycles = objectiveOf(ev, objective);
        if (cycles < bestCycles) {
          bestCycles = cycles;
          best = params.slice();
          bestEvaluation = snapshotEvaluation(ev);
          trace.push([done + s, cycles]);
        }
      }
    }
    done += b;
    if (lr > 0) {
      updateCritic(critic, costs, b, columns);
      gradientOf(options, layout, chosen, soft, costs, b, critic, globalCredit, tau, grad);
      adamUpdate(logits, grad, adamM, adamV, ++step, lr);
    }
    opts.onProgress?.(done, opts.samples, bestCycles);
  }
  return {
    best,
    bestEvaluation,
    evaluations: done,
    feasibleSamples,
    trace,
    ...(lr > 0 ? { logits: logitTableOf(problem, layout, logits) } : {}),
  };
}

/** Sharpness of the soft maximum that spreads the bottleneck's cost over near-bottleneck chunks. */
const SOFTMAX_SHARPNESS = 10;

/**
 * [ours] Split a sample's cost into per-chunk shares that sum to about the whole: chunk c gets
 * w_c · log T_c, where w_c = ∂ log(objective) / ∂ log T_c (a sharp softmax over chunk cycles for
 * FPS, T_c / Σ T for latency), plus its share of the chosen over-budget resource's penalty. A
 * chunk's parameters then hear mostly about their own chunk, not the noise of eleven others.
 * Ports wider than the DRAM can feed slow every chunk by log(Σ port / DRAM); that slowdown is
 * charged to the chunks by their share of the port bits.
 */
function chunkCosts(
  problem: CostProblem,
  params: Float64Array,
  ev: DesignEvaluation,
  objective: Objective,
  total: number,
  out: Float64Array,
  o: number,
): void {
  const per = ev.perChunk as Float64Array;
  const chunks = problem.chunks.length;
  const logMax = Math.log(ev.bottleneckCycles);
  let norm = 0;
  for (let c = 0; c < chunks; c++) {
    const w = objective === 'fps' ? Math.exp(SOFTMAX_SHARPNESS * (Math.log(per[c * CHUNK_STRIDE]) - logMax)) : per[c * CHUNK_STRIDE];
    out[o + c] = w;
    norm += w;
  }
  const penalty = total - Math.log(objectiveOf(ev, objective));
  const r = problem.board.resources;
  const ratios = [ev.dsp / r.dsp, ev.bram18 / r.bram18, ev.lut / r.lut, ev.ff / r.ff];
  const worst = 1 + ratios.indexOf(Math.max(...ratios));
  const used = [0, ev.dsp, ev.bram18, ev.lut, ev.ff][worst];
  let ports = 0;
  for (let c = 0; c < chunks; c++) ports += params[c * PARAM_SIZE + P_PORT];
  const slowdown = Math.log(Math.max(1, ports / problem.dramBitsPerCycle));
  for (let c = 0; c < chunks; c++) {
    const share = penalty > 0 ? (penalty * per[c * CHUNK_STRIDE + worst]) / used : 0;
    const dram = (slowdown * params[c * PARAM_SIZE + P_PORT]) / ports;
    out[o + c] = (out[o + c] / norm) * Math.log(per[c * CHUNK_STRIDE]) + share + dram;
  }
}

/** Running mean and mean absolute deviation of each cost column (global, then each chunk). */
function updateCritic(critic: { baseline: Float64Array; spread: Float64Array }, costs: Float64Array, b: number, columns: number): void {
  for (let k = 0; k < columns; k++) {
    let mean = 0;
    for (let s = 0; s < b; s++) mean += costs[s * columns + k];
    mean /= b;
    let dev = 0;
    for (let s = 0; s < b; s++) dev += Math.abs(costs[s * columns + k] - mean);
    dev = dev / b + 1e-6;
    if (Number.isNaN(critic.baseline[k])) {
      critic.baseline[k] = mean;
      critic.spread[k] = dev;
    } else {
      critic.baseline[k] = 0.9 * critic.baseline[k] + 0.1 * mean;
      critic.spread[k] = 0.9 * critic.spread[k] + 0.1 * dev;
    }
  }
}

function gradientOf(
  options: ChunkOptionSpace,
  layout: Layout,
  chosen: Int32Array,
  soft: Float64Array,
  costs: Float64Array,
  b: number,
  critic: { baseline: Float64Array; spread: Float64Array },
  globalCredit: number,
  tau: number,
  grad: Float64Array,
): void {
  grad.fill(0);
  const nParams = options.chunks * PARAM_SIZE;
  const columns = 1 + options.chunks;
  const advantage = (s: number, k: number) => (costs[s * columns + k] - critic.baseline[k]) / critic.spread[k];
  for (let s = 0; s < b; s++) {
    const global = advantage(s, 0);
    for (let c = 0; c < options.chunks; c++) {
      const a = globalCredit >= 1 ? global : globalCredit * global + (1 - globalCredit) * advantage(s, 1 + c);
      const scale = a / (b * tau);
      for (let k = c * PARAM_SIZE; k < (c + 1) * PARAM_SIZE; k++) {
        const off = layout.offset[k];
        const so = s * layout.total + off;
        const sel = chosen[s * nParams + k];
        const ys = soft[so + sel];
        for (let i = 0; i < layout.count[k]; i++) {
          grad[off + i] += scale * ys * ((i === sel ? 1 : 0) - soft[so + i]);
        }
      }
    }
  }
}
