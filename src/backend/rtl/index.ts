/**
 * backend/rtl — stage: generate. In: the layer program (ProgramSpec, from `lowerDesignToProgram`).
 * Out: OUT/rtl/ — per chunk `<chunk>_params.vh` (engine sizes), `<chunk>_program.mem` (the
 * program RAM image), `<chunk>_top.sv` (the engine with both), a file list, a FuseSoC core and
 * copies of the engine's sources (hw/rtl/). `lowerProgramToRtl` computes every number and
 * label the files print (pure, unit-tested); `renderRtl` only substitutes them.
 */
import type { GeneratedFile, ProgramSpec } from '../types.js';
import { lowerProgramToRtl } from './lower.js';
import { renderRtlFiles } from './render.js';

export { ENGINE_SOURCES, lowerProgramToRtl } from './lower.js';

/** Every OUT/rtl/ file of a program; paths relative to OUT. */
export function renderRtl(program: ProgramSpec, options: { toolVersion: string }): GeneratedFile[] {
  return renderRtlFiles(lowerProgramToRtl(program, options));
}
