/**
 * Chunk allocation (method.md §6) — stage: accel. In: a checked network. Out: its chunks, one per
 * (conv vs depthwise) × (large vs small output map) × bitwidth, each with the layers it runs, in
 * the order their first layer appears. What stays true: every layer lands in exactly one chunk;
 * add and pool layers run on the chunk of the layer producing their first input.
 */
import type { LayerSpec, NetworkSpec } from '../core/network.js';
import type { ChunkKind, MapSize } from './types.js';

/** A chunk before its parameters are chosen: which layers it runs. */
export interface ChunkAllocation {
  readonly id: string;
  readonly kind: ChunkKind;
  readonly size: MapSize;
  readonly bits: number;
  readonly layers: readonly string[];
}

/** Output maps with at least this many pixels go to a "large" chunk (16×16 by default). */
export const DEFAULT_LARGE_MAP_PIXELS = 256;

export function chunkIdOf(kind: ChunkKind, size: MapSize, bits: number): string {
  return `${kind}_${size}_b${bits}`;
}

/**
 * Assign every layer to a chunk by (conv vs depthwise) × (large vs small output map) × bitwidth
 * (method.md §6): up to 12 chunks for {4,6,8}. Add and pool layers have no MACs; they run on
 * the chunk of the layer that produces their (first) input, whose output path holds the data.
 * Chunks are listed in the order their first layer appears.
 */
export function allocateChunks(network: NetworkSpec, largeMapPixels = DEFAULT_LARGE_MAP_PIXELS): ChunkAllocation[] {
  const chunkOfLayer = new Map<string, string>();
  const chunks = new Map<string, { kind: ChunkKind; size: MapSize; bits: number; layers: string[] }>();
  for (const layer of network.layers) {
    const id = chunkForLayer(layer, chunkOfLayer, largeMapPixels);
    chunkOfLayer.set(layer.name, id);
    let chunk = chunks.get(id);
    if (!chunk) {
      const [kind, size, bits] = parseChunkId(id);
      chunk = { kind, size, bits, layers: [] };
      chunks.set(id, chunk);
    }
    chunk.layers.push(layer.name);
  }
  return [...chunks].map(([id, c]) => ({ id, kind: c.kind, size: c.size, bits: c.bits, layers: c.layers }));
}

function chunkForLayer(layer: LayerSpec, chunkOfLayer: Map<string, string>, largeMapPixels: number): string {
  if (layer.kind === 'add' || layer.kind === 'pool') {
    const producer = chunkOfLayer.get(layer.inputs[0] ?? '');
    if (producer) return producer;
  }
  const kind: ChunkKind = layer.kind === 'dwconv' ? 'dw' : 'conv';
  const size: MapSize = layer.outH * layer.outW >= largeMapPixels ? 'large' : 'small';
  return chunkIdOf(kind, size, layer.bits);
}

function parseChunkId(id: string): [ChunkKind, MapSize, number] {
  const [kind, size, bits] = id.split('_');
  return [kind as ChunkKind, size as MapSize, Number((bits ?? 'b8').slice(1))];
}
