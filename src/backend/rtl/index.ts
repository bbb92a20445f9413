/**
 * backend/rtl — stage: generate. In: the layer program (ProgramSpec, from `lowerDesignToProgram`).
 * Out: OUT/rtl/ — per chunk `<chunk>_params.vh` (engine sizes), `<chunk>_program.mem` (the
 * program RAM image), `<chunk>_top.sv` (the engine with both), a file list, a FuseSoC core and
 * copies of the engine's sources (hw/rtl/). `lowerProgramToRtl` computes every number and
 * label the files print (pure, unit-tested); `renderRtl` only substitutes them. Per chunk too
 * the synthesis scripts (`renderSynthFiles`, synth.ts): `<chunk>_synth.ys` for Yosys and
 * `<chunk>_synth.tcl` for Vivado.
 */
import type { GeneratedFile, ProgramSpec } from '../types.js';
import { lowerProgramToRtl } from './lower.js';
import { renderRtlFiles } from './render.js';

export { ENGINE_SOURCES, lowerProgramToRtl } from './lower.js';
export { renderSynthFiles, YOSYS_FAMILIES, type YosysFamily, yosysFamilyOf } from './synth.js';

/** Every OUT/rtl/ file of a program; paths relative to OUT. */
export function renderRtl(program: ProgramSpec, options: { toolVersion: string }): GeneratedFile[] {
  return renderRtlFiles(lowerProgramToRtl(program, options));
}
