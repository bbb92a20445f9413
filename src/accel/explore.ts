/**
 * Accelerator search for a fixed network on a board: allocate chunks, compile the cost
 * problem, search the chunk parameters with one strategy, and return the best feasible design
 * as a design artifact with its predicted cost. Pure apart from the clock in provenance.
 */
import type { NetworkSpec } from '../core/network.js';
import { makeProvenance } from '../core/provenance.js';
import { allocateChunks, type ChunkAllocation, DEFAULT_LARGE_MAP_PIXELS } from './allocate.js';
import { objectiveOf, searchBySampling, type LogitTable, type Objective, type SearchOutcome } from './das.js';
import { PARAM_SIZE } from './cost-model.js';
import { buildOptionSpace, countDesigns, DEFAULT_DESIGN_SPACE, paramName } from './design-space.js';
import { estimateCost, explainStatus, toAccelerator } from './estimate.js';
import { evaluateDesign, newEvaluation, packParams } from './evaluate.js';
import { refineByAnnealing, searchByAnnealing, searchByGenetic } from './metaheuristics.js';
import { searchExhaustive } from './exhaustive.js';
import { type CostProblem, compileCostProblem } from './problem.js';
import type { AcceleratorSpec, BoardSpec, CalibrationSpec, CostReport, DesignPoint, DesignSpaceSpec } from './types.js';

export type Strategy = 'differentiable' | 'random' | 'annealing' | 'genetic' | 'exhaustive';
export const STRATEGIES: readonly Strategy[] = ['differentiable', 'random', 'annealing', 'genetic', 'exhaustive'];

export interface ExploreOptions {
  readonly strategy: Strategy;
  readonly samples: number;
  readonly seed: number;
  readonly objective?: Objective;
  readonly space?: DesignSpaceSpec;
  readonly calibration?: CalibrationSpec;
  readonly clockMhz?: number;
  readonly largeMapPixels?: number;
  readonly warmStart?: WarmStart;
  readonly learningRate?: number;
  readonly globalCredit?: number;
  /**
   * differentiable: the share of the samples spent refining DAS's best design by cool annealing
   * (DAS_REFINE_SHARE when absent; 0 = the method's DAS alone).
   */
  readonly refine?: number;
  readonly maxDesigns?: number;
  readonly onProgress?: (done: number, total: number, bestCycles: number) => void;
}

/** What a later search continues from: DAS logits and, optionally, the accelerator found. */
export interface WarmStart {
  readonly logits: LogitTable;
  /** Its parameters are evaluated first when its chunks match this search's allocation. */
  readonly accelerator?: AcceleratorSpec;
}

export interface ExploreResult {
  readonly design: DesignPoint;
  readonly report: CostReport;
  readonly outcome: SearchOutcome;
  readonly spaceSize: number;
}

/** No sampled design fits the board: a failed run (exit 1), not bad input. */
export class NoFeasibleDesign extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NoFeasibleDesign';
  }
}

export function exploreAccelerator(network: NetworkSpec, board: BoardSpec, opts: ExploreOptions): ExploreResult {
  const space = opts.space ?? DEFAULT_DESIGN_SPACE;
  const chunks = allocateChunks(network, opts.largeMapPixels ?? DEFAULT_LARGE_MAP_PIXELS);
  const problem = compileCostProblem(network, chunks, board, { calibration: opts.calibration, clockMhz: opts.clockMhz });
  const options = buildOptionSpace(problem, space);
  const spaceSize = countDesigns(options);
  const black = { samples: opts.samples, seed: opts.seed, objective: opts.objective, onProgress: opts.onProgress };
  const sampler = (samples: number, learningRate: number | undefined) =>
    searchBySampling(problem, options, {
      samples,
      seed: opts.seed,
      objective: opts.objective,
      learningRate,
      globalCredit: opts.globalCredit,
      initialLogits: opts.warmStart?.logits,
      seedDesigns: seedDesignsOf(chunks, opts.warmStart?.accelerator),
      onProgress: opts.onProgress,
    });
  const outcome =
    opts.strategy === 'exhaustive'
      ? searchExhaustive(problem, options, { objective: opts.objective, maxDesigns: opts.maxDesigns, onProgress: opts.onProgress })
      : opts.strategy === 'annealing'
        ? searchByAnnealing(problem, options, black)
        : opts.strategy === 'genetic'
          ? searchByGenetic(problem, options, black)
          : opts.strategy === 'random'
            ? sampler(opts.samples, 0)
            : refinedDas(
                opts,
                (samples) => sampler(samples, opts.learningRate),
                (das, samples, offset) =>
                  refineByAnnealing(problem, options, das.best as Float64Array, {
                    ...black,
                    samples,
                    proposal: das.logits && proposalOf(problem, das.logits),
                    seed: opts.seed ^ REFINE_SEED,
                    onProgress: opts.onProgress && ((done, _total, best) => opts.onProgress?.(offset + done, opts.samples, best)),
                  }),
              );
  if (!outcome.best) {
    throw new NoFeasibleDesign(
      `no feasible accelerator for ${network.name} on ${board.name} in ${outcome.evaluations} samples (${lastReason(problem, options)})`,
    );
  }
  const report = estimateCost(problem, outcome.best);
  const design: DesignPoint = {
    version: 1,
    name: network.name,
    network,
    board,
    accelerator: toAccelerator(problem, outcome.best),
    space,
    predicted: {
      feasible: report.feasible,
      fps: report.fps,
      latencyCycles: report.latencyCycles,
      dsp: report.dsp,
      bram18: report.bram18,
      lut: report.lut,
    },
    explore: {
      strategy: opts.strategy,
      samples: outcome.evaluations,
      seed: opts.seed,
      ...(opts.strategy === 'differentiable' ? { refine: refineShare(opts) } : {}),
      ...(outcome.logits ? { logits: outcome.logits } : {}),
    },
    provenance: makeProvenance({ seed: opts.seed }),
  };
  return { design, report, outcome, spaceSize };
}

/**
 * [ours] The share of a DAS run's samples spent refining its best design (bench:das, 5 seeds:
 * DAS's factorised sampler finds the region, annealing's one-parameter moves then fix the
 * bottleneck chunk that the sampler, drawing every chunk anew, keeps missing).
 */
export const DAS_REFINE_SHARE = 0.5;
const REFINE_SEED = 0x7e7e;

function refineShare(opts: ExploreOptions): number {
  return Math.min(1, Math.max(0, opts.refine ?? DAS_REFINE_SHARE));
}

/** DAS on (1 − share) of the samples, then annealing from its best design on the rest; one outcome over both. */
function refinedDas(
  opts: ExploreOptions,
  das: (samples: number) => SearchOutcome,
  refine: (das: SearchOutcome, samples: number, offset: number) => SearchOutcome,
): SearchOutcome {
  const refineSamples = Math.floor(opts.samples * refineShare(opts));
  const first = das(opts.samples - refineSamples);
  if (refineSamples === 0 || !first.best) return first;
  const second = refine(first, refineSamples, first.evaluations);
  const better = second.bestEvaluation && first.bestEvaluation && objectiveCycles(second, opts) < objectiveCycles(first, opts);
  return {
    best: better ? second.best : first.best,
    bestEvaluation: better ? second.bestEvaluation : first.bestEvaluation,
    evaluations: first.evaluations + second.evaluations,
    feasibleSamples: first.feasibleSamples + second.feasibleSamples,
    trace: [
      ...first.trace,
      ...second.trace.filter(([, c]) => c < objectiveCycles(first, opts)).map(([i, c]) => [first.evaluations + i, c] as const),
    ],
    ...(first.logits ? { logits: first.logits } : {}),
  };
}

/** Share of the uniform draw in the refinement's proposals (the rest: DAS's softmax). */
const PROPOSAL_UNIFORM = 0.5;

/** Per flat parameter, DAS's softmax over its options mixed with the uniform. */
function proposalOf(problem: CostProblem, logits: LogitTable): Float64Array[] {
  return problem.chunks.flatMap((chunk) =>
    Array.from({ length: PARAM_SIZE }, (_, j) => {
      const l = logits[chunk.id][paramName(j)];
      const max = Math.max(...l);
      const e = l.map((x) => Math.exp(x - max));
      const sum = e.reduce((a, b) => a + b, 0);
      return Float64Array.from(e, (x) => (1 - PROPOSAL_UNIFORM) * (x / sum) + PROPOSAL_UNIFORM / l.length);
    }),
  );
}

function objectiveCycles(o: SearchOutcome, opts: ExploreOptions): number {
  return o.bestEvaluation ? objectiveOf(o.bestEvaluation, opts.objective ?? 'fps') : Infinity;
}

/** The previous accelerator's parameters, if it has exactly this allocation's chunks. */
function seedDesignsOf(chunks: readonly ChunkAllocation[], accelerator?: AcceleratorSpec): Float64Array[] {
  if (!accelerator || accelerator.chunks.length !== chunks.length) return [];
  const same = chunks.every((c, i) => {
    const prev = accelerator.chunks[i];
    return prev.id === c.id && prev.layers.length === c.layers.length && prev.layers.every((l, j) => l === c.layers[j]);
  });
  return same ? [packParams(accelerator.chunks.map((c) => c.params))] : [];
}

/** Why even the smallest design fails: evaluate every chunk at its first options. */
function lastReason(problem: ReturnType<typeof compileCostProblem>, options: ReturnType<typeof buildOptionSpace>): string {
  const params = new Float64Array(options.values.map((v) => v[0]));
  const ev = evaluateDesign(problem, params, newEvaluation());
  return `smallest design: ${explainStatus(problem, ev, params) ?? 'feasible'}`;
}
