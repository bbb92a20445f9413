/**
 * Compile a network, its chunk allocation, a board and calibration into the packed form the
 * cost model evaluates: one Float64Array of layer rows grouped by chunk, and per-chunk extents.
 * Compiled once per search; every design evaluation then reads only typed arrays.
 */
import type { LayerSpec, NetworkSpec } from '../core/network.js';
import { InputError } from '../core/diagnostics.js';
import type { ChunkAllocation } from './allocate.js';
import { dramBitsPerCycle, macsPerDsp } from './boards.js';
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
import { type ChunkExtents, DEFAULT_RESOURCE_MODEL, type ResourceModel } from './resources.js';
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
  readonly resourceModel: ResourceModel;
}

const CLASS_OF = { conv: CLASS_CONV, fc: CLASS_CONV, dwconv: CLASS_DW, add: CLASS_ADD, pool: CLASS_POOL } as const;

/**
 * The window sizes (in pixels, padding not counted, as tf.avgPool divides) an average pool
 * meets, ascending: one requantisation entry each (quant's poolDivisors, the engines' tables).
 */
export function poolWindowPixels(layer: Pick<LayerSpec, 'inH' | 'inW' | 'outH' | 'outW' | 'kernel' | 'stride' | 'pad'>): number[] {
  const spans = (out: number, size: number) => {
    const seen = new Set<number>();
    for (let o = 0; o < out; o++) {
      const start = o * layer.stride - layer.pad;
      seen.add(Math.min(start + layer.kernel, size) - Math.max(start, 0));
    }
    return [...seen];
  };
  const sizes = new Set<number>();
  for (const h of spans(layer.outH, layer.inH)) for (const w of spans(layer.outW, layer.inW)) sizes.add(h * w);
  return [...sizes].sort((x, y) => x - y);
}

export function packLayer(layer: LayerSpec, rows: Float64Array, o: number): void {
  const cls = CLASS_OF[layer.kind];
  const dw = cls === CLASS_DW;
  const conv = cls === CLASS_CONV;
  const groups = conv ? layer.groups : 1;
  rows[o + R_CLASS] = cls;
  rows[o + R_M] = layer.outC / groups;
  rows[o + R_N] = dw ? 1 : conv ? layer.inC / groups : layer.inC;
  rows[o + R_R] = layer.outH;
  rows[o + R_C] = layer.outW;
  rows[o + R_K] = layer.kernel;
  rows[o + R_S] = layer.stride;
  rows[o + R_G] = groups;
  rows[o + R_Q] = layer.bits;
  rows[o + R_QO] = layer.outBits;
  rows[o + R_MTOT] = cls <= CLASS_DW ? layer.outC : cls === CLASS_ADD ? 2 : poolWindowPixels(layer).length;
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
    extents.push(extentsOf(ordered.slice(chunkStart[c], chunkEnd[c]), chunk, board));
  });
  const missing = network.layers.find((l) => !seen.has(l.name));
  if (missing) throw new InputError(file, '/accelerator/chunks', `expected every layer in a chunk; "${missing.name}" has none`);
  const rows = new Float64Array(ordered.length * ROW_SIZE);
  ordered.forEach((layer, i) => packLayer(layer, rows, i * ROW_SIZE));
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
    resourceModel: options.resourceModel ?? DEFAULT_RESOURCE_MODEL,
  };
}

function extentsOf(layers: readonly LayerSpec[], chunk: ChunkAllocation, board: BoardSpec): ChunkExtents {
  const isMac = (l: LayerSpec) => l.kind === 'conv' || l.kind === 'fc' || l.kind === 'dwconv';
  // out channels the tileM loop walks: per group for (grouped) convs, all channels otherwise
  const walkedM = (l: LayerSpec) => (l.kind === 'conv' || l.kind === 'fc' ? l.outC / l.groups : l.outC);
  const reducedN = (l: LayerSpec) => (l.kind === 'dwconv' ? 1 : l.inC / l.groups);
  const seen = new Set<string>();
  const windows: number[] = [];
  for (const l of layers.filter(isMac)) {
    const key = `${reducedN(l)}/${l.kernel}/${l.stride}`;
    if (seen.has(key)) continue;
    seen.add(key);
    windows.push(reducedN(l), l.kernel, l.stride);
  }
  if (windows.length === 0) windows.push(1, 1, 1);
  return {
    dw: chunk.kind === 'dw',
    bits: chunk.bits,
    macsPerDsp: macsPerDsp(board, chunk.bits),
    maxM: Math.max(...layers.map(walkedM)),
    maxN: Math.max(1, ...layers.filter(isMac).map(reducedN)),
    maxR: Math.max(...layers.map((l) => l.outH)),
    maxC: Math.max(...layers.map((l) => l.outW)),
    windows: Float64Array.from(windows),
  };
}
