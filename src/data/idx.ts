/**
 * The IDX format of MNIST-style datasets — stage: data. In: a gzip IDX file (or its bytes) and
 * the magic number expected. Out: its dimensions and its unsigned bytes, a view into the
 * decompressed file, not a copy. What stays true: a wrong magic, a short header or a length that
 * disagrees with the dimensions is an `InputError` naming the file.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { InputError } from '../core/diagnostics.js';

/**
 * The IDX format of MNIST-style datasets: a 4-byte magic (0, 0, element type, number of
 * dimensions), one big-endian uint32 per dimension, then the elements row-major. Only unsigned
 * bytes (type 0x08) occur in image datasets, so only they are read.
 */
export const IDX_IMAGES_MAGIC = 2051; // 0x00000803: ubyte, 3 dimensions (count, rows, columns)
export const IDX_LABELS_MAGIC = 2049; // 0x00000801: ubyte, 1 dimension (count)

interface IdxArray {
  readonly dims: readonly number[];
  /** A view into the decompressed file, not a copy. */
  readonly data: Uint8Array;
}

/** Parses an uncompressed IDX file; `file` names it in errors. */
export function parseIdx(bytes: Uint8Array, file: string, expectedMagic: number): IdxArray {
  const fail = (what: string): never => {
    throw new InputError(file, '', `expected an IDX file with magic number ${expectedMagic}, ${what}`);
  };
  if (bytes.length < 4) fail(`got ${bytes.length} bytes`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0, false);
  if (magic !== expectedMagic) fail(`got ${magic}`);
  const rank = bytes[3];
  const headerBytes = 4 + 4 * rank;
  if (bytes.length < headerBytes) fail(`got a header cut short at ${bytes.length} bytes`);
  const dims: number[] = [];
  for (let d = 0; d < rank; d++) dims.push(view.getUint32(4 + 4 * d, false));
  const elements = dims.reduce((a, b) => a * b, 1);
  if (bytes.length - headerBytes !== elements) {
    fail(`dimensions ${dims.join('×')} need ${elements} data bytes, got ${bytes.length - headerBytes}`);
  }
  return { dims, data: bytes.subarray(headerBytes) };
}

/** Reads and parses a gzip-compressed IDX file. */
export function readIdxGz(file: string, expectedMagic: number): IdxArray {
  const compressed = readFileSync(file);
  let bytes: Uint8Array;
  try {
    const buffer = gunzipSync(compressed);
    // A plain Uint8Array view: a Buffer's slice() shares memory, a Uint8Array's copies.
    bytes = new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  } catch (error) {
    throw new InputError(file, '', `expected an IDX file compressed with gzip (${(error as Error).message})`);
  }
  return parseIdx(bytes, file, expectedMagic);
}
