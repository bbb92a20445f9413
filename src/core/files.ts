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
