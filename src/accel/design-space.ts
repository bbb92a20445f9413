/**
 * The per-chunk option lists every accelerator search draws from — DAS, random and exhaustive
 * alike. Options are encoded as numbers in packed-parameter order (parallel: 0 mn / 1 mp;
 * loopOrder: 0 os / 1 ws). Two rules keep the space honest and small:
 *  - PE unroll options are constrained to ≤ the buffer tile they unroll (peM ≤ tileM;
 *    peN ≤ tileN under `mn`, ≤ tileC under `mp`), and peN to the smallest option that covers
 *    the chunk's extent in that dimension; a sampler masks the rest.
 *  - A tile (or PE) option larger than every layer of the chunk behaves exactly like the
 *    smallest option that already covers them, so only that one is kept. Depthwise chunks have
 *    no input-channel reduction: their tileN is 1.
 *  - PE unroll 1 is always an option, so every tile choice has at least one valid unroll and a
 *    sampler never reaches a dead end.
 */
import { PARAM_SIZE, P_ORDER, P_PARALLEL, P_PEM, P_PEN, P_PORT, P_TC, P_TM, P_TN, P_TR } from './cost-model.js';
import type { ChunkExtents } from './chunk-extents.js';
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

/** Option values of every parameter of every chunk, flattened: [chunk][param] → values. */
export interface ChunkOptionSpace {
  readonly chunks: number;
  readonly values: readonly (readonly number[])[];
  /**
   * Per chunk [capN, capC]: the smallest PE option covering the chunk's largest input-channel
   * reduction (peN under `mn`) and output width (peN under `mp`). A wider unroll would only
   * idle, so peN ≤ min(tile, cap).
   */
  readonly peCaps: readonly number[];
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

function peCapsOf(space: DesignSpaceSpec, ext: ChunkExtents): [number, number] {
  const cover = (extent: number) => coverExtent([1, ...space.pe], extent).at(-1) as number;
  return [cover(ext.dw ? 1 : ext.maxN), cover(ext.maxC)];
}

export function buildOptionSpace(problem: CostProblem, space: DesignSpaceSpec): ChunkOptionSpace {
  const values: number[][] = [];
  const peCaps: number[] = [];
  for (const ext of problem.extents) {
    values.push(...chunkOptions(space, ext));
    peCaps.push(...peCapsOf(space, ext));
  }
  return { chunks: problem.extents.length, values, peCaps };
}

/** The limit the peN option of chunk `c` must respect, given its parallel mode and tiles. */
export function peNLimit(options: ChunkOptionSpace, params: Float64Array, c: number): number {
  const po = c * PARAM_SIZE;
  return params[po] === 0 ? Math.min(params[po + P_TN], options.peCaps[2 * c]) : Math.min(params[po + P_TC], options.peCaps[2 * c + 1]);
}

/** One chunk's slice of the option space, as a one-chunk space. */
export function chunkSlice(options: ChunkOptionSpace, c: number): ChunkOptionSpace {
  return {
    chunks: 1,
    values: options.values.slice(c * PARAM_SIZE, (c + 1) * PARAM_SIZE),
    peCaps: options.peCaps.slice(2 * c, 2 * c + 2),
  };
}

/** Every valid parameter row of a one-chunk space (PE within its limits), in odometer order. */
export function enumerateChunk(chunk: ChunkOptionSpace): Float64Array[] {
  const rows: Float64Array[] = [];
  const row = new Float64Array(PARAM_SIZE);
  const walk = (j: number): void => {
    if (j === PARAM_SIZE) {
      rows.push(row.slice());
      return;
    }
    for (const v of chunk.values[j]) {
      if (j === P_PEM && v > row[P_TM]) continue;
      if (j === P_PEN && v > peNLimit(chunk, row, 0)) continue;
      row[j] = v;
      walk(j + 1);
    }
  };
  walk(0);
  return rows;
}

/** Valid parameter rows of a one-chunk space, counted without enumerating them. */
export function countChunk(chunk: ChunkOptionSpace): number {
  const values = chunk.values;
  const atMost = (options: readonly number[], limit: number) => options.filter((v) => v <= limit).length;
  const [capN, capC] = chunk.peCaps;
  let rows = 0;
  for (const parallel of values[P_PARALLEL]) {
    for (const tM of values[P_TM]) {
      const peM = atMost(values[P_PEM], tM);
      for (const tN of values[P_TN]) {
        for (const tC of values[P_TC]) {
          rows += peM * atMost(values[P_PEN], parallel === 0 ? Math.min(tN, capN) : Math.min(tC, capC));
        }
      }
    }
  }
  return rows * values[P_ORDER].length * values[P_TR].length * values[P_PORT].length;
}

/** Number of valid designs: the product of every chunk's valid rows. */
export function countDesigns(options: ChunkOptionSpace): number {
  let total = 1;
  for (let c = 0; c < options.chunks; c++) {
    total *= countChunk(chunkSlice(options, c));
  }
  return total;
}

export function paramName(j: number): ChunkParamName {
  return CHUNK_PARAM_NAMES[j];
}
