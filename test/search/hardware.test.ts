/**
 * The cost table of the expected hardware penalty (search/hardware.ts candidateLatencies): for
 * each cell, op and bitwidth, that cell's cycles with every other cell as in the path, on the
 * current accelerator. Checked against costing each variant network directly.
 */
import { describe, expect, it } from 'vitest';
import { resolveBoard } from '../../src/accel/boards.js';
import { candidateLatencies, cellLatencies, costOnAccelerator, pathNetwork, searchHardware } from '../../src/search/hardware.js';
import { PRESETS } from '../../src/search/presets.js';

const { space } = PRESETS.quick;
const board = resolveBoard('zc706');
const path = {
  version: 1 as const,
  space: space.name,
  cells: [
    { op: 'k3_e3', bits: 8 },
    { op: 'skip', bits: 4 },
    { op: 'k5_e3', bits: 6 },
    { op: 'k3_e1', bits: 4 },
    { op: 'skip', bits: 8 },
    { op: 'k3_e3', bits: 6 },
  ],
};
const { state } = searchHardware(pathNetwork(space, path), board, 300, 1);
const table = candidateLatencies(space, path, board, state.accelerator);

describe('candidateLatencies', () => {
  it('has one entry per cell, op and bitwidth', () => {
    expect(table).toHaveLength(space.stages.reduce((n, s) => n + s.cells, 0));
    for (const row of table) {
      expect(row).toHaveLength(space.ops.length);
      for (const entry of row) expect(entry).toHaveLength(space.bitwidths.length);
    }
  });

  it('at the path’s own choice, every cell costs what the path’s network charges it', () => {
    const network = pathNetwork(space, path);
    const own = cellLatencies(network, costOnAccelerator(network, board, state.accelerator).report, path.cells.length);
    path.cells.forEach((c, i) => {
      expect(table[i][space.ops.indexOf(c.op)][space.bitwidths.indexOf(c.bits)]).toBeCloseTo(own[i], 9);
    });
  });

  it('a variant is costed as its own network; a skip that keeps the shape costs nothing', () => {
    const variant = { ...path, cells: path.cells.map((c, i) => (i === 2 ? { op: 'k3_e1', bits: 8 } : c)) };
    const network = pathNetwork(space, variant);
    const direct = cellLatencies(network, costOnAccelerator(network, board, state.accelerator).report, path.cells.length)[2];
    expect(table[2][space.ops.indexOf('k3_e1')][space.bitwidths.indexOf(8)]).toBeCloseTo(direct, 9);
    // cell 0 keeps the stem's 16 channels at stride 1 in the quick space: its skip is the identity;
    // cell 1 widens to 24: its skip is a 1×1 conv, which costs cycles
    expect(table[0][space.ops.indexOf('skip')]).toEqual([0, 0, 0]);
    expect(Math.min(...table[1][space.ops.indexOf('skip')])).toBeGreaterThan(0);
    // a bigger op in a cell costs more than a smaller one at the same bits
    expect(table[3][space.ops.indexOf('k5_e3')][2]).toBeGreaterThan(table[3][space.ops.indexOf('k3_e1')][2]);
  });
});
