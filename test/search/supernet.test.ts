import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/random.js';
import { selectBackend } from '../../src/nn/backend.js';
import { crossEntropy } from '../../src/nn/optimizer.js';
import * as tf from '../../src/nn/tf.js';
import { lowerGenotypeToNetwork } from '../../src/search/lower-genotype.js';
import { SMOKE_SPACE } from '../../src/search/spaces.js';
import { archForward, createSupernet, derivedForward, disposeSupernet, type Supernet, weightForward } from '../../src/search/supernet.js';
import { expectedHardwareCost, hardwareCost } from '../../src/search/hardware-cost.js';
import { derivedGenotype, readLogits, sampleArchPath, sampleWeightPath } from '../../src/search/paths.js';
import type { SearchSpaceSpec } from '../../src/search/types.js';

let net: Supernet;
beforeAll(async () => {
  await selectBackend('wasm');
  net = createSupernet(SMOKE_SPACE, 1);
});
afterAll(() => disposeSupernet(net));

const batch = (n: number) => ({
  x: tf.randomNormal([n, 28, 28, 1], 0, 1, 'float32', 3) as tf.Tensor4D,
  y: tf.tensor1d(
    Array.from({ length: n }, (_, i) => i % 10),
    'int32',
  ),
});

describe('supernet', () => {
  it('holds every candidate with exactly the layers lowering gives that op in that cell', () => {
    expect(net.alpha.shape).toEqual([3, 3]);
    expect(net.beta.shape).toEqual([3, 3, 2]);
    for (const [i, row] of net.candidates.entries()) {
      for (const c of row) {
        const lowered = lowerGenotypeToNetwork(SMOKE_SPACE, {
          version: 1,
          space: 'smoke',
          cells: [0, 1, 2].map(() => ({ op: c.op, bits: 4 })),
        });
        const expected = lowered.layers.filter((l) => l.cell === i && l.kind !== 'add');
        expect([...c.layers.values()].map((l) => l.name)).toEqual(expected.map((l) => l.name));
        for (const l of c.layers.values())
          expect(net.trainable.get(`c${i}/${c.op}/${l.name.slice(l.name.indexOf('_') + 1)}/kernel`), l.name).toBeDefined();
      }
    }
    // cell 0 keeps the shape (identity skip, residual MBConvs); cell 1 changes it (skip is a conv)
    expect(net.candidates[0].find((c) => c.op === 'skip')?.kind).toBe('identity');
    expect(net.candidates[1].find((c) => c.op === 'skip')?.kind).toBe('conv');
    expect(net.candidates[0][0].residual).toBe(true);
  });

  it('an arch step sends gradient to the active candidates only: top-2 ops, top-2 bits of each', () => {
    const { x, y } = batch(8);
    const path = sampleArchPath(readLogits(net), new Rng(5));
    const { grads } = tf.variableGrads(() => crossEntropy(archForward(net, x, path, 5).logits, y, 10), [net.alpha, net.beta]);
    const ga = grads[net.alpha.name].arraySync() as number[][];
    const gb = grads[net.beta.name].arraySync() as number[][][];
    path.cells.forEach((cell, i) => {
      ga[i].forEach((g, op) => {
        if (!cell.ops.includes(op)) expect(g, `α[${i}][${op}]`).toBe(0);
      });
      expect(
        cell.ops.some((op) => ga[i][op] !== 0),
        `cell ${i} active ops get gradient`,
      ).toBe(true);
      gb[i].forEach((row, op) => {
        const k = cell.ops.indexOf(op);
        row.forEach((g, bit) => {
          if (k < 0 || !cell.bits[k].top.includes(bit)) expect(g, `β[${i}][${op}][${bit}]`).toBe(0);
        });
      });
    });
    tf.dispose([x, y, ...Object.values(grads)]);
  });

  it('the hardware cost charges each cell its latency share through α and β of the current path', () => {
    const choices = [
      { op: 0, bit: 1 },
      { op: 1, bit: 0 },
      { op: 2, bit: 1 },
    ];
    const { value, grads } = tf.variableGrads(() => hardwareCost(net, choices, [300, 600, 100], 2000), [net.alpha, net.beta]);
    expect(value.dataSync()[0]).toBeCloseTo(0.5, 6);
    const ga = grads[net.alpha.name].arraySync() as number[][];
    // uniform α over 3 ops: d p_k / d α_k = p (1 − p) = 2/9, times the cell's share
    expect(ga[1][1]).toBeCloseTo((600 / 2000) * (2 / 9), 5);
    expect(ga[1][0]).toBeCloseTo(-(600 / 2000) / 9, 5);
    tf.dispose([value, ...Object.values(grads)]);
  });

  it('the expected hardware cost weighs every candidate with α and β and moves mass to the cheaper ones', () => {
    // smoke space: 3 cells × 3 ops × 2 bits; cell 1: op 0 costs 900/1100 cycles, op 1 300/500, op 2 0
    const table = [
      [
        [100, 100],
        [100, 100],
        [100, 100],
      ],
      [
        [900, 1100],
        [300, 500],
        [0, 0],
      ],
      [
        [50, 50],
        [50, 50],
        [50, 50],
      ],
    ];
    const { value, grads } = tf.variableGrads(() => expectedHardwareCost(net, table, 2000), [net.alpha, net.beta]);
    // uniform α and β: each cell's mean over its 6 entries, / 2000
    expect(value.dataSync()[0]).toBeCloseTo((100 + (900 + 1100 + 300 + 500) / 6 + 50) / 2000, 6);
    const ga = grads[net.alpha.name].arraySync() as number[][];
    const gb = grads[net.beta.name].arraySync() as number[][][];
    // d/dα_k of Σ p_o E_o = p_k (E_k − Ē): op 0 (E 1000) above the cell's mean (1600/3), op 1 and 2 below
    const mean = (1000 + 400 + 0) / 3;
    expect(ga[1][0]).toBeCloseTo(((1 / 3) * (1000 - mean)) / 2000, 5);
    expect(ga[1][1]).toBeCloseTo(((1 / 3) * (400 - mean)) / 2000, 5);
    expect(ga[1][2]).toBeLessThan(0);
    // equal costs: no gradient whichever op would lead
    for (const g of ga[0]) expect(g).toBeCloseTo(0, 7);
    // β: the cheaper bitwidth of op 0 gains: p_α · p_β (c_b − mean) / total = (1/3)(1/2)(−100)/2000
    expect(gb[1][0][0]).toBeCloseTo(((1 / 3) * (1 / 2) * -100) / 2000, 6);
    tf.dispose([value, ...Object.values(grads)]);
  });

  it('derives the argmax genotype and runs it with running statistics', () => {
    const logits = readLogits(net);
    logits.alpha[2][1] = 2;
    logits.beta[2][1][1] = 1;
    const g = derivedGenotype(net, logits);
    expect(g.cells.map((c) => `${c.op}@${c.bits}`)).toEqual(['k3_e1@4', 'k3_e1@4', 'k3_e3@8']);
    const { x, y } = batch(4);
    const out = tf.tidy(() => derivedForward(net, x, g));
    expect(out.shape).toEqual([4, 10]);
    expect(Array.from(out.dataSync()).every(Number.isFinite)).toBe(true);
    tf.dispose([x, y, out]);
  });

  it('memory of a weight step does not grow with the number of bitwidths (3 vs 6 within 10%)', async () => {
    const peak = async (bitwidths: number[]) => {
      const space: SearchSpaceSpec = { ...SMOKE_SPACE, name: `smoke-${bitwidths.length}`, bitwidths };
      const sn = createSupernet(space, 2);
      const { x, y } = batch(16);
      const path = sampleWeightPath(readLogits(sn), 5, new Rng(3));
      // the same op in every cell for both supernets: only the number of mixed bitwidths differs
      const fixed = { ...path, cells: path.cells.map((c) => ({ ...c, op: 1 })) };
      const info = await tf.profile(() => {
        const { value, grads } = tf.variableGrads(() => {
          const pass = weightForward(sn, x, fixed);
          tf.dispose(pass.updates.map(([, t]) => t));
          return crossEntropy(pass.logits, y, 10);
        });
        tf.dispose([value, ...Object.values(grads)]);
      });
      tf.dispose([x, y]);
      disposeSupernet(sn);
      return info.peakBytes;
    };
    const three = await peak([4, 6, 8]);
    const six = await peak([3, 4, 5, 6, 7, 8]);
    expect(six / three).toBeLessThan(1.1);
    expect(six / three).toBeGreaterThan(0.9);
  });
});
