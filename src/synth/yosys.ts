/**
 * Yosys — stage: synth. Two ways to run one script: `npm`, the WebAssembly build of the
 * @yowasp/yosys package inside this process (the files handed over in memory; `npm ci` installs
 * it), and `system`, a `yosys` binary on PATH (the files in a private temporary folder, removed
 * after). In: a script, its input files (paths relative to the working folder → text) and the
 * files it must write. Out: those files and the full log. A run that fails is a `YosysError`
 * whose one-line message ends with the log's first error; a missing binary is a
 * `YosysMissingError` that says how to install one.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Tree } from '@yowasp/yosys';
import { execa } from 'execa';
import { oneLine } from '../core/diagnostics.js';

export const YOSYS_BACKENDS = ['npm', 'system'] as const;
export type YosysBackend = (typeof YOSYS_BACKENDS)[number];

/** The script's and the log's names in the working folder. */
const SCRIPT = 'trips_synth.ys';
const LOG = 'trips_synth.log';
/** `-q`: only warnings and errors on stdout and stderr; `-l`: the full log to a file. */
const ARGS = ['-q', '-l', LOG, '-s', SCRIPT];

/** The system backend found no `yosys` on PATH: the message says how to get one, or to use the bundled build. */
export class YosysMissingError extends Error {
  constructor() {
    super(
      'yosys not found on PATH: install it (Debian/Ubuntu: apt-get install yosys), or use the bundled WebAssembly build (--yosys npm, the default)',
    );
    this.name = 'YosysMissingError';
  }
}

/** A Yosys run that failed: exit code, the full log, and the log's first error in the message. */
export class YosysError extends Error {
  constructor(
    message: string,
    readonly log: string,
  ) {
    super(message);
    this.name = 'YosysError';
  }
}

export interface YosysRun {
  /** The files the script had to write, as text. */
  readonly outputs: Readonly<Record<string, string>>;
  /** The full log (`-l`). */
  readonly log: string;
  readonly seconds: number;
}

/** What a run left behind: its exit code, what it printed (warnings and errors) and the files asked for (undefined: not written). */
interface RawRun {
  readonly code: number;
  readonly output: string;
  readonly files: ReadonlyMap<string, string | undefined>;
}

type Runner = (args: readonly string[], files: Readonly<Record<string, string>>, reads: readonly string[]) => Promise<RawRun>;

/** The tail a failure message carries: from the first `ERROR` line of what it printed (else its last lines), 3 lines at most, on one line. */
export function logTail(output: string, log: string): string {
  const lines = (text: string) =>
    text
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== '');
  const out = lines(output);
  const first = out.findIndex((l) => /ERROR/.test(l));
  const tail = first >= 0 ? out.slice(first, first + 3) : lines(log).slice(-3);
  return tail.join(' | ') || 'no log';
}

// ---------------------------------------------------------------------------------------------
// npm: @yowasp/yosys in this process

function treeOf(files: Readonly<Record<string, string>>): Tree {
  const root: Tree = {};
  for (const [path, content] of Object.entries(files)) {
    const parts = path.split('/');
    let dir = root;
    for (const part of parts.slice(0, -1)) {
      if (dir[part] === undefined) dir[part] = {};
      dir = dir[part] as Tree;
    }
    dir[parts[parts.length - 1]] = content;
  }
  return root;
}

function readTree(tree: Tree | undefined, path: string): string | undefined {
  let node: Tree | string | Uint8Array | undefined = tree;
  for (const part of path.split('/')) {
    if (node === undefined || typeof node === 'string' || node instanceof Uint8Array) return undefined;
    node = node[part];
  }
  if (node === undefined || (typeof node !== 'string' && !(node instanceof Uint8Array))) return undefined;
  return typeof node === 'string' ? node : Buffer.from(node).toString('utf8');
}

/** The package's runner, loaded on first use (it brings a 30 MB WebAssembly module). */
async function yowasp() {
  return (await import('@yowasp/yosys')).runYosys;
}

const runNpm: Runner = async (args, files, reads) => {
  const run = await yowasp();
  const chunks: Buffer[] = [];
  const sink = (bytes: Uint8Array | null) => {
    if (bytes) chunks.push(Buffer.from(bytes));
  };
  let code = 0;
  let tree: Tree | undefined;
  try {
    tree = (await run([...args], treeOf(files), { stdout: sink, stderr: sink })) as Tree | undefined;
  } catch (error) {
    const exit = error as { code?: unknown; files?: Tree };
    if (typeof exit.code !== 'number')
      throw new YosysError(`yosys (npm) stopped: ${oneLine(error)}`, Buffer.concat(chunks).toString('utf8'));
    code = exit.code;
    tree = exit.files;
  }
  return { code, output: Buffer.concat(chunks).toString('utf8'), files: new Map(reads.map((path) => [path, readTree(tree, path)])) };
};

// ---------------------------------------------------------------------------------------------
// system: the yosys binary on PATH

function readIfThere(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

const runSystem: Runner = async (args, files, reads) => {
  const dir = mkdtempSync(join(tmpdir(), 'trips-hw-yosys-'));
  try {
    for (const [path, content] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), content);
    }
    let code = 0;
    let output = '';
    try {
      output = (await execa('yosys', [...args], { cwd: dir, all: true })).all ?? '';
    } catch (error) {
      const e = error as { code?: unknown; exitCode?: number; all?: string };
      if (e.code === 'ENOENT') throw new YosysMissingError();
      code = e.exitCode ?? -1;
      output = e.all ?? oneLine(error);
    }
    return { code, output, files: new Map(reads.map((path) => [path, readIfThere(join(dir, path))])) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};

const RUNNERS: Record<YosysBackend, Runner> = { npm: runNpm, system: runSystem };

/** `Yosys 0.55 (git sha1 …)`: the first line `yosys -V` prints; system without a binary → YosysMissingError. */
export async function yosysVersion(backend: YosysBackend): Promise<string> {
  if (backend === 'system') {
    try {
      return (await execa('yosys', ['-V'])).stdout.trim().split('\n')[0];
    } catch {
      throw new YosysMissingError();
    }
  }
  const run = await yowasp();
  const chunks: Buffer[] = [];
  await run(['-V'], {}, { stdout: (b: Uint8Array | null) => b && chunks.push(Buffer.from(b)) });
  return Buffer.concat(chunks).toString('utf8').trim().split('\n')[0];
}

/**
 * Run `script` with `inputs` in the working folder; every file of `outputs` must be written.
 * Throws YosysError (non-zero exit, or an output missing) and, for `system`, YosysMissingError.
 */
export async function runYosysScript(
  backend: YosysBackend,
  script: string,
  inputs: Readonly<Record<string, string>>,
  outputs: readonly string[],
): Promise<YosysRun> {
  const t0 = performance.now();
  const raw = await RUNNERS[backend](ARGS, { ...inputs, [SCRIPT]: script }, [LOG, ...outputs]);
  const log = raw.files.get(LOG) ?? raw.output;
  if (raw.code !== 0) throw new YosysError(`yosys (${backend}) failed with exit code ${raw.code}: ${logTail(raw.output, log)}`, log);
  const written: Record<string, string> = {};
  for (const name of outputs) {
    const text = raw.files.get(name);
    if (text === undefined) throw new YosysError(`yosys (${backend}) finished without writing ${name}: ${logTail(raw.output, log)}`, log);
    written[name] = text;
  }
  return { outputs: written, log, seconds: (performance.now() - t0) / 1000 };
}
