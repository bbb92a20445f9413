/**
 * Compile a network, its chunk allocation, a board and calibration into the packed form the
 * cost model evaluates: one Float64Array of layer rows grouped by chunk, and per-chunk extents
 * (chunk-extents.ts, the same the layer program sizes its buffers from). Compiled once per
 * search; every design evaluation then reads only typed arrays.
 */
import type { LayerSpec, NetworkSpec } from '../core/network.js';
import { InputError } from '../core/diagnostics.js';
import type { ChunkAllocation } from './allocate.js';
import { isMacKind, poolTableEntries, reducedN, walkedM } from '../core/layer-geometry.js';
import { dramBitsPerCycle } from './boards.js';
import { type ChunkExtents, compileChunkExtents } from './chunk-extents.js';
import {
  CLASS_ADD,
  CLASS_CONV,
  CLASS_DW,
  CLASS_POOL,
  packCoefficients,
  ROW_SIZE,
  R_C,
  R_CLASS,
  R_G,
  R_CDW,
  R_INPIX,
  R_K,
  R_M,
  R_MTOT,
  R_N,
  R_Q,
  R_QO,
  R_R,
  R_S,
} from './cost-model.js';
import { type ResourceModel, resourceModelForPart, resourceModelOf } from './resource-model.js';
import type { BoardSpec, CalibrationSpec } from './types.js';

export interface CostProblem {
  readonly network: NetworkSpec;
  readonly board: BoardSpec;
  readonly clockMhz: number;
  readonly chunks: readonly ChunkAllocation[];
  /** Layers in chunk order, ROW_SIZE numbers each. */
  readonly rows: Float64Array;
  readonly layers: readonly LayerSpec[];
  /** rows index range [chunkStart[c], chunkEnd[c]) in layers of chunk c. */
  readonly chunkStart: Int32Array;
  readonly chunkEnd: Int32Array;
  readonly extents: readonly ChunkExtents[];
  readonly coefficients: Float64Array;
  readonly dramBitsPerCycle: number;
  /** Cycles from a DMA read request to its answer (the board's `dram.readLatencyCycles`, default 0). */
  readonly dramLatency: number;
  readonly resourceModel: ResourceModel;
}

const CLASS_OF = { conv: CLASS_CONV, fc: CLASS_CONV, dwconv: CLASS_DW, add: CLASS_ADD, pool: CLASS_POOL } as const;

function packLayer(layer: LayerSpec, rows: Float64Array, o: number): void {
  const cls = CLASS_OF[layer.kind];
  const mac = isMacKind(layer.kind);
  const groups = cls === CLASS_CONV ? layer.groups : 1;
  rows[o + R_CLASS] = cls;
  rows[o + R_M] = walkedM(layer);
  rows[o + R_N] = mac ? reducedN(layer) : layer.inC;
  rows[o + R_R] = layer.outH;
  rows[o + R_C] = layer.outW;
  rows[o + R_K] = layer.kernel;
  rows[o + R_S] = layer.stride;
  rows[o + R_G] = groups;
  rows[o + R_Q] = layer.bits;
  rows[o + R_QO] = layer.outBits;
  rows[o + R_MTOT] = mac ? layer.outC : cls === CLASS_ADD ? 2 : poolTableEntries(layer);
  rows[o + R_INPIX] = layer.inH * layer.inW;
}

export function compileCostProblem(
  network: NetworkSpec,
  chunks: readonly ChunkAllocation[],
  board: BoardSpec,
  options: { calibration?: CalibrationSpec; clockMhz?: number; resourceModel?: ResourceModel; file?: string } = {},
): CostProblem {
  const byName = new Map(network.layers.map((l) => [l.name, l]));
  const seen = new Set<string>();
  const ordered: LayerSpec[] = [];
  const chunkStart = new Int32Array(chunks.length);
  const chunkEnd = new Int32Array(chunks.length);
  const extents: ChunkExtents[] = [];
  const file = options.file ?? '<design>';
  chunks.forEach((chunk, c) => {
    chunkStart[c] = ordered.length;
    chunk.layers.forEach((name, i) => {
      const layer = byName.get(name);
      const where = `/accelerator/chunks/${c}/layers/${i}`;
      if (!layer) throw new InputError(file, where, `expected a layer of the network, found "${name}"`);
      if (seen.has(name)) throw new InputError(file, where, `layer "${name}" is assigned to two chunks`);
      seen.add(name);
      ordered.push(layer);
    });
    chunkEnd[c] = ordered.length;
    extents.push(compileChunkExtents(ordered.slice(chunkStart[c], chunkEnd[c]), chunk, board));
  });
  const missing = network.layers.find((l) => !seen.has(l.name));
  if (missing) throw new InputError(file, '/accelerator/chunks', `expected every layer in a chunk; "${missing.name}" has none`);
  const rows = new Float64Array(ordered.length * ROW_SIZE);
  ordered.forEach((layer, i) => packLayer(layer, rows, i * ROW_SIZE));
  chunks.forEach((chunk, c) => {
    for (let i = chunkStart[c]; i < chunkEnd[c]; i++) rows[i * ROW_SIZE + R_CDW] = chunk.kind === 'dw' ? 1 : 0;
  });
  const clockMhz = options.clockMhz ?? board.clockMhz;
  return {
    network,
    board,
    clockMhz,
    chunks,
    rows,
    layers: ordered,
    chunkStart,
    chunkEnd,
    extents,
    coefficients: packCoefficients(options.calibration),
    dramBitsPerCycle: dramBitsPerCycle(board, clockMhz),
    dramLatency: board.dram.readLatencyCycles ?? 0,
    resourceModel: resourceModelForPart(options.resourceModel ?? resourceModelOf(options.calibration), board.part),
  };
}
