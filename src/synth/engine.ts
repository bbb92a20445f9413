/**
 * One synthesis, cached — stage: synth. In: a job (the script, its input files, the family and
 * what else the result depends on: an engine's sizes) and the Yosys backend. Out: the measured
 * resources, from Yosys or from the cache: `$XDG_CACHE_HOME/trips-hw/yosys/<hash>/result.json`
 * (or `--cache DIR`), the hash over the backend and the tool's version, the family, the key, every
 * input file and the script — so an unchanged engine is never synthesised twice, across
 * projects too (the program is not an input: the engine's sizes are). Entries are written to a
 * private folder renamed into place, so concurrent runs never read half an entry.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { RTL_SIZE_NAMES, type RtlSizes } from '../backend/rtl/lower.js';
import { synthSourceFiles, type YosysFamily, yosysScript, yosysScriptView } from '../backend/rtl/synth.js';
import { PACKAGE_ROOT } from '../core/paths.js';
import { type MeasuredResources, measureNetlist } from './netlist.js';
import { runYosysScript, type YosysBackend, YosysError, yosysVersion } from './yosys.js';

const RTL_DIR = join(PACKAGE_ROOT, 'hw', 'rtl');
const RESULT = 'result.json';
const LOG = 'yosys.log';
/** The outputs the scripts `trips-hw synth` runs write (generate's name them after the chunk). */
const OUTPUTS = { stat: 'stat.json', ltp: 'ltp.txt' } as const;

/** Default cache: $XDG_CACHE_HOME/trips-hw/yosys or ~/.cache/trips-hw/yosys. */
export function defaultSynthCacheDir(): string {
  const base = process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache');
  return join(base, 'trips-hw', 'yosys');
}

export interface SynthJob {
  readonly family: YosysFamily;
  /** What the result depends on besides the files and the script (an engine: its sizes); JSON. */
  readonly key: unknown;
  /** Input files, by path relative to the working folder. */
  readonly inputs: Readonly<Record<string, string>>;
  readonly script: string;
  /** The files the script writes: the `stat -json` report and the `ltp` report. */
  readonly outputs: { readonly stat: string; readonly ltp: string };
}

export interface SynthOptions {
  readonly backend?: YosysBackend;
  readonly cacheDir?: string;
  /** The backend's version (`yosysVersion`), when the caller has it already. */
  readonly version?: string;
}

export interface SynthOutcome {
  readonly hash: string;
  readonly measured: MeasuredResources;
  /** Yosys's wall time: this run's, or the run's that filled the cache entry. */
  readonly seconds: number;
  /** True when the result came from the cache. */
  readonly cached: boolean;
}

/** The job of the engine with `sizes` on `family`: hw/rtl's sources and includes, trips_chunk with its parameters set. */
export function engineJob(sizes: RtlSizes, family: YosysFamily): SynthJob {
  const inputs = Object.fromEntries(synthSourceFiles().map((f) => [f.path, readFileSync(join(RTL_DIR, f.name), 'utf8')]));
  return {
    family,
    key: RTL_SIZE_NAMES.map((name) => [name, sizes[name]]),
    inputs,
    script: yosysScript(yosysScriptView(sizes, family, OUTPUTS)),
    outputs: OUTPUTS,
  };
}

/**
 * The first warning of a log that says Yosys built something other than the text: a name it
 * declared implicitly (a construct it does not parse as the simulator does, e.g. a member of an
 * element of a packed array of structs) or a wire it found undriven. The netlist of such a run
 * would be counted as if it were the engine, so these end the synthesis.
 */
export function misreadingOf(log: string): string | undefined {
  const line = log.split('\n').find((l) => /is implicitly declared|is used but has no driver/.test(l));
  return line?.trim();
}

/** sha256 (24 hex digits) over everything the result depends on. */
function jobHash(job: SynthJob, backend: YosysBackend, version: string): string {
  const hash = createHash('sha256');
  hash.update(JSON.stringify({ backend, version, family: job.family, key: job.key, outputs: job.outputs }));
  for (const path of Object.keys(job.inputs).sort()) hash.update(`\0${path}\0${job.inputs[path]}`);
  hash.update(`\0script\0${job.script}`);
  return hash.digest('hex').slice(0, 24);
}

interface CacheEntry {
  readonly version: 1;
  readonly backend: YosysBackend;
  readonly tool: string;
  readonly family: YosysFamily;
  readonly key: unknown;
  readonly measured: MeasuredResources;
  readonly seconds: number;
}

/** A cache entry, or undefined when there is none or it cannot be read back (it is then replaced). */
function readEntry(file: string): CacheEntry | undefined {
  if (!existsSync(file)) return undefined;
  try {
    const entry = JSON.parse(readFileSync(file, 'utf8')) as CacheEntry;
    return entry.version === 1 && typeof entry.measured?.lut === 'number' && typeof entry.seconds === 'number' ? entry : undefined;
  } catch {
    return undefined;
  }
}

/** Synthesise `job` (or find it in the cache). Yosys failures are YosysError; a missing system binary YosysMissingError. */
export async function synthesize(job: SynthJob, options: SynthOptions = {}): Promise<SynthOutcome> {
  const backend = options.backend ?? 'npm';
  const version = options.version ?? (await yosysVersion(backend));
  const cacheDir = options.cacheDir ?? defaultSynthCacheDir();
  const hash = jobHash(job, backend, version);
  const dir = join(cacheDir, hash);
  const found = readEntry(join(dir, RESULT));
  if (found) return { hash, measured: found.measured, seconds: found.seconds, cached: true };
  const run = await runYosysScript(backend, job.script, job.inputs, [job.outputs.stat, job.outputs.ltp]);
  const misread = misreadingOf(run.log);
  if (misread) throw new YosysError(`yosys (${backend}) did not read the engine as it is written: ${misread}`, run.log);
  const measured = measureNetlist(run.outputs[job.outputs.stat], run.outputs[job.outputs.ltp]);
  const entry: CacheEntry = { version: 1, backend, tool: version, family: job.family, key: job.key, measured, seconds: run.seconds };
  mkdirSync(cacheDir, { recursive: true });
  const tmp = join(cacheDir, `${hash}.tmp-${process.pid}-${Date.now()}`);
  mkdirSync(tmp);
  writeFileSync(join(tmp, LOG), run.log);
  writeFileSync(join(tmp, RESULT), `${JSON.stringify(entry, null, 2)}\n`);
  // an entry that could not be read back goes; one another process just finished stays (theirs is as good)
  if (existsSync(dir) && !readEntry(join(dir, RESULT))) rmSync(dir, { recursive: true, force: true });
  try {
    renameSync(tmp, dir);
  } catch {
    rmSync(tmp, { recursive: true, force: true });
  }
  return { hash, measured, seconds: run.seconds, cached: false };
}
