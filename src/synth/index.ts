/**
 * synth — stage: synthesis. In: a generated project (OUT/program.json, OUT/manifest.json,
 * OUT/rtl/) — read as `sim` reads it. Out: per chunk a synth record (OUT/synth/records.jsonl:
 * the LUT, FF, DSP48, BRAM, LUTRAM and carry cells and the deepest combinational path Yosys
 * `synth_xilinx` maps the chunk's engine to, next to the resources the model charged it) and a
 * SynthResult. Yosys runs from the @yowasp/yosys package in this process (`npm`, the default) or
 * as the system binary (`system`); each engine is synthesised once per set of sizes, family and
 * tool version (cached).
 */
export { defaultSynthCacheDir, engineJob, misreadingOf, synthesize, type SynthJob, type SynthOutcome } from './engine.js';
export { cellCounts, logicDepthOf, logicPathOf, type MeasuredResources, measureCells, measureNetlist, totalLuts } from './netlist.js';
export { synthesizeProject, type SynthProjectOptions, type SynthResult } from './project.js';
export { checkSynthRecord, makeSynthRecord, type SynthRecord } from './records.js';
export { runYosysScript, YOSYS_BACKENDS, type YosysBackend, YosysError, YosysMissingError, yosysVersion } from './yosys.js';
