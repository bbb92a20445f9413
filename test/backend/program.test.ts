/**
 * lowerDesignToProgram on the tiny-chain fixture, against numbers worked out by hand: arena
 * addresses, weight / requantisation offsets, descriptors, buffer extents and PE lanes.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { HLS_LAYER_FIELDS } from '../../src/backend/hls/lower.js';
import { lowerDesignToProgram } from '../../src/backend/program.js';
import { legaliseIdentifier, legaliseIdentifiers } from '../../src/backend/identifiers.js';
import { computeGoldenVectors, hashWords } from '../../src/backend/golden.js';
import { InputError } from '../../src/core/diagnostics.js';
import { selectBackend } from '../../src/nn/backend.js';
import { randomWeights } from '../../src/nn/random-weights.js';
import * as tf from '../../src/nn/tf.js';
import { buildIntegerModel, type IntegerModel } from '../../src/quant/index.js';
import type { DesignPoint } from '../../src/accel/types.js';
import { fixtureDesign } from './helpers.js';

let chain: DesignPoint;
let model: IntegerModel;
beforeAll(async () => {
  await selectBackend('cpu');
  chain = fixtureDesign('tiny-chain');
  const weights = randomWeights(chain.network, 1);
  model = buildIntegerModel(chain.network, weights);
  tf.dispose(Object.values(weights));
});

describe('lowerDesignToProgram (tiny-chain: c1 5×5/2 → c2 3×3 groups 3 → avg 2×2 → gap → fc)', () => {
  it('places every tensor in the arena one after another, the input at 0', () => {
    const p = lowerDesignToProgram(chain, model);
    expect(p.input).toMatchObject({ address: 0, words: 11 * 9 * 2, bits: 8, signed: true });
    // c1 6×5×9 = 270, c2 6×5×6 = 180, avg 4×3×6 = 72, gap 6, fc 4 codes (quantised output)
    expect(p.tensors.map((t) => [t.name, t.address, t.words])).toEqual([
      ['c1', 198, 270],
      ['c2', 468, 180],
      ['avg', 648, 72],
      ['gap', 720, 6],
      ['fc', 726, 4],
    ]);
    expect(p.arenaWords).toBe(730);
    expect(p.scores).toBe('codes');
    // unsigned 8-bit after ReLU needs 9 signed bits
    expect(p.actBits).toBe(9);
  });

  it('packs weights and requantisation entries per chunk, in layer order', () => {
    const p = lowerDesignToProgram(chain, model);
    const [c1, c2, avg, gap, fc] = p.layers;
    // weights: c1 [9][5][5][2] = 450, c2 [6][3][3][3] = 162, fc [4][6] = 24
    expect([c1.weightOffset, c2.weightOffset, fc.weightOffset]).toEqual([0, 450, 612]);
    expect(p.chunks[0].weights).toHaveLength(636);
    // requant: c1 9 channels, c2 6, avg 2² table, gap 4² table, fc 4
    expect([c1.requantOffset, c2.requantOffset, avg.requantOffset, gap.requantOffset, fc.requantOffset]).toEqual([0, 9, 15, 19, 35]);
    expect(p.chunks[0].multiplier).toHaveLength(39);
    // a 2×2 pool with padding 1 meets windows of 1, 2 and 4 pixels; entry n − 1 serves n pixels
    const q = model.layers[2];
    if (q.kind !== 'pool') throw new Error('expected the pool');
    for (const [i, d] of q.divisors.entries()) expect(p.chunks[0].multiplier[15 + d - 1]).toBe(q.multiplier[i]);
    expect(p.chunks[0].multiplier[15 + 3 - 1]).toBe(0);
    expect(c2).toMatchObject({ op: 'conv', opcode: 0, groups: 3, inPer: 3, outPer: 2, inAddr: 198, outAddr: 468, permOffset: -1 });
    expect(fc).toMatchObject({ op: 'fc', opcode: 4, inPer: 6, outPer: 4, inH: 1, kernel: 1, rawOut: 0, inAddr: 720 });
    expect(HLS_LAYER_FIELDS.every((f) => Number.isInteger(c1[f]))).toBe(true);
  });

  it('sizes the buffers from the tiles clipped to the chunk’s layers', () => {
    // tiles M4 N2 R2 C3, PE 2×2 over out channels × columns (mp), weight reuse
    const b = lowerDesignToProgram(chain, model).chunks[0].buffers;
    expect(b).toEqual({
      tileM: 4,
      tileN: 2,
      tileR: 2,
      tileC: 3,
      inChannels: 2,
      inRows: 7, // c1: (2 − 1)·2 + 5
      inCols: 9, // c1: (3 − 1)·2 + 5
      kernel: 5,
      weightN: 6, // ws keeps every input channel: the fc's 6
      // words: the largest need of one layer, each layer's tiles clipped to its own extents
      inputWords: 126, // c1: 2 ch · 7 · 9 (c2 2·4·5 = 40; avg's map 4·6·5 = 120; gap 4·4·3 = 48)
      weightWords: 200, // c1 (ws): 4 · 5² · 2 in channels (c2 2·3²·3 = 54, fc 4·6 = 24)
      accWords: 48, // avg: its whole output map for 4 channels, 4·4·3 (c1 4·2·3 = 24)
      lanesM: 2,
      lanesN: 1,
      lanesC: 2,
    });
  });

  it('refuses weights of another network and layers on a chunk of the wrong kind', () => {
    const other = fixtureDesign('tiny-mixed');
    expect(() => lowerDesignToProgram(other, model, { file: 'd.json' })).toThrow(InputError);
    const mixedWeights = randomWeights(other.network, 2);
    const mixedModel = buildIntegerModel(other.network, mixedWeights);
    tf.dispose(Object.values(mixedWeights));
    const swapped = {
      ...other,
      accelerator: {
        ...other.accelerator,
        chunks: other.accelerator.chunks.map((c) => ({ ...c, kind: c.kind === 'dw' ? ('conv' as const) : c.kind })),
      },
    };
    expect(() => lowerDesignToProgram(swapped, mixedModel, { file: 'd.json' })).toThrow(/on a dw chunk/);
  });

  it('golden vectors hash every tensor of every image', () => {
    const p = lowerDesignToProgram(chain, model);
    const g = computeGoldenVectors(model, p, 3, 9);
    expect(g.hashes).toHaveLength(3);
    expect(g.hashes[2][1]).toBe(hashWords(g.layers.c2[2]));
    expect(g.scores[0]).toEqual(g.layers.fc[0]);
    // FNV-1a-32 word-wise, by hand for [1]: (2166136261 ^ 1) · 16777619 mod 2^32
    expect(hashWords([1])).toBe(Number(((2166136261n ^ 1n) * 16777619n) % 2n ** 32n));
  });
});

describe('identifiers', () => {
  it('legalises names into C++ / Verilog identifiers that are not keywords', () => {
    expect(legaliseIdentifier('cell0/expand')).toBe('cell0_expand');
    expect(legaliseIdentifier('3x3')).toBe('n3x3');
    expect(legaliseIdentifier('module')).toBe('module_');
    expect(legaliseIdentifier('int')).toBe('int_');
    expect(legaliseIdentifier('_Reserved')).toBe('n_Reserved');
    expect(legaliseIdentifier('"; system("rm -rf /")')).toMatch(/^[A-Za-z][A-Za-z0-9_]*$/);
  });

  it('keeps identifiers unique, case-insensitively, and away from the fixed names', () => {
    expect(legaliseIdentifiers(['a.b', 'a_b', 'A_B', 'mem'], ['mem'])).toEqual(['a_b', 'a_b_2', 'A_B_3', 'mem_2']);
  });
});
