/**
 * sim — stage: co-simulation. In: a generated project (OUT/program.json, OUT/golden.json,
 * OUT/rtl/). Out: per layer a sim record (OUT/sim/records.jsonl: predicted vs measured cycles,
 * bit-exact flag) and a SimResult. Each chunk engine is built with Verilator once per set of
 * compile-time sizes (cached), then run by a C++ harness that models the DRAM (hw/sim/).
 */
export { loadProject, loadRtlChunk, simulateProject, type SimResult } from './project.js';
export { cycleError, makeRecord, type SimRecord } from './records.js';
export { runChunk } from './run.js';
export { buildEngine, defaultCacheDir, verilatorVersion } from './verilator.js';
export { simulateSystem, DEFAULT_SYSTEM_IMAGES, type SystemResult } from './system.js';
