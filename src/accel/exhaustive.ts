/**
 * Exhaustive accelerator search: every valid design of the option space (the same space the
 * samplers draw from), evaluated once each — the ground truth the samplers are measured against.
 */
import { UsageError } from '../core/diagnostics.js';
import { PARAM_SIZE } from './cost-model.js';
import { chunkSlice, type ChunkOptionSpace, countDesigns, enumerateChunk } from './design-space.js';
import type { Objective, SearchOutcome } from './das.js';
import { evaluateDesign, FEASIBLE, newEvaluation, snapshotEvaluation, type DesignEvaluation } from './evaluate.js';
import type { CostProblem } from './problem.js';

const DEFAULT_MAX_DESIGNS = 5_000_000;

export function searchExhaustive(
  problem: CostProblem,
  options: ChunkOptionSpace,
  opts: { objective?: Objective; maxDesigns?: number; onProgress?: (done: number, total: number, best: number) => void } = {},
): SearchOutcome {
  const total = countDesigns(options);
  const limit = opts.maxDesigns ?? DEFAULT_MAX_DESIGNS;
  if (total > limit) {
    throw new UsageError(
      `exhaustive search: the space has ${total.toExponential(2)} designs, over the limit of ${limit}; use --strategy differentiable or random`,
    );
  }
  const perChunk: Float64Array[][] = [];
  for (let c = 0; c < options.chunks; c++) {
    perChunk.push(enumerateChunk(chunkSlice(options, c)));
  }
  const objective = opts.objective ?? 'fps';
  const params = new Float64Array(options.chunks * PARAM_SIZE);
  const index = new Int32Array(options.chunks);
  perChunk.forEach((rows, c) => params.set(rows[0], c * PARAM_SIZE));
  const ev = newEvaluation();
  let best: Float64Array | null = null;
  let bestEvaluation: DesignEvaluation | null = null;
  let bestCycles = Infinity;
  let feasibleSamples = 0;
  const trace: [number, number][] = [];
  for (let n = 0; n < total; n++) {
    evaluateDesign(problem, params, ev);
    if (ev.status === FEASIBLE) {
      feasibleSamples++;
      const cycles = objective === 'fps' ? ev.bottleneckCycles : ev.latencyCycles;
      if (cycles < bestCycles) {
        bestCycles = cycles;
        best = params.slice();
        bestEvaluation = snapshotEvaluation(ev);
        trace.push([n, cycles]);
      }
    }
    if (opts.onProgress && (n & 0xffff) === 0) opts.onProgress(n, total, bestCycles);
    // odometer: advance the last chunk fastest
    for (let c = options.chunks - 1; c >= 0; c--) {
      index[c]++;
      if (index[c] < perChunk[c].length) {
        params.set(perChunk[c][index[c]], c * PARAM_SIZE);
        break;
      }
      index[c] = 0;
      params.set(perChunk[c][0], c * PARAM_SIZE);
    }
  }
  return { best, bestEvaluation, evaluations: total, feasibleSamples, trace };
}
