/**
 * Chunk buffer words (accel/chunk-extents.ts) against hand computation: the largest need of any
 * one layer, each layer's tiles clipped to its own extents, add and pool included — the words
 * the resource model charges and the program gives the engines (test/backend/buffers.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { chunkBufferWords, compileChunkExtents } from '../../src/accel/chunk-extents.js';
import { layer, ZC706 } from './helpers.js';

// a 3×3 conv 4 → 8 channels on 8×8, a residual add of 8×8×8, a global 8×8 pool
const conv = layer('c', { inH: 8, inC: 4, outC: 8, kernel: 3 });
const add = layer('s', { kind: 'add', inH: 8, inC: 8, outC: 8, inputs: ['c', 'c'] });
const pool = layer('p', { kind: 'pool', inH: 8, inC: 8, outC: 8, kernel: 8, stride: 8, inputs: ['s'] });
const ext = compileChunkExtents([conv, add, pool], { kind: 'conv', bits: 8 }, ZC706);
const tiles = { tileM: 4, tileN: 2, tileR: 2, tileC: 2 } as const;

describe('chunkBufferWords', () => {
  it('MAC layers alone: the step box, the weights of a step (os) or of every input channel (ws), the tile', () => {
    const only = compileChunkExtents([conv], { kind: 'conv', bits: 8 }, ZC706);
    // input 2 ch · (1·1 + 3) · (1·1 + 3) = 32; os weights 4 · 3² · 2 = 72; ws 4 · 3² · 4 = 144; acc 4·2·2
    expect(chunkBufferWords(only, { ...tiles, loopOrder: 'os' })).toEqual({ inputWords: 32, weightWords: 72, accWords: 16 });
    expect(chunkBufferWords(only, { ...tiles, loopOrder: 'ws' })).toEqual({ inputWords: 32, weightWords: 144, accWords: 16 });
  });

  it('add: both inputs of a tile; pool: a channel tile’s whole input map', () => {
    // add: 2 · 4·2·2 = 32 input words, 16 accumulators; pool: 4 channels · 8·8 = 256 input
    // words, 4·1·1 accumulators → the pool sets the input buffer, conv and add the rest
    expect(chunkBufferWords(ext, { ...tiles, loopOrder: 'os' })).toEqual({ inputWords: 256, weightWords: 72, accWords: 16 });
  });

  it('clips each layer’s tiles to its own extents (a tile beyond every layer costs nothing more)', () => {
    // tiles 64×64×64×64: conv 4·10·10 = 400 in, 8·9·4 = 288 os weights, 8·8·8 = 512 acc;
    // add 2·512 = 1024 in; pool 8·64 = 512 in
    expect(chunkBufferWords(ext, { tileM: 64, tileN: 64, tileR: 64, tileC: 64, loopOrder: 'os' })).toEqual({
      inputWords: 1024,
      weightWords: 288,
      accWords: 512,
    });
    expect(ext).toMatchObject({ maxM: 8, maxN: 4, maxR: 8, maxC: 8 });
  });
});
