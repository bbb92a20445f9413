/**
 * backend/ — stage: design + integer model → the files of the hardware.
 * `lowerDesignToProgram` computes the layer program once (arena addresses, descriptors,
 * per-chunk parameter images and buffers, predicted cycles); each view lowers it further and
 * renders with Handlebars: `hls/` (Vivado / Vitis HLS project) and `rtl/` (Verilog parameters
 * and programs for hw/). What stays true: every number a template prints is computed and tested
 * in a `lower` function; the views print the same program, so they cannot drift apart; names
 * from input files reach C++ or Verilog only legalised.
 */
export * from './types.js';
export { hashDesign, hashModel, lowerDesignToProgram } from './program.js';
export { computeGoldenVectors, hashWords } from './golden.js';
export { legaliseIdentifier, legaliseIdentifiers } from './identifiers.js';
export { HLS_TOOLS, lowerProgramToHls, type HlsOptions, type HlsProject, type HlsTool } from './hls/lower.js';
export { renderHls } from './hls/render.js';
export {
  generateProject,
  GOLDEN_FILE,
  MANIFEST_FILE,
  PROGRAM_FILE,
  type GeneratedProject,
  type GenerateOptions,
  type ProjectManifest,
} from './generate.js';
export { generateToFolder, type GenerateRequest, type GenerateSummary } from './project.js';
