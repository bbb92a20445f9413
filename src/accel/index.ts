/**
 * accel/ — stage: network + board (+ calibration) → accelerator + cost.
 * The chunk-based accelerator template of method.md §6, defined once: chunk allocation, the
 * analytical cycle and resource model (pure functions; coefficients are data so calibration
 * can replace them), and the searches over its parameters (DAS, random, exhaustive).
 * What stays true: an infeasible design is a status with a reason, never an exception; every
 * search strategy draws from the same option space and is judged by the same cost function.
 */
export * from './types.js';
export { allocateChunks } from './allocate.js';
export { listBoards, resolveBoard } from './boards.js';
export type { LogitTable } from './das.js';
export { estimateCost, estimateDesign } from './estimate.js';
export { packParams } from './evaluate.js';
export {
  DAS_REFINE_SHARE,
  exploreAccelerator,
  STRATEGIES,
  type ExploreResult,
  type Strategy,
} from './explore.js';
export { compileCostProblem } from './problem.js';
