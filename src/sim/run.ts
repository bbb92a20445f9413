/**
 * Run one chunk engine on its program under Verilator: build (cached), write the harness job,
 * run the harness, compare every output word with the golden model and make the sim records.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { HEADER_WORDS, DESCRIPTOR_WORDS, type RtlChunk, type RtlSizes } from '../backend/rtl/lower.js';
import type { GoldenVectors, ProgramSpec } from '../backend/types.js';
import { oneLine } from '../core/diagnostics.js';
import { type JsonLine, readJsonLinesFile } from '../core/files.js';
import { goldenOutput, jobText, type DramBehaviour } from './job.js';
import { makeRecord, type Measured, type SimRecord } from './records.js';
import { buildEngine, type BuiltEngine } from './verilator.js';

export interface ChunkRun {
  readonly chunk: string;
  /** Hash of the Verilator build (the cache folder's name). */
  readonly engine: string;
  readonly built: boolean;
  readonly buildSeconds: number;
  /** Clock cycles the harness simulated and the wall time it took. */
  readonly simCycles: number;
  readonly simSeconds: number;
  /** The layer that ran past its liveness bound, if any. */
  readonly hang?: string;
  readonly records: readonly SimRecord[];
}

interface RunChunkInput {
  readonly program: ProgramSpec;
  readonly golden: GoldenVectors;
  readonly rtl: RtlChunk;
  /** Engine sizes to build; default the chunk's own (any sizes ≥ them run the same program). */
  readonly sizes?: RtlSizes;
  readonly image: number;
  readonly cacheDir: string;
  readonly workDir: string;
  readonly simulator: string;
  /** The engine, when the caller built it already. */
  readonly engine?: BuiltEngine;
  /** The DRAM behind the port (default: answers in the cycle it is asked, never stalls). */
  readonly dram?: DramBehaviour;
}

interface HarnessLine {
  readonly layer?: number;
  readonly start?: number;
  readonly done?: number;
  readonly words?: number[];
  readonly hang?: number;
  readonly finished?: boolean;
  readonly cycles?: number;
  readonly wallSeconds?: number;
}

/**
 * The harness's output: one JSON object per line. The harness is ours and just wrote it, so a
 * file that cannot be read or parsed is an internal failure (exit 1), named with its line.
 */
function readHarnessOutput(file: string, chunk: string): HarnessLine[] {
  let lines: JsonLine[];
  try {
    lines = readJsonLinesFile(file, 'the harness output');
  } catch (error) {
    throw new Error(`internal: the harness of chunk ${chunk} left output that cannot be read: ${oneLine(error)}`);
  }
  return lines.map(({ line, value }) => {
    if (value === null || typeof value !== 'object' || Array.isArray(value))
      throw new Error(`internal: ${file}: line ${line}: the harness of chunk ${chunk} wrote a line that is not a JSON object`);
    return value as HarnessLine;
  });
}

/** The program image restricted to some of its layers (each layer reads golden inputs, so any subset runs). */
export function programSubset(words: readonly number[], keep: readonly number[]): number[] {
  const header = words.slice(0, HEADER_WORDS);
  header[2] = keep.length;
  return [...header, ...keep.flatMap((i) => words.slice(HEADER_WORDS + i * DESCRIPTOR_WORDS, HEADER_WORDS + (i + 1) * DESCRIPTOR_WORDS))];
}

export async function runChunk(input: RunChunkInput): Promise<ChunkRun> {
  const { program, golden, rtl, image } = input;
  const chunk = program.chunks[rtl.index];
  const build = input.engine ?? (await buildEngine(input.sizes ?? rtl.sizes, input.cacheDir, input.simulator));
  mkdirSync(input.workDir, { recursive: true });
  const job = join(input.workDir, `${rtl.ident}.job`);
  const out = join(input.workDir, `${rtl.ident}.out`);
  writeFileSync(job, jobText(program, chunk, rtl, golden, image, input.dram));
  writeFileSync(out, '');
  const result = await execa(build.executable, [job, out], { reject: false, all: true });
  const lines = readHarnessOutput(out, chunk.id);
  const hangIndex = lines.find((l) => l.hang !== undefined)?.hang;
  if (result.exitCode !== 0 && hangIndex === undefined) {
    throw new Error(`harness of chunk ${chunk.id} failed (exit ${result.exitCode}): ${(result.all ?? '').trim().split('\n').pop() ?? ''}`);
  }
  const byLayer = new Map(lines.filter((l) => l.layer !== undefined).map((l) => [l.layer as number, l]));
  const end = lines.find((l) => l.finished);
  const records = rtl.layers.map((layer) => {
    const line = byLayer.get(layer.index);
    const want = goldenOutput(program, golden, layer.index, image);
    let measured: Measured = { cycles: null, startCycle: null, mismatches: want.length, words: want.length };
    if (line?.words && line.start !== undefined && line.done !== undefined) {
      const got = line.words;
      const mismatches = want.reduce((n, v, i) => n + (got[i] === v ? 0 : 1), 0);
      measured = { cycles: line.done - line.start + 1, startCycle: line.start, mismatches, words: want.length };
    }
    return makeRecord(program, chunk, layer, measured, { image, simulator: input.simulator, engine: build.hash });
  });
  return {
    chunk: chunk.id,
    engine: build.hash,
    built: build.built,
    buildSeconds: build.seconds,
    simCycles: end?.cycles ?? 0,
    simSeconds: end?.wallSeconds ?? 0,
    ...(hangIndex === undefined ? {} : { hang: program.layers[hangIndex].name }),
    records,
  };
}
