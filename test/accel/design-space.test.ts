import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/random.js';
import { P_PARALLEL, P_PEM, P_PEN, P_TC, P_TM, P_TN } from '../../src/accel/cost-model.js';
import {
  buildOptionSpace,
  chunkOptions,
  chunkSlice,
  countChunk,
  countDesigns,
  DEFAULT_DESIGN_SPACE,
  enumerateChunk,
} from '../../src/accel/design-space.js';
import type { DesignSpaceSpec } from '../../src/accel/types.js';
import { layer, oneChunkProblem } from './helpers.js';

describe('chunk option space', () => {
  it('keeps tile options below the extent plus the first that covers it; depthwise tileN is 1', () => {
    const conv = oneChunkProblem([layer('c', { inH: 14, inC: 24, outC: 40, kernel: 3 })]);
    const values = chunkOptions(DEFAULT_DESIGN_SPACE, conv.extents[0]);
    expect(values[P_TM]).toEqual([4, 8, 16, 32, 64]); // 40 out channels: 64 covers, 128 dropped
    expect(values[P_TN]).toEqual([4, 8, 16, 32]); // 24 in channels
    expect(values[P_TC]).toEqual([1, 2, 4, 7, 8, 14]); // 14 columns
    const dw = oneChunkProblem([layer('d', { kind: 'dwconv', inH: 14, inC: 24, outC: 24, kernel: 3 })], 'dw');
    expect(chunkOptions(DEFAULT_DESIGN_SPACE, dw.extents[0])[P_TN]).toEqual([1]);
  });

  it('caps peN by the extent it unrolls: a 1-channel stem gets peN 1 under mn', () => {
    const stem = oneChunkProblem([layer('stem', { inH: 28, inC: 1, outC: 16, kernel: 3 })]);
    const options = buildOptionSpace(stem, DEFAULT_DESIGN_SPACE);
    expect(options.peCaps).toEqual([1, 32]); // mn: 1 input channel; mp: 28 columns → 32
    const rows = enumerateChunk(chunkSlice(options, 0));
    const mn = rows.filter((r) => r[P_PARALLEL] === 0);
    expect(mn.length).toBeGreaterThan(0);
    expect(mn.every((r) => r[P_PEN] === 1)).toBe(true);
    const mp = rows.filter((r) => r[P_PARALLEL] === 1);
    expect(Math.max(...mp.map((r) => r[P_PEN]))).toBe(16); // ≤ the largest tileC option, 28
    expect(mp.every((r) => r[P_PEN] <= r[P_TC] && r[P_PEM] <= r[P_TM])).toBe(true);
    expect(rows.every((r) => r[P_TN] >= 1)).toBe(true);
  });

  it('counts exactly what it enumerates, on random small spaces', () => {
    const rng = new Rng(11);
    const pick = (xs: number[]) => xs.filter(() => rng.next() < 0.6).concat(xs[rng.int(xs.length)]);
    for (let trial = 0; trial < 25; trial++) {
      const space: DesignSpaceSpec = {
        parallel: rng.next() < 0.5 ? ['mn', 'mp'] : ['mp'],
        loopOrder: ['os', 'ws'],
        tileM: pick([4, 8, 16, 32]),
        tileN: pick([2, 4, 8, 16]),
        tileR: pick([1, 2, 7]),
        tileC: pick([1, 2, 4, 7, 14]),
        pe: pick([2, 4, 8, 16]),
        portBits: pick([32, 64]),
      };
      const kind = rng.next() < 0.3 ? 'dwconv' : 'conv';
      const channels = 1 + rng.int(40);
      const l = layer('l', { kind, inH: 3 + rng.int(20), inC: channels, outC: kind === 'dwconv' ? channels : 1 + rng.int(40), kernel: 3 });
      const problem = oneChunkProblem([l], kind === 'dwconv' ? 'dw' : 'conv');
      const options = buildOptionSpace(problem, space);
      expect(countChunk(chunkSlice(options, 0))).toBe(enumerateChunk(chunkSlice(options, 0)).length);
      expect(countDesigns(options)).toBe(enumerateChunk(chunkSlice(options, 0)).length);
    }
  });
});
