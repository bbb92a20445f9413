import { mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { InputError } from './diagnostics.js';

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

/** Read and parse a JSON file; every failure is a one-line `InputError` naming the file. */
export function readJsonFile(file: string): unknown {
  let text: string;
  try {
    if (statSync(file).isDirectory()) throw new InputError(file, '', 'expected a JSON file, found a directory');
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if (error instanceof InputError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new InputError(file, '', code === 'ENOENT' ? 'file not found' : `cannot read file (${code ?? 'error'})`);
  }
  if (text.trim() === '') throw new InputError(file, '', 'expected a JSON document, the file is empty');
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new InputError(file, '', `not valid JSON (${(error as Error).message.split('\n')[0]})`);
  }
}

/**
 * Write a generated tree into `dir` so that no reader sees it half-written: every file goes to a
 * staging folder first, then each top-level entry (`hls/`, `manifest.json`, …) replaces its old
 * version by one rename. Entries of `dir` the tree does not name are left alone.
 */
export function writeTreeAtomic(dir: string, files: readonly { path: string; content: string | Uint8Array }[]): void {
  mkdirSync(dir, { recursive: true });
  const staging = join(dir, `.staging-${process.pid}`);
  rmSync(staging, { recursive: true, force: true });
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
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}
