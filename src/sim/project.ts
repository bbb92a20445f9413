/**
 * simulateProject — a generated project (OUT/program.json, OUT/golden.json, OUT/rtl/, each
 * file checked against the sha256 OUT/manifest.json records) → every chunk simulated under Verilator, every layer's outputs compared word for word with the golden
 * model, measured against predicted cycles, and OUT/sim/records.jsonl written (atomically).
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { GOLDEN_FILE, MANIFEST_FILE, PROGRAM_FILE, type ProjectManifest } from '../backend/generate.js';
import { lowerChunk, type RtlChunk } from '../backend/rtl/lower.js';
import { OPCODES, type GoldenVectors, type LayerDescriptor, type ProgramSpec } from '../backend/types.js';
import { InputError, UsageError } from '../core/diagnostics.js';
import { checkInputDir, readBinaryFile, writeFileAtomic } from '../core/files.js';
import { layerWeights, reducedN, walkedM } from '../core/layer-geometry.js';
import { NETWORK_LIMITS, outputSizeOf } from '../core/network-check.js';
import { loadArtifact } from '../core/schema.js';
import { cycleError, type SimRecord } from './records.js';
import { programSubset, runChunk, type ChunkRun } from './run.js';
import { dramOf, type DramBehaviour } from './job.js';
import { buildEngine, defaultCacheDir, verilatorVersion, type BuiltEngine } from './verilator.js';
import { inParallel } from '../core/parallel.js';
import { PROJECT_FILES } from '../core/run-layout.js';

interface SimOptions {
  /** Simulate only these layers (by name); default every layer. */
  readonly layers?: readonly string[];
  /** Verilator build cache; default ~/.cache/trips-hw/verilator (XDG_CACHE_HOME honoured). */
  readonly cacheDir?: string;
  /** Golden image to run (default 0). */
  readonly image?: number;
  /** The DRAM behind the ports; by default it answers after the board's latency (program.json's dramLatency) and never stalls. */
  readonly dram?: Partial<DramBehaviour>;
  readonly onProgress?: (event: {
    readonly chunk: string;
    readonly phase: 'build' | 'run' | 'done';
    readonly index: number;
    readonly total: number;
  }) => void;
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

const PROJECT_DIR = 'a project folder written by `trips-hw generate`';

/** Weight codes a layer reads from its chunk's image (conv: [groups·outPer][K][K][inPer]). */
function weightCount(d: LayerDescriptor): number {
  return layerWeights({ kind: d.op, kernel: d.kernel, inC: d.inC, outC: d.outC, groups: d.groups });
}

/** Requantisation entries a layer reads (conv / dwconv / fc: one per output channel; add: 2; pool: kernel²). */
function requantCount(d: LayerDescriptor): number {
  if (d.op === 'add') return 2;
  if (d.op === 'pool') return d.kernel * d.kernel;
  return d.outC;
}

/** The descriptor's shape fields that disagree with its op (conv: inPer·groups = inC, …), or undefined. */
function shapeMismatch(d: LayerDescriptor): { field: string; expected: number; found: number } | undefined {
  const want: [string, number, number][] = [];
  if (d.op === 'conv') {
    const layer = { kind: d.op, inC: d.inC, outC: d.outC, groups: d.groups };
    want.push(['inPer', reducedN(layer), d.inPer], ['outPer', walkedM(layer), d.outPer]);
  }
  if (d.op === 'dwconv') want.push(['outC', d.inC, d.outC], ['inPer', 1, d.inPer], ['outPer', d.outC, d.outPer], ['groups', 1, d.groups]);
  if (d.op === 'fc')
    want.push(
      ['inH', 1, d.inH],
      ['inW', 1, d.inW],
      ['outH', 1, d.outH],
      ['outW', 1, d.outW],
      ['inPer', d.inC, d.inPer],
      ['outPer', d.outC, d.outPer],
      ['kernel', 1, d.kernel],
      ['groups', 1, d.groups],
    );
  if (d.op === 'add') want.push(['outH', d.inH, d.outH], ['outW', d.inW, d.outW], ['outC', d.inC, d.outC]);
  if (d.op === 'pool') want.push(['outC', d.inC, d.outC]);
  if (d.op === 'conv' || d.op === 'dwconv' || d.op === 'pool') {
    want.push(
      ['outH', outputSizeOf(d.inH, d.kernel, d.stride, d.pad), d.outH],
      ['outW', outputSizeOf(d.inW, d.kernel, d.stride, d.pad), d.outW],
    );
  }
  const bad = want.find(([, expected, found]) => expected !== found);
  return bad && { field: bad[0], expected: bad[1], found: bad[2] };
}

/**
 * What the schema cannot say about program.json: every index and address it holds points
 * inside the program — chunks and layers at their positions and naming each other, tensors
 * laid out one after another in the arena, every layer's input and output inside the arena
 * and its constants inside its chunk's images. So nothing later indexes past an array or asks
 * the harness for memory the program does not account for.
 */
function checkProgram(program: ProgramSpec, file: string): void {
  const fail = (pointer: string, expectation: string): never => {
    throw new InputError(file, pointer, expectation);
  };
  const { layers, chunks } = program;
  let next = program.input.words;
  if (program.input.address !== 0) fail('/input/address', `expected 0 (the input image starts the arena), found ${program.input.address}`);
  const byName = new Map<string, (typeof program.tensors)[number]>();
  program.tensors.forEach((t, i) => {
    if (t.address !== next) fail(`/tensors/${i}/address`, `expected ${next} (tensors follow one another in the arena), found ${t.address}`);
    if (byName.has(t.name) || t.name === 'input')
      fail(`/tensors/${i}/name`, `expected a name no other tensor has, found "${t.name}" twice`);
    byName.set(t.name, t);
    next += t.words;
  });
  const starts = new Set(program.tensors.map((t) => t.address));
  if (program.arenaWords !== next) fail('/arenaWords', `expected ${next} (the input and every tensor), found ${program.arenaWords}`);
  const inside = (pointer: string, address: number, words: number) => {
    if (address + words > program.arenaWords)
      fail(pointer, `expected ${words} words from ${address} inside the arena of ${program.arenaWords} words`);
  };
  layers.forEach((d, i) => {
    const at = (field: string) => `/layers/${i}/${field}`;
    if (d.index !== i) fail(at('index'), `expected ${i} (its position), found ${d.index}`);
    if (d.opcode !== OPCODES[d.op]) fail(at('opcode'), `expected ${OPCODES[d.op]} (the code of ${d.op}), found ${d.opcode}`);
    if (d.chunk >= chunks.length) fail(at('chunk'), `expected a chunk index below ${chunks.length}, found ${d.chunk}`);
    if (!chunks[d.chunk].layers.includes(i)) fail(at('chunk'), `expected chunk ${d.chunk} to list layer ${i} among its layers`);
    // as for the network (core/network-check.ts): only a pool's window may span its map
    const { macKernel, macStride } = NETWORK_LIMITS;
    if (d.op !== 'pool' && d.kernel > macKernel)
      fail(at('kernel'), `expected a ${d.op} kernel of at most ${macKernel} (trips-hw's limit), found ${d.kernel}`);
    if (d.op !== 'pool' && d.stride > macStride)
      fail(at('stride'), `expected a ${d.op} stride of at most ${macStride} (trips-hw's limit), found ${d.stride}`);
    const shape = shapeMismatch(d);
    if (shape) fail(at(shape.field), `expected ${shape.expected} (the ${d.op}'s shape), found ${shape.found}`);
    for (const field of d.op === 'add' ? (['inAddr', 'in2Addr'] as const) : (['inAddr'] as const)) {
      if (d[field] !== program.input.address && !starts.has(d[field]))
        fail(at(field), `expected the address of the input or of a tensor, found ${d[field]}`);
      inside(at(field), d[field], d.inH * d.inW * d.inC);
    }
    const words = d.outH * d.outW * d.outC;
    if (d.rawOut === 1) {
      if (d.op !== 'fc' || i !== layers.length - 1) fail(at('rawOut'), 'expected 0: only a final fc writes raw logits');
      if (d.outC !== program.classes) fail(at('outC'), `expected ${program.classes} (the classes), found ${d.outC}`);
    } else {
      const t = byName.get(d.name);
      if (!t) fail(at('name'), `expected a tensor named "${d.name}" in /tensors (the layer's output)`);
      else if (t.address !== d.outAddr || t.words !== words)
        fail(at('outAddr'), `expected the tensor "${d.name}" (${t.words} words from ${t.address}), found ${words} words from ${d.outAddr}`);
    }
    const chunk = chunks[d.chunk];
    if (d.weightOffset + weightCount(d) > chunk.weights.length)
      fail(
        at('weightOffset'),
        `expected ${weightCount(d)} weight codes from ${d.weightOffset} inside chunk ${d.chunk}'s ${chunk.weights.length}`,
      );
    if (d.requantOffset + requantCount(d) > chunk.multiplier.length)
      fail(
        at('requantOffset'),
        `expected ${requantCount(d)} requantisation entries from ${d.requantOffset} inside chunk ${d.chunk}'s ${chunk.multiplier.length}`,
      );
    if (d.permOffset >= 0 && d.permOffset + d.outC > chunk.perm.length)
      fail(at('permOffset'), `expected ${d.outC} permutation entries from ${d.permOffset} inside chunk ${d.chunk}'s ${chunk.perm.length}`);
  });
  if (program.scores !== (layers[layers.length - 1].rawOut === 1 ? 'logits' : 'codes'))
    fail('/scores', `expected "${layers[layers.length - 1].rawOut === 1 ? 'logits' : 'codes'}" (the last layer's output)`);
  chunks.forEach((c, i) => {
    const at = (field: string) => `/chunks/${i}/${field}`;
    if (c.index !== i) fail(at('index'), `expected ${i} (its position), found ${c.index}`);
    c.layers.forEach((l, j) => {
      if (l >= layers.length || layers[l].chunk !== i)
        fail(`${at('layers')}/${j}`, `expected the index of a layer of chunk ${i}, found ${l}`);
    });
    for (const field of ['bias', 'shift'] as const) {
      if (c[field].length !== c.multiplier.length)
        fail(at(field), `expected ${c.multiplier.length} entries (one per multiplier), found ${c[field].length}`);
    }
  });
}

/** golden.json against its program: the same design, every tensor's codes for every image. */
function checkGolden(golden: GoldenVectors, program: ProgramSpec, file: string): void {
  const fail = (pointer: string, expectation: string): never => {
    throw new InputError(file, pointer, expectation);
  };
  if (golden.designHash !== program.designHash) fail('/designHash', `expected ${program.designHash} (program.json's design)`);
  if (golden.modelHash !== program.modelHash) fail('/modelHash', `expected ${program.modelHash} (program.json's integer model)`);
  const rows = (pointer: string, value: readonly (readonly number[])[] | undefined, words: number) => {
    if (value === undefined) fail(pointer, `expected the codes of ${golden.images} image(s) of ${words} words`);
    else if (value.length !== golden.images) fail(pointer, `expected ${golden.images} image(s) (/images), found ${value.length}`);
    else value.forEach((row, i) => row.length !== words && fail(`${pointer}/${i}`, `expected ${words} words, found ${row.length}`));
  };
  rows('/input', golden.input, program.input.words);
  const own = (name: string) => (Object.hasOwn(golden.layers, name) ? golden.layers[name] : undefined);
  for (const t of program.tensors) rows(`/layers/${t.name.replace(/~/g, '~0').replace(/\//g, '~1')}`, own(t.name), t.words);
  const last = program.layers[program.layers.length - 1];
  rows('/scores', golden.scores, last.rawOut === 1 ? program.classes : last.outH * last.outW * last.outC);
  rows('/hashes', golden.hashes, program.tensors.length);
}

/**
 * A project file against the manifest that `generate` wrote with it: the file must be there and
 * hold the bytes whose sha256 the manifest records — so files edited, or left from another
 * generation, are named before anything reads them.
 */
export function checkAgainstManifest(dir: string, manifest: ProjectManifest, path: string, what: string): void {
  const file = join(dir, path);
  if (!existsSync(file)) throw new InputError(file, '', 'file not found: run `trips-hw generate` for this project first');
  const entry = manifest.files.find((f) => f.path === path);
  if (!entry) throw new InputError(join(dir, MANIFEST_FILE), '/files', `expected an entry for ${path} (the project's ${what})`);
  const sha256 = createHash('sha256').update(readBinaryFile(file, what)).digest('hex');
  if (sha256 !== entry.sha256)
    throw new InputError(
      file,
      '',
      `expected the ${what} that generate wrote (sha256 ${entry.sha256.slice(0, 16)}… in manifest.json), found sha256 ${sha256.slice(0, 16)}…: the file is stale or was edited — regenerate the project`,
    );
}

/**
 * A generated project's program and golden vectors, each through its schema, checked against
 * the other and against manifest.json: a file that is not what `generate` wrote is an
 * `InputError` naming it.
 */
export function loadProject(dir: string): { program: ProgramSpec; golden: GoldenVectors; manifest: ProjectManifest } {
  checkInputDir(dir, PROJECT_DIR);
  const programFile = join(dir, PROGRAM_FILE);
  const goldenFile = join(dir, GOLDEN_FILE);
  const manifestFile = join(dir, MANIFEST_FILE);
  for (const f of [programFile, goldenFile, manifestFile])
    if (!existsSync(f)) throw new InputError(f, '', 'file not found: expected a project written by `trips-hw generate`');
  const program = loadArtifact<ProgramSpec>('program', programFile);
  checkProgram(program, programFile);
  const golden = loadArtifact<GoldenVectors>('golden', goldenFile);
  checkGolden(golden, program, goldenFile);
  const manifest = loadArtifact<ProjectManifest>('manifest', manifestFile);
  if (manifest.designHash !== program.designHash)
    throw new InputError(manifestFile, '/designHash', `expected ${program.designHash} (program.json's design)`);
  if (manifest.modelHash !== program.modelHash)
    throw new InputError(manifestFile, '/modelHash', `expected ${program.modelHash} (program.json's integer model)`);
  checkAgainstManifest(dir, manifest, PROGRAM_FILE, 'layer program (JSON)');
  checkAgainstManifest(dir, manifest, GOLDEN_FILE, 'golden vectors (JSON)');
  return { program, golden, manifest };
}

/**
 * The chunk as OUT/rtl/ holds it: lowered from program.json, once the rendered engine
 * parameters and program image are checked to be the files generate wrote with it.
 */
export function loadRtlChunk(dir: string, program: ProgramSpec, manifest: ProjectManifest, index: number): RtlChunk {
  const chunk = program.chunks[index];
  checkAgainstManifest(dir, manifest, `rtl/${chunk.ident}_params.vh`, 'engine parameters (Verilog header)');
  checkAgainstManifest(dir, manifest, `rtl/${chunk.ident}_program.mem`, 'program image (hex words)');
  return lowerChunk(program, chunk);
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
  const { program, golden, manifest } = loadProject(projectDir);
  const selected = selectLayers(program, options.layers);
  const image = options.image ?? 0;
  const dram = dramOf(program, options.dram);
  if (image < 0 || image >= golden.images) throw new UsageError(`image ${image}: the golden vectors hold ${golden.images} image(s)`);
  const chunks = program.chunks.filter((c) => c.layers.some((i) => selected.has(i)));
  const rtls = chunks.map((chunk) => {
    const full = loadRtlChunk(projectDir, program, manifest, chunk.index);
    const keep = full.layers.map((l, i) => (selected.has(l.index) ? i : -1)).filter((i) => i >= 0);
    return { ...full, layers: keep.map((i) => full.layers[i]), program: programSubset(full.program, keep) };
  });
  const simulator = await verilatorVersion();
  const cacheDir = options.cacheDir ?? defaultCacheDir();
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
    const workDir = join(projectDir, PROJECT_FILES.simWork);
    const engine = await built.get(JSON.stringify(rtl.sizes));
    runs.push(await runChunk({ program, golden, rtl, image, cacheDir, workDir, simulator, engine, dram }));
    options.onProgress?.({ chunk: rtl.id, phase: 'done', index: n + 1, total: rtls.length });
  }
  const records = runs.flatMap((r) => r.records).sort((a, b) => a.index - b.index);
  const recordsFile = join(projectDir, PROJECT_FILES.simRecords);
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
