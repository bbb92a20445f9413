/**
 * The one way trips-hw touches the file system at its edges. Every file a user gives (or a run
 * folder holds) is read here: a missing file, a directory where a file was expected, an
 * unreadable or malformed file is a one-line `InputError` naming it (exit 2), never a Node
 * message. Every output is written atomically, and output paths are checked before work starts.
 */
import { accessSync, constants, mkdirSync, readFileSync, realpathSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { InputError, UsageError } from './diagnostics.js';

/**
 * Write a file so that readers see either the old content or the new, never half of it:
 * write a sibling temporary file, then rename it over the target (atomic on POSIX).
 */
export function writeFileAtomic(file: string, content: string | Uint8Array): void {
  const dir = dirname(file);
  mkdirSync(dir, { recursive: true });
  const tmp = join(dir, `.${basename(file)}.${process.pid}.tmp`);
  try {
    writeFileSync(tmp, content);
    renameSync(tmp, file);
  } catch (error) {
    rmSync(tmp, { force: true });
    throw error;
  }
}

export function writeJsonAtomic(file: string, value: unknown): void {
  writeFileAtomic(file, `${JSON.stringify(value, null, 2)}\n`);
}

/** Files larger than this are refused before they are read (no artifact trips-hw writes comes near it). */
const MAX_INPUT_BYTES = 1 << 30;

function errnoText(error: unknown, noun: 'file' | 'folder' = 'file'): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return `${noun} not found`;
  if (code === 'ENOTDIR') return `${noun} not found (a part of its path is a file, not a folder)`;
  if (code === 'EACCES' || code === 'EPERM') return `cannot read ${noun} (permission denied)`;
  return `cannot read ${noun} (${code ?? 'error'})`;
}

/** The bytes of a file; missing, a directory, too large or unreadable → `InputError`. */
export function readBinaryFile(file: string, what = 'a file'): Buffer {
  try {
    const stat = statSync(file);
    if (stat.isDirectory()) throw new InputError(file, '', `expected ${what}, found a directory`);
    if (!stat.isFile()) throw new InputError(file, '', `expected ${what}, found something that is not a regular file`);
    if (stat.size > MAX_INPUT_BYTES)
      throw new InputError(file, '', `expected ${what} of at most ${MAX_INPUT_BYTES} bytes, found ${stat.size}`);
    return readFileSync(file);
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError(file, '', `${errnoText(error)} (expected ${what})`);
  }
}

/** A text file as UTF-8; the same failures as `readBinaryFile`. */
export function readTextFile(file: string, what = 'a text file'): string {
  return readBinaryFile(file, what).toString('utf8');
}

/** Read and parse a JSON file; every failure is a one-line `InputError` naming the file. */
export function readJsonFile(file: string): unknown {
  const text = readTextFile(file, 'a JSON file');
  if (text.trim() === '') throw new InputError(file, '', 'expected a JSON document, the file is empty');
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new InputError(file, '', `not valid JSON (${(error as Error).message.split('\n')[0]})`);
  }
}

/** One parsed line of a JSON-lines file, with its 1-based line number. */
export interface JsonLine {
  readonly line: number;
  /** The line as written (a content hash of a record is taken over it). */
  readonly text: string;
  readonly value: unknown;
}

/** A JSON-lines file: one JSON value per non-blank line; a bad line is an `InputError` naming it. */
export function readJsonLinesFile(file: string, what = 'a JSON-lines file'): JsonLine[] {
  const lines = readTextFile(file, what).split(/\r?\n/);
  const out: JsonLine[] = [];
  lines.forEach((text, i) => {
    if (text.trim() === '') return;
    try {
      out.push({ line: i + 1, text, value: JSON.parse(text) as unknown });
    } catch (error) {
      throw new InputError(file, `line ${i + 1}`, `expected one JSON value per line (${(error as Error).message.split('\n')[0]})`);
    }
  });
  return out;
}

/** True when `path` names an existing regular file (a directory or nothing is false). */
export function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** A folder the user named as input: it must exist and be a folder. */
export function checkInputDir(dir: string, what = 'a folder'): void {
  try {
    if (!statSync(dir).isDirectory()) throw new InputError(dir, '', `expected ${what}, found a file`);
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError(dir, '', `${errnoText(error, 'folder')} (expected ${what})`);
  }
}

/**
 * `rel`, a path written inside an artifact (a weights shard, a project file), resolved against
 * `dir`; a path that is absolute or leaves `dir` (by `..` or through a symbolic link) is refused.
 */
export function resolveInside(dir: string, rel: unknown, file: string, pointer: string): string {
  if (typeof rel !== 'string' || rel === '' || rel.includes('\0')) throw new InputError(file, pointer, 'expected a relative file name');
  if (isAbsolute(rel) || /^[A-Za-z]:[\\/]/.test(rel))
    throw new InputError(file, pointer, `expected a path inside ${dir}, found the absolute path "${rel.slice(0, 80)}"`);
  const root = resolve(dir);
  const target = resolve(root, rel);
  const escapes = (from: string, to: string) => {
    const r = relative(from, to);
    return r === '' || r === '..' || r.startsWith(`..${sep}`) || isAbsolute(r);
  };
  if (escapes(root, target))
    throw new InputError(file, pointer, `expected a path inside ${dir}, found "${rel.slice(0, 80)}", which leaves it`);
  let real: string | undefined;
  try {
    real = realpathSync(target);
  } catch {
    // absent: the reader reports it by name
  }
  if (real !== undefined && escapes(realpathSync(root), real))
    throw new InputError(file, pointer, `expected a path inside ${dir}, found "${rel.slice(0, 80)}", a link that leaves it`);
  return target;
}

/** The nearest existing ancestor of `path` (itself when it exists). */
function nearestExisting(path: string): { path: string; isDir: boolean } {
  let p = resolve(path);
  for (;;) {
    try {
      // statSync follows links: a link to a folder is a folder, a dangling one is absent
      return { path: p, isDir: statSync(p).isDirectory() };
    } catch {
      const up = dirname(p);
      if (up === p) return { path: p, isDir: true };
      p = up;
    }
  }
}

/** `folder` exists as a writable folder, or can be made: its nearest existing ancestor is one. */
function checkCreatable(folder: string, flag: string, named: string): void {
  const found = nearestExisting(folder);
  if (!found.isDir) throw new UsageError(`${flag} ${named}: cannot be created, ${found.path} is a file, not a folder`);
  try {
    accessSync(found.path, constants.W_OK);
  } catch {
    throw new UsageError(`${flag} ${named}: cannot be created, ${found.path} is not writable`);
  }
}

/**
 * An output folder (`--out DIR`), checked before any work: it is a folder or can be created —
 * not a file, not under a file, not in a folder we may not write.
 */
export function checkOutputDir(dir: string, flag = '--out'): void {
  if (dir.trim() === '') throw new UsageError(`${flag}: expected a folder path, found an empty string`);
  const found = nearestExisting(dir);
  if (found.path === resolve(dir) && !found.isDir) throw new UsageError(`${flag} ${dir}: expected a folder, found a file`);
  checkCreatable(dir, flag, dir);
}

/** An output file (`--out FILE`), checked before any work: not a folder, its folder creatable. */
export function checkOutputFile(file: string, flag = '--out'): void {
  if (file.trim() === '') throw new UsageError(`${flag}: expected a file path, found an empty string`);
  let stat: ReturnType<typeof statSync> | undefined;
  try {
    stat = statSync(file);
  } catch {
    // absent: it is created
  }
  if (stat?.isDirectory()) throw new UsageError(`${flag} ${file}: expected a file path, found a folder`);
  checkCreatable(dirname(resolve(file)), flag, file);
  if (stat && !stat.isFile()) throw new UsageError(`${flag} ${file}: expected a regular file`);
}

/**
 * Write a generated tree into `dir` so that no reader sees it half-written: every file goes to a
 * staging folder first, then each top-level entry (`hls/`, `manifest.json`, …) replaces its old
 * version by one rename. Entries of `dir` the tree does not name are left alone.
 */
export function writeTreeAtomic(dir: string, files: readonly { path: string; content: string | Uint8Array }[]): void {
  // the first folder this call creates: removed again when the write fails, so no empty run folder stays
  const created = mkdirSync(dir, { recursive: true });
  const staging = join(dir, `.staging-${process.pid}`);
  rmSync(staging, { recursive: true, force: true });
  let done = false;
  try {
    for (const file of files) {
      const target = join(staging, file.path);
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, file.content);
    }
    const tops = [...new Set(files.map((f) => f.path.split('/')[0]))];
    for (const top of tops) {
      const old = join(dir, `.old-${process.pid}-${top}`);
      rmSync(old, { recursive: true, force: true });
      let moved = false;
      try {
        renameSync(join(dir, top), old);
        moved = true;
      } catch {
        // nothing there yet
      }
      renameSync(join(staging, top), join(dir, top));
      if (moved) rmSync(old, { recursive: true, force: true });
    }
    done = true;
  } finally {
    rmSync(staging, { recursive: true, force: true });
    if (!done && created !== undefined) rmSync(created, { recursive: true, force: true });
  }
}
