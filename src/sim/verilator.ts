/**
 * Verilator: find it, and build one chunk engine plus the C++ harness into an executable,
 * cached by a hash of everything that goes into the build (Verilator version, the engine's
 * compile-time sizes, the RTL and harness sources, the flags), so an unchanged chunk is
 * never rebuilt — across projects too, since the runtime configuration lives in the program.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { PACKAGE_ROOT } from '../core/paths.js';
import { ENGINE_INCLUDES, ENGINE_SOURCES, RTL_SIZE_NAMES, SYSTEM_SOURCES, type RtlSizes } from '../backend/rtl/lower.js';

const RTL_DIR = join(PACKAGE_ROOT, 'hw', 'rtl');
const HARNESS = join(PACKAGE_ROOT, 'hw', 'sim', 'harness.cpp');
const SYSTEM_HARNESS = join(PACKAGE_ROOT, 'hw', 'sim', 'system.cpp');
// what both harnesses include
const HARNESS_HEADERS = ['lane_dram.h', 'port_bits.h'].map((f) => join(PACKAGE_ROOT, 'hw', 'sim', f));
const TOP = 'trips_chunk';
const MAKE_FLAGS = 'OPT_FAST=-O1 OPT_SLOW=-O0 OPT_GLOBAL=-O1';
// the system runs many images: a longer build (about 1.5×) for a faster simulation (about 1.5×)
const SYSTEM_MAKE_FLAGS = 'OPT_FAST=-O3 OPT_SLOW=-O0 OPT_GLOBAL=-O3';

/** Verilator is not installed (or not on PATH): the message says how to install it. */
class VerilatorMissingError extends Error {
  constructor() {
    super('verilator not found on PATH: install it (Debian/Ubuntu: apt-get install verilator; version 5.006 or later)');
    this.name = 'VerilatorMissingError';
  }
}

/** `Verilator 5.006 2023-01-22 rev …` → the version line; throws VerilatorMissingError. */
export async function verilatorVersion(): Promise<string> {
  try {
    const { stdout } = await execa('verilator', ['--version']);
    return stdout.trim();
  } catch {
    throw new VerilatorMissingError();
  }
}

/** Default cache: $XDG_CACHE_HOME/trips-hw/verilator or ~/.cache/trips-hw/verilator. */
export function defaultCacheDir(): string {
  const base = process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache');
  return join(base, 'trips-hw', 'verilator');
}

/** The -G flags that set trips_chunk's parameters. */
function parameterFlags(sizes: RtlSizes): string[] {
  return RTL_SIZE_NAMES.map((name) => `-G${name}=${sizes[name]}`);
}

function commonArgs(objDir: string, top: string, executable: string, makeFlags = MAKE_FLAGS): string[] {
  return [
    '--cc',
    '--exe',
    '--build',
    '-j',
    '2',
    '-Wno-fatal',
    ...(process.env.TRIPS_TRACE ? ['+define+TRIPS_TRACE'] : []),
    '--x-assign',
    'fast',
    '--x-initial',
    'fast',
    '--top-module',
    top,
    `-I${RTL_DIR}`,
    '-Mdir',
    objDir,
    '-o',
    executable,
    '-MAKEFLAGS',
    makeFlags,
  ];
}

function verilatorArgs(sizes: RtlSizes, objDir: string): string[] {
  return [...commonArgs(objDir, TOP, 'harness'), ...parameterFlags(sizes), ...ENGINE_SOURCES.map((f) => join(RTL_DIR, f)), HARNESS];
}

/** sha256 of what measures: the engine's sources and the harness (hex). */
export function engineSourceHash(): string {
  const hash = createHash('sha256');
  for (const f of [...ENGINE_SOURCES, ...ENGINE_INCLUDES]) hash.update(readFileSync(join(RTL_DIR, f)));
  hash.update(readFileSync(HARNESS));
  for (const f of HARNESS_HEADERS) hash.update(readFileSync(f));
  return hash.digest('hex');
}

/** sha256 over the Verilator version, the sizes, the sources and the flags. */
function buildHash(version: string, sizes: RtlSizes): string {
  const hash = createHash('sha256');
  hash.update(version);
  hash.update(JSON.stringify(RTL_SIZE_NAMES.map((n) => sizes[n])));
  hash.update(MAKE_FLAGS);
  // a TRIPS_TRACE build (docs/rtl.md §5) is a different executable
  if (process.env.TRIPS_TRACE) hash.update('+define+TRIPS_TRACE');
  hash.update(engineSourceHash());
  return hash.digest('hex').slice(0, 24);
}

export interface BuiltEngine {
  readonly hash: string;
  readonly executable: string;
  /** True when this call ran Verilator (false: found in the cache). */
  readonly built: boolean;
  readonly seconds: number;
}

/**
 * Build (or find in `cacheDir`) the harness of an engine with these sizes. Builds go to a
 * private folder renamed into place, so concurrent builds of the same hash never see a
 * half-written executable.
 */
export async function buildEngine(sizes: RtlSizes, cacheDir = defaultCacheDir(), version?: string): Promise<BuiltEngine> {
  const ver = version ?? (await verilatorVersion());
  return buildCached(buildHash(ver, sizes), cacheDir, 'harness', (objDir) => verilatorArgs(sizes, objDir));
}

/** `verilator --build` of `args(objDir)` into cacheDir/<hash>/<executable>, unless it is there. */
async function buildCached(
  hash: string,
  cacheDir: string,
  executableName: string,
  args: (objDir: string) => string[],
): Promise<BuiltEngine> {
  const dir = join(cacheDir, hash);
  const executable = join(dir, executableName);
  if (existsSync(executable)) return { hash, executable, built: false, seconds: 0 };
  mkdirSync(cacheDir, { recursive: true });
  const tmp = join(cacheDir, `${hash}.tmp-${process.pid}-${Date.now()}`);
  const t0 = performance.now();
  try {
    await execa('verilator', args(tmp), { all: true });
  } catch (error) {
    rmSync(tmp, { recursive: true, force: true });
    const all = (error as { all?: string }).all ?? String(error);
    throw new Error(`verilator build ${hash} failed: ${all.split('\n').find((l) => /error/i.test(l)) ?? all.split('\n')[0]}`);
  }
  for (const f of readdirSync(tmp)) if (f.endsWith('.o') || f.endsWith('.a') || f.endsWith('.d')) rmSync(join(tmp, f), { force: true });
  try {
    renameSync(tmp, dir);
  } catch {
    // another process finished the same build first: use theirs
    rmSync(tmp, { recursive: true, force: true });
  }
  return { hash, executable, built: true, seconds: (performance.now() - t0) / 1000 };
}

/**
 * Build (or find) the system testbench of a project's trips_accel (hw/sim/system.cpp): the
 * project's rtl/trips_accel.sv and chunk parameter headers with the engine's sources, the
 * programs written by the host (PRELOAD = 0). Cached by everything that goes in.
 */
export async function buildSystem(
  projectRtlDir: string,
  includes: readonly string[],
  cacheDir = defaultCacheDir(),
  version?: string,
): Promise<BuiltEngine> {
  const ver = version ?? (await verilatorVersion());
  const top = join(projectRtlDir, 'trips_accel.sv');
  const hash = createHash('sha256');
  hash.update(ver);
  hash.update(SYSTEM_MAKE_FLAGS);
  if (process.env.TRIPS_TRACE) hash.update('+define+TRIPS_TRACE');
  hash.update(engineSourceHash());
  for (const f of [...SYSTEM_SOURCES.map((n) => join(RTL_DIR, n)), SYSTEM_HARNESS, top, ...includes.map((n) => join(projectRtlDir, n))])
    hash.update(readFileSync(f));
  return buildCached(`system-${hash.digest('hex').slice(0, 24)}`, cacheDir, 'system', (objDir) => [
    ...commonArgs(objDir, 'trips_accel', 'system', SYSTEM_MAKE_FLAGS),
    `-I${projectRtlDir}`,
    '-GPRELOAD=0',
    ...[...ENGINE_SOURCES, ...SYSTEM_SOURCES].map((f) => join(RTL_DIR, f)),
    top,
    SYSTEM_HARNESS,
  ]);
}
