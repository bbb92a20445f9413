/**
 * Accelerator search for a fixed network on a board: allocate chunks, compile the cost
 * problem, search the chunk parameters with one strategy, and return the best feasible design
 * as a design artifact with its predicted cost. Pure apart from the clock in provenance.
 */
import type { NetworkSpec } from '../core/network.js';
import { makeProvenance } from '../core/provenance.js';
import { allocateChunks, type ChunkAllocation, DEFAULT_LARGE_MAP_PIXELS } from './allocate.js';
import { searchBySampling, type LogitTable, type Objective, type SearchOutcome } from './das.js';
import { buildOptionSpace, countDesigns, DEFAULT_DESIGN_SPACE } from './design-space.js';
import { estimateCost, explainStatus, toAccelerator } from './estimate.js';
import { evaluateDesign, newEvaluation, packParams } from './evaluate.js';
import { searchByAnnealing, searchByGenetic } from './metaheuristics.js';
import { searchExhaustive } from './exhaustive.js';
import { compileCostProblem } from './problem.js';
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
  const outcome =
    opts.strategy === 'exhaustive'
      ? searchExhaustive(problem, options, { objective: opts.objective, maxDesigns: opts.maxDesigns, onProgress: opts.onProgress })
      : opts.strategy === 'annealing'
        ? searchByAnnealing(problem, options, black)
        : opts.strategy === 'genetic'
          ? searchByGenetic(problem, options, black)
          : searchBySampling(problem, options, {
              samples: opts.samples,
              seed: opts.seed,
              objective: opts.objective,
              learningRate: opts.strategy === 'random' ? 0 : opts.learningRate,
              globalCredit: opts.globalCredit,
              initialLogits: opts.warmStart?.logits,
              seedDesigns: seedDesignsOf(chunks, opts.warmStart?.accelerator),
              onProgress: opts.onProgress,
            });
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
      ...(outcome.logits ? { logits: outcome.logits } : {}),
    },
    provenance: makeProvenance({ seed: opts.seed }),
  };
  return { design, report, outcome, spaceSize };
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
