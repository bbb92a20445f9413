/**
 * The compile-time sizes of one chunk engine (trips_chunk's parameters, docs/rtl.md §1) — one
 * builder for both ways to reach them: lowerChunk, from a program's layers, and engineSizes,
 * from the resource model's inputs (a chunk's extents and parameters) for benchmarks that
 * synthesise chunks no program was generated for. test/backend/buffers.test.ts holds the two
 * equal.
 */
import type { ChunkExtents } from '../../accel/chunk-extents.js';
import { type EngineDepths, type EngineSizes, engineShape, programWords, tableRotation } from '../../accel/engine-layout.js';
import { packParams } from '../../accel/evaluate.js';
import { DEFAULT_RESOURCE_MODEL } from '../../accel/resource-model.js';
import { chunkDepths, memoryIsBlock } from '../../accel/resources.js';
import type { ChunkParams } from '../../accel/types.js';

/** Compile-time parameters of one chunk engine (trips_chunk's Verilog parameters; accel's EngineSizes). */
export type RtlSizes = EngineSizes;

export const RTL_SIZE_NAMES: readonly (keyof RtlSizes)[] = [
  'PE_M',
  'PE_N',
  'MP',
  'WS',
  'DW',
  'LANES',
  'ACT_W',
  'W_W',
  'IN_DEPTH',
  'W_DEPTH',
  'ACC_DEPTH',
  'RQ_DEPTH',
  'PROG_WORDS',
  'IN_BLOCK',
  'W_BLOCK',
  'ACC_BLOCK',
  'RQ_BLOCK',
  'ROT',
];

/** The sizes of an engine with these parameters, word widths and bank depths. */
export function buildSizes(p: ChunkParams, dw: boolean, bits: number, actW: number, d: EngineDepths, progWords: number): RtlSizes {
  const mp = p.parallel === 'mp';
  const shape = engineShape(dw, mp, p.peM, p.peN);
  const block = (width: number, depth: number) => (memoryIsBlock(width, depth, DEFAULT_RESOURCE_MODEL) ? 1 : 0);
  return {
    PE_M: p.peM,
    PE_N: p.peN,
    MP: mp ? 1 : 0,
    WS: p.loopOrder === 'os' ? 0 : 1,
    DW: dw ? 1 : 0,
    LANES: shape.lanes,
    ACT_W: actW,
    W_W: bits,
    IN_DEPTH: d.inDepth,
    W_DEPTH: d.wDepth,
    ACC_DEPTH: d.accDepth,
    RQ_DEPTH: d.rqDepth,
    PROG_WORDS: progWords,
    IN_BLOCK: block(shape.vi * actW, d.inDepth),
    W_BLOCK: block(shape.vw * bits, d.wDepth),
    // an accumulator word holds a 32-bit sum, or an add's two input codes (trips_chunk ACC_W)
    ACC_BLOCK: block(Math.max(32, 2 * actW), d.accDepth),
    RQ_BLOCK: block(64, d.rqDepth),
    ROT: tableRotation(p.tileM, p.peM),
  };
}

/** The engine sizes of a chunk from the resource model's inputs: what lowerChunk builds for it. */
export function engineSizes(ext: ChunkExtents, p: ChunkParams): RtlSizes {
  const d = chunkDepths(ext, packParams([p]), 0, new Float64Array(4));
  const depths = { inDepth: d[0], wDepth: d[1], accDepth: d[2], rqDepth: d[3] };
  return buildSizes(p, ext.dw, ext.bits, ext.actW, depths, programWords(ext.layers));
}
