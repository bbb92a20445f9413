/**
 * simulateProject — a generated project (OUT/program.json, OUT/golden.json, OUT/rtl/) → every
 * chunk simulated under Verilator, every layer's outputs compared word for word with the golden
 * model, measured against predicted cycles, and OUT/sim/records.jsonl written (atomically).
 */
import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { lowerChunk, RTL_SIZE_NAMES, type RtlChunk, type RtlSizes } from '../backend/rtl/lower.js';
import type { GoldenVectors, ProgramSpec } from '../backend/types.js';
import { InputError, UsageError } from '../core/diagnostics.js';
import { readJsonFile, writeFileAtomic } from '../core/files.js';
import { cycleError, type SimRecord } from './records.js';
import { programSubset, runChunk, type ChunkRun } from './run.js';
import { buildEngine, defaultCacheDir, verilatorVersion, type BuiltEngine } from './verilator.js';

/** Run `work` over `items`, at most `limit` at a time. */
async function inParallel<T>(items: readonly T[], limit: number, work: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      await work(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
}

export interface SimOptions {
  /** Simulate only these layers (by name); default every layer. */
  readonly layers?: readonly string[];
  /** Verilator build cache; default ~/.cache/trips-hw/verilator (XDG_CACHE_HOME honoured). */
  readonly cacheDir?: string;
  /** Golden image to run (default 0). */
  readonly image?: number;
  readonly onProgress?: (event: { readonly chunk: string; readonly phase: 'build' | 'run' | 'done'; readonly index: number; readonly total: number }) => void;
}

export interface SimLayer {
  readonly name: string;
  readonly op: string;
  readonly chunk: string;
  readonly predictedCycles: number;
  readonly measuredCycles: number | null;
  /** (predicted − measured) / measured, in %. */
  readonly errorPct: number | null;
  readonly bitExact: boolean;
  readonly mismatches: number;
  readonly words: number;
}

export interface SimResult {
  readonly version: 1;
  readonly designHash: string;
  readonly simulator: string;
  /** True only if every simulated layer matched the golden model word for word. */
  readonly bitExact: boolean;
  /** Per-layer error of the uncalibrated cost model against the RTL. */
  readonly cycles: { readonly mapePct: number; readonly maxPct: number };
  readonly layers: readonly SimLayer[];
  readonly chunks: readonly Omit<ChunkRun, 'records'>[];
  readonly records: string;
}

/** `localparam int <IDENT>_<NAME> = <n>;` lines of a rendered params.vh → the engine sizes. */
export function parseParams(text: string, ident: string, file: string): RtlSizes {
  const sizes: Record<string, number> = {};
  for (const name of RTL_SIZE_NAMES) {
    const match = new RegExp(`localparam\\s+int\\s+${ident.toUpperCase()}_${name}\\s*=\\s*(\\d+)\\s*;`).exec(text);
    if (!match) throw new InputError(file, '', `expected "localparam int ${ident.toUpperCase()}_${name} = …;" (regenerate the project)`);
    sizes[name] = Number(match[1]);
  }
  return sizes as unknown as RtlSizes;
}

/** A program.mem: one hex word per line, `//` comments. */
export function parseProgramMem(text: string): number[] {
  return text
    .split('\n')
    .map((l) => l.replace(/\/\/.*$/, '').trim())
    .filter((l) => l !== '')
    .map((l) => parseInt(l, 16) >>> 0);
}

function loadProject(dir: string): { program: ProgramSpec; golden: GoldenVectors } {
  const programFile = join(dir, 'program.json');
  const goldenFile = join(dir, 'golden.json');
  if (!existsSync(programFile)) throw new InputError(programFile, '', 'file not found: expected a project written by `trips-hw generate`');
  const program = readJsonFile(programFile) as ProgramSpec;
  const golden = readJsonFile(goldenFile) as GoldenVectors;
  if (!Array.isArray(program.layers) || !Array.isArray(program.chunks)) throw new InputError(programFile, '', 'expected a layer program (layers, chunks)');
  if (golden.format !== 'trips-hw-golden') throw new InputError(goldenFile, '/format', 'expected "trips-hw-golden"');
  if (golden.designHash !== program.designHash) throw new InputError(goldenFile, '/designHash', `expected ${program.designHash} (program.json's design)`);
  return { program, golden };
}

/** The chunk as OUT/rtl/ holds it: sizes and program words from the rendered files. */
function loadRtlChunk(dir: string, program: ProgramSpec, index: number): RtlChunk {
  const chunk = program.chunks[index];
  const lowered = lowerChunk(program, chunk);
  const paramsFile = join(dir, 'rtl', `${chunk.ident}_params.vh`);
  const memFile = join(dir, 'rtl', `${chunk.ident}_program.mem`);
  for (const f of [paramsFile, memFile]) if (!existsSync(f)) throw new InputError(f, '', 'file not found: run `trips-hw generate` for this project first');
  const sizes = parseParams(readFileSync(paramsFile, 'utf8'), chunk.ident, paramsFile);
  const words = parseProgramMem(readFileSync(memFile, 'utf8'));
  if (words.length !== lowered.program.length || words.some((w, i) => w !== lowered.program[i])) {
    throw new InputError(memFile, '', 'expected the program of program.json (the RTL files are stale: regenerate the project)');
  }
  return { ...lowered, sizes, program: words };
}

function selectLayers(program: ProgramSpec, names: readonly string[] | undefined): Set<number> {
  if (!names || names.length === 0) return new Set(program.layers.map((l) => l.index));
  return new Set(
    names.map((name) => {
      const layer = program.layers.find((l) => l.name === name);
      if (!layer) throw new UsageError(`--layers: no layer "${name}" in ${program.name}`);
      return layer.index;
    }),
  );
}

function summarise(record: SimRecord): SimLayer {
  const meas = record.meas.cycles;
  return {
    name: record.layer,
    op: record.op,
    chunk: record.chunk,
    predictedCycles: record.pred.cycles,
    measuredCycles: meas,
    errorPct: meas === null ? null : (100 * (record.pred.cycles - meas)) / meas,
    bitExact: record.bitExact,
    mismatches: record.mismatches,
    words: record.words,
  };
}

export async function simulateProject(projectDir: string, options: SimOptions = {}): Promise<SimResult> {
  const { program, golden } = loadProject(projectDir);
  const selected = selectLayers(program, options.layers);
  const image = options.image ?? 0;
  if (image < 0 || image >= golden.images) throw new UsageError(`image ${image}: the golden vectors hold ${golden.images} image(s)`);
  const simulator = await verilatorVersion();
  const cacheDir = options.cacheDir ?? defaultCacheDir();
  const chunks = program.chunks.filter((c) => c.layers.some((i) => selected.has(i)));
  const rtls = chunks.map((chunk) => {
    const full = loadRtlChunk(projectDir, program, chunk.index);
    const keep = full.layers.map((l, i) => (selected.has(l.index) ? i : -1)).filter((i) => i >= 0);
    return { ...full, layers: keep.map((i) => full.layers[i]), program: programSubset(full.program, keep) };
  });
  // Verilator builds first: one per two cores (each build runs make -j 2)
  const built = new Map<string, Promise<BuiltEngine>>();
  await inParallel(rtls, Math.max(1, Math.floor(availableParallelism() / 2)), async (rtl, n) => {
    options.onProgress?.({ chunk: rtl.id, phase: 'build', index: n, total: rtls.length });
    const key = JSON.stringify(rtl.sizes);
    if (!built.has(key)) built.set(key, buildEngine(rtl.sizes, cacheDir, simulator));
    await built.get(key);
  });
  const runs: ChunkRun[] = [];
  for (const [n, rtl] of rtls.entries()) {
    options.onProgress?.({ chunk: rtl.id, phase: 'run', index: n, total: rtls.length });
    const workDir = join(projectDir, 'sim', 'work');
    const engine = await built.get(JSON.stringify(rtl.sizes));
    runs.push(await runChunk({ program, golden, rtl, image, cacheDir, workDir, simulator, engine }));
    options.onProgress?.({ chunk: rtl.id, phase: 'done', index: n + 1, total: rtls.length });
  }
  const records = runs.flatMap((r) => r.records).sort((a, b) => a.index - b.index);
  const recordsFile = join(projectDir, 'sim', 'records.jsonl');
  writeFileAtomic(recordsFile, records.map((r) => `${JSON.stringify(r)}\n`).join(''));
  const error = cycleError(records);
  return {
    version: 1,
    designHash: program.designHash,
    simulator,
    bitExact: records.length > 0 && records.every((r) => r.bitExact),
    cycles: { mapePct: error.mapePct, maxPct: error.maxPct },
    layers: records.map(summarise),
    chunks: runs.map(({ records: _records, ...rest }) => rest),
    records: recordsFile,
  };
}
