/**
 * accel/ — stage: network + board (+ calibration) → accelerator + cost.
 * The chunk-based accelerator template of method.md §6, defined once: chunk allocation, the
 * analytical cycle and resource model (pure functions; coefficients are data so calibration
 * can replace them), and the searches over its parameters (DAS, random, exhaustive).
 * What stays true: an infeasible design is a status with a reason, never an exception; every
 * search strategy draws from the same option space and is judged by the same cost function.
 */
export * from './types.js';
export { allocateChunks, chunkIdOf, DEFAULT_LARGE_MAP_PIXELS, type ChunkAllocation } from './allocate.js';
export { dramBitsPerCycle, listBoards, macsPerDsp, resolveBoard } from './boards.js';
export { DEFAULT_COEFFICIENTS, packCoefficients } from './cost-model.js';
export { DAS_DEFAULTS, sampleRandomDesigns, searchBySampling, type LogitTable, type Objective } from './das.js';
export { buildOptionSpace, countDesigns, DEFAULT_DESIGN_SPACE } from './design-space.js';
export { estimateCost, estimateDesign, explainStatus, toAccelerator } from './estimate.js';
export { evaluateDesign, newEvaluation, packParams, unpackParams, type DesignEvaluation } from './evaluate.js';
export { searchExhaustive } from './exhaustive.js';
export {
  exploreAccelerator,
  NoFeasibleDesign,
  STRATEGIES,
  type ExploreOptions,
  type ExploreResult,
  type Strategy,
  type WarmStart,
} from './explore.js';
export { compileCostProblem, type CostProblem } from './problem.js';
export { DEFAULT_RESOURCE_MODEL, type ResourceModel } from './resources.js';
