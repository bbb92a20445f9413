import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

export function makeTempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `trips-data-${prefix}-`));
}

/** The bytes of an IDX file: magic, big-endian dimensions, then the data. */
export function idxBytes(magic: number, dims: readonly number[], data: ArrayLike<number>): Uint8Array {
  const bytes = new Uint8Array(4 + 4 * dims.length + data.length);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, magic, false);
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  bytes.set(Array.from(data), 4 + 4 * dims.length);
  return bytes;
}

export function writeIdxGz(file: string, magic: number, dims: readonly number[], data: ArrayLike<number>): void {
  writeFileSync(file, gzipSync(idxBytes(magic, dims, data)));
}

/** A CIFAR-10 binary record: label, then the red, green and blue 32×32 planes. */
export function cifarRecord(label: number, pixel: (c: number, y: number, x: number) => number): Uint8Array {
  const record = new Uint8Array(3073);
  record[0] = label;
  for (let c = 0; c < 3; c++) {
    for (let y = 0; y < 32; y++) for (let x = 0; x < 32; x++) record[1 + c * 1024 + y * 32 + x] = pixel(c, y, x);
  }
  return record;
}
