/**
 * The per-chunk option lists every accelerator search draws from — DAS, random and exhaustive
 * alike. Options are encoded as numbers in packed-parameter order (parallel: 0 mn / 1 mp;
 * loopOrder: 0 os / 1 ws). Two rules keep the space honest and small:
 *  - PE unroll options are constrained to ≤ the buffer tile they unroll (peM ≤ tileM;
 *    peN ≤ tileN under `mn`, ≤ tileC under `mp`); a sampler masks the rest.
 *  - A tile (or PE) option larger than every layer of the chunk behaves exactly like the
 *    smallest option that already covers them, so only that one is kept. Depthwise chunks have
 *    no input-channel reduction: their tileN is 1.
 *  - PE unroll 1 is always an option, so every tile choice has at least one valid unroll and a
 *    sampler never reaches a dead end.
 */
import { PARAM_SIZE } from './cost-model.js';
import type { ChunkExtents } from './resources.js';
import type { CostProblem } from './problem.js';
import type { ChunkParamName, DesignSpaceSpec } from './types.js';
import { CHUNK_PARAM_NAMES } from './types.js';

export const DEFAULT_DESIGN_SPACE: DesignSpaceSpec = {
  parallel: ['mn', 'mp'],
  loopOrder: ['os', 'ws'],
  tileM: [4, 8, 16, 32, 64, 128],
  tileN: [4, 8, 16, 32, 64],
  tileR: [1, 2, 4, 7, 8, 14, 16, 28, 32],
  tileC: [1, 2, 4, 7, 8, 14, 16, 28, 32],
  pe: [1, 2, 4, 8, 16, 32, 64],
  portBits: [32, 64, 128, 256],
};

export const I_PARALLEL = 0;
export const I_ORDER = 1;
export const I_TM = 2;
export const I_TN = 3;
export const I_TR = 4;
export const I_TC = 5;
export const I_PEM = 6;
export const I_PEN = 7;
export const I_PORT = 8;

/** Option values of every parameter of every chunk, flattened: [chunk][param] → values. */
export interface ChunkOptionSpace {
  readonly chunks: number;
  readonly values: readonly (readonly number[])[];
}

/** Keep options below `extent` and the first one at or above it. */
function coverExtent(options: readonly number[], extent: number): number[] {
  const sorted = [...new Set(options)].sort((a, b) => a - b);
  const kept = sorted.filter((v) => v < extent);
  const cover = sorted.find((v) => v >= extent);
  if (cover !== undefined) kept.push(cover);
  return kept.length > 0 ? kept : [sorted[0]];
}

export function chunkOptions(space: DesignSpaceSpec, ext: ChunkExtents): number[][] {
  const peMax = Math.max(ext.maxM, ext.dw ? 1 : ext.maxN, ext.maxC);
  return [
    space.parallel.map((m) => (m === 'mn' ? 0 : 1)),
    space.loopOrder.map((o) => (o === 'os' ? 0 : 1)),
    coverExtent(space.tileM, ext.maxM),
    ext.dw ? [1] : coverExtent(space.tileN, ext.maxN),
    coverExtent(space.tileR, ext.maxR),
    coverExtent(space.tileC, ext.maxC),
    coverExtent([1, ...space.pe], ext.maxM),
    coverExtent([1, ...space.pe], peMax),
    [...new Set(space.portBits)].sort((a, b) => a - b),
  ];
}

export function buildOptionSpace(problem: CostProblem, space: DesignSpaceSpec): ChunkOptionSpace {
  const values: number[][] = [];
  for (const ext of problem.extents) values.push(...chunkOptions(space, ext));
  return { chunks: problem.extents.length, values };
}

/** The limit the peN option of a chunk must respect, given its chosen parallel mode and tiles. */
export function peNLimit(params: Float64Array, po: number): number {
  return params[po] === 0 ? params[po + I_TN] : params[po + I_TC];
}

/** Every valid parameter row of one chunk (PE ≤ tile), in odometer order. */
export function enumerateChunk(values: readonly (readonly number[])[]): Float64Array[] {
  const rows: Float64Array[] = [];
  const row = new Float64Array(PARAM_SIZE);
  const walk = (j: number): void => {
    if (j === PARAM_SIZE) {
      rows.push(row.slice());
      return;
    }
    for (const v of values[j]) {
      if (j === I_PEM && v > row[I_TM]) continue;
      if (j === I_PEN && v > peNLimit(row, 0)) continue;
      row[j] = v;
      walk(j + 1);
    }
  };
  walk(0);
  return rows;
}

/** Valid parameter rows of one chunk, counted without enumerating them. */
export function countChunk(values: readonly (readonly number[])[]): number {
  const atMost = (options: readonly number[], limit: number) => options.filter((v) => v <= limit).length;
  let rows = 0;
  for (const parallel of values[I_PARALLEL]) {
    for (const tM of values[I_TM]) {
      const peM = atMost(values[I_PEM], tM);
      const nTiles = parallel === 0 ? values[I_TN] : values[I_TC];
      const other = parallel === 0 ? values[I_TC].length : values[I_TN].length;
      for (const limit of nTiles) rows += peM * atMost(values[I_PEN], limit) * other;
    }
  }
  return rows * values[I_ORDER].length * values[I_TR].length * values[I_PORT].length;
}

/** Number of valid designs: the product of every chunk's valid rows. */
export function countDesigns(options: ChunkOptionSpace): number {
  let total = 1;
  for (let c = 0; c < options.chunks; c++) {
    total *= countChunk(options.values.slice(c * PARAM_SIZE, (c + 1) * PARAM_SIZE));
  }
  return total;
}

export function paramName(j: number): ChunkParamName {
  return CHUNK_PARAM_NAMES[j];
}
