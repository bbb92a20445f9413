/**
 * search/ — stage: dataset + search space + board → design + weights. This entry holds the
 * search space and genotype artifacts and lowers a genotype (one op and bitwidth per cell) to
 * the network layer list; it loads no TF.js, so the accelerator commands start fast. The joint
 * search itself is `joint.ts` (`runSearch`), built from `supernet.ts` (candidates, passes),
 * `paths.ts` (what the steps sample, the derived genotype), `sampling.ts`, `hardware.ts` (DAS
 * on the current path), `arch-step.ts`, `evaluate.ts`, `run-state.ts` (checkpoint),
 * `context.ts` (what they share) and `presets.ts` (docs/search.md). What stays true: spaces and
 * genotypes are plain data validated at the file edge; a lowered network always passes
 * `checkNetwork` (every layer of every cell, skip convs and residual adds included, appears
 * with its shape and precision, so it can be costed).
 */
export type { GenotypeSpec } from './types.js';
export { CIFAR22_SPACE, FMNIST_SPACE, loadGenotype } from './spaces.js';
export { lowerGenotypeToNetwork } from './lower-genotype.js';
