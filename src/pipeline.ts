/**
 * The stages of trips-hw, in pipeline order. Imports point one way down this list: a stage may
 * use the ones above it, never the ones below (search uses accel's cost model, never a backend).
 *
 *   core/      schemas (one ajv), diagnostics, atomic files, provenance     — shared by all
 *   data/      datasets → batches                                           (issue: engine)
 *   nn/        TF.js engine, kernels, quantisers, supernet                  (issue: engine)
 *   search/    search spaces, genotype → network lowering; joint search     (spaces: here)
 *   accel/     network + board → accelerator + cost (cost model, DAS)       (here)
 *   quant/     weights → integer model                                      (issue: HLS)
 *   backend/   design + integer model → HLS C++ / Verilog params            (issues: HLS, RTL)
 *   sim/       generated project → Verilator sim records                    (issue: RTL)
 *   calibrate/ sim records → calibration.json                               (issue: calibrate)
 *   report/    run folder → report.html                                     (issue: flow)
 *   cli/       oclif commands: parse flags, call one stage function, print
 */
export { lowerGenotypeToNetwork } from './search/lower-genotype.js';
export { exploreAccelerator } from './accel/explore.js';
export { estimateDesign } from './accel/estimate.js';
export { generateToFolder } from './backend/project.js';
