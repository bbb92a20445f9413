/**
 * synthesizeProject — a generated project (read and checked as `sim` reads it: program.json,
 * golden.json and manifest.json through their schemas and against each other, each chunk's
 * rtl/ parameters against the manifest's sha256) → every chosen chunk's engine synthesised by
 * Yosys `synth_xilinx` with the chunk's sizes (cached), and OUT/synth/records.jsonl written
 * atomically: per chunk what synthesis mapped next to what the resource model charged.
 */
import { join } from 'node:path';
import { yosysFamilyOf, type YosysFamily } from '../backend/rtl/synth.js';
import type { ProgramSpec } from '../backend/types.js';
import { InputError, UsageError } from '../core/diagnostics.js';
import { writeFileAtomic } from '../core/files.js';
import { PROJECT_FILES } from '../core/run-layout.js';
import { loadProject, loadRtlChunk } from '../sim/project.js';
import { defaultSynthCacheDir, engineJob, synthesize } from './engine.js';
import { checkSynthRecord, makeSynthRecord, type SynthRecord } from './records.js';
import { type YosysBackend, yosysVersion } from './yosys.js';

export interface SynthProjectOptions {
  /** Synthesise only these chunks (by id); default every chunk. */
  readonly chunks?: readonly string[];
  /** Default: the family of the board's part (manifest.json). */
  readonly family?: YosysFamily;
  /** Default `npm` (@yowasp/yosys). */
  readonly backend?: YosysBackend;
  /** Default ~/.cache/trips-hw/yosys (XDG_CACHE_HOME honoured). */
  readonly cacheDir?: string;
  readonly onProgress?: (event: {
    readonly chunk: string;
    readonly phase: 'synth' | 'done';
    readonly index: number;
    readonly total: number;
  }) => void;
}

export interface SynthResult {
  readonly version: 1;
  readonly designHash: string;
  readonly family: YosysFamily;
  readonly tool: SynthRecord['tool'];
  /** One record per synthesised chunk, in design order (what records.jsonl holds). */
  readonly chunks: readonly SynthRecord[];
  /** Chunks whose measured DSP48 / BRAM18 equal the model's. */
  readonly matches: { readonly dsp: number; readonly bram18: number; readonly of: number };
  readonly records: string;
}

function selectChunks(program: ProgramSpec, ids: readonly string[] | undefined): ProgramSpec['chunks'] {
  if (!ids || ids.length === 0) return program.chunks;
  const wanted = new Set(
    ids.map((id) => {
      const chunk = program.chunks.find((c) => c.id === id);
      if (!chunk)
        throw new UsageError(`--chunks: no chunk "${id}" in ${program.name} (its chunks: ${program.chunks.map((c) => c.id).join(', ')})`);
      return chunk.index;
    }),
  );
  return program.chunks.filter((c) => wanted.has(c.index));
}

/** The family asked for, or the one of the board's part; a part trips-hw knows no family of needs --family. */
function familyOf(part: string, manifestFile: string, given: YosysFamily | undefined): YosysFamily {
  if (given) return given;
  const family = yosysFamilyOf(part);
  if (!family)
    throw new InputError(
      manifestFile,
      '/board/part',
      `expected a 7-series or UltraScale+ part (the Yosys family follows from it), found "${part}": name the family with --family xc7|xcup`,
    );
  return family;
}

export async function synthesizeProject(projectDir: string, options: SynthProjectOptions = {}): Promise<SynthResult> {
  const { program, manifest } = loadProject(projectDir);
  const chosen = selectChunks(program, options.chunks);
  const rtls = chosen.map((c) => loadRtlChunk(projectDir, program, manifest, c.index));
  const family = familyOf(manifest.board.part, join(projectDir, PROJECT_FILES.manifest), options.family);
  const backend = options.backend ?? 'npm';
  const version = await yosysVersion(backend);
  const cacheDir = options.cacheDir ?? defaultSynthCacheDir();
  const records: SynthRecord[] = [];
  const file = join(projectDir, PROJECT_FILES.synthRecords);
  for (const [n, rtl] of rtls.entries()) {
    options.onProgress?.({ chunk: rtl.id, phase: 'synth', index: n, total: rtls.length });
    const outcome = await synthesize(engineJob(rtl.sizes, family), { backend, version, cacheDir });
    const record = makeSynthRecord(program, chosen[n], rtl.sizes, outcome, { family, backend, version });
    records.push(checkSynthRecord(record, file));
    options.onProgress?.({ chunk: rtl.id, phase: 'done', index: n + 1, total: rtls.length });
  }
  writeFileAtomic(file, records.map((r) => `${JSON.stringify(r)}\n`).join(''));
  return {
    version: 1,
    designHash: program.designHash,
    family,
    tool: { name: 'yosys', backend, version },
    chunks: records,
    matches: {
      dsp: records.filter((r) => r.measured.dsp48 === r.model.dsp).length,
      bram18: records.filter((r) => r.measured.bram18 === r.model.bram18).length,
      of: records.length,
    },
    records: file,
  };
}
