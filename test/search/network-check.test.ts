import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../../src/core/diagnostics.js';
import type { LayerSpec, NetworkSpec } from '../../src/core/network.js';
import { checkNetwork, loadNetwork, outputSizeOf } from '../../src/core/network-check.js';
import { lowerGenotypeToNetwork } from '../../src/search/lower-genotype.js';
import { FMNIST_SPACE } from '../../src/search/spaces.js';

const dir = mkdtempSync(join(tmpdir(), 'trips-hw-network-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** fmnist with a residual MBConv in cell 0, so the net has conv, dwconv, add, pool and fc. */
const base: NetworkSpec = lowerGenotypeToNetwork(FMNIST_SPACE, {
  version: 1,
  space: 'fmnist',
  cells: Array.from({ length: 8 }, (_, i) => ({ op: i === 0 ? 'k3_e3' : 'skip', bits: 8 })),
});

function indexOf(name: string): number {
  const i = base.layers.findIndex((l) => l.name === name);
  if (i < 0) throw new Error(`no layer ${name}`);
  return i;
}

/** A copy of the base network with one layer changed. */
function withLayer(name: string, patch: Record<string, unknown>): NetworkSpec {
  const i = indexOf(name);
  const layers = base.layers.map((l, k) => (k === i ? ({ ...l, ...patch } as LayerSpec) : l));
  return { ...base, layers };
}

function failure(net: NetworkSpec): InputError {
  try {
    checkNetwork(net, 'net.json');
  } catch (error) {
    if (error instanceof InputError) return error;
    throw error;
  }
  throw new Error('expected checkNetwork to fail');
}

describe('checkNetwork', () => {
  it('accepts a lowered network', () => {
    expect(checkNetwork(base, 'net.json')).toBe(base);
    expect(base.layers.map((l) => l.kind)).toEqual(expect.arrayContaining(['conv', 'dwconv', 'add', 'pool', 'fc']));
  });

  it('catches a shape mismatch between a layer and its producer', () => {
    const error = failure(withLayer('c0_dw', { inC: 40, outC: 40, groups: 40 }));
    expect(error.pointer).toBe(`/layers/${indexOf('c0_dw')}/inC`);
    expect(error.message).toBe(`net.json: /layers/${indexOf('c0_dw')}/inC: expected 48 (producer's output), found 40`);
  });

  const cases: Array<[string, string, Record<string, unknown>, string, RegExp]> = [
    ['a duplicate name', 'c0_dw', { name: 'c0_expand' }, 'name', /unique layer name/],
    ['an input that is not an earlier layer', 'c0_expand', { inputs: ['c0_project'] }, 'inputs/0', /earlier layer, found "c0_project"/],
    ['a wrong output size', 'c0_dw', { outH: 14 }, 'outH', /expected 28 = floor/],
    ['groups that do not divide the channels', 'c0_expand', { groups: 5 }, 'groups', /divisor of inC \(16\)/],
    ['a dwconv with groups ≠ channels', 'c0_dw', { groups: 1 }, 'groups', /groups = inC/],
    ['an add with one input', 'c0_add', { inputs: ['c0_project'] }, 'inputs', /expected 2 inputs for add, found 1/],
    ['an add of two shapes', 'c0_add', { inputs: ['c0_project', 'c0_expand'] }, 'inputs', /equal shape, found 28×28×16 and 28×28×48/],
    ['an fc on a spatial map', 'fc', { inputs: ['head'], inH: 7, inW: 7 }, 'inH', /expected 1 \(fc takes a 1×1 map\)/],
    ['bits that differ from the producer outBits', 'c0_dw', { bits: 4 }, 'bits', /expected 8 \(producer's outBits\), found 4/],
    ['a layer named input', 'stem', { name: 'input' }, 'name', /other than "input"/],
  ];
  for (const [what, name, patch, field, message] of cases) {
    it(`catches ${what}`, () => {
      const error = failure(withLayer(name, patch));
      expect(error.pointer).toBe(`/layers/${indexOf(name)}/${field}`);
      expect(error.message).toMatch(message);
    });
  }

  it('catches a layer whose output nobody reads', () => {
    const error = failure(withLayer('c1_skip', { inputs: ['c0_project'] }));
    expect(error.pointer).toBe(`/layers/${indexOf('c0_add')}/name`);
  });

  it('matches the output-size formula by hand', () => {
    expect(outputSizeOf(28, 3, 2, 1)).toBe(14);
    expect(outputSizeOf(7, 7, 7, 0)).toBe(1);
    expect(outputSizeOf(32, 5, 2, 2)).toBe(16);
  });
});

describe('loadNetwork', () => {
  it('loads a valid file and reports schema errors with a pointer', () => {
    const good = join(dir, 'good.json');
    writeFileSync(good, JSON.stringify(base));
    expect(loadNetwork(good).layers).toHaveLength(base.layers.length);

    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify(withLayer('c0_dw', { name: 'c0-dw' })));
    expect(() => loadNetwork(bad)).toThrow(new RegExp(`^${bad}: /layers/${indexOf('c0_dw')}/name: network:`));

    const shape = join(dir, 'shape.json');
    writeFileSync(shape, JSON.stringify(withLayer('head', { inC: 63 })));
    expect(() => loadNetwork(shape)).toThrow(`/layers/${indexOf('head')}/inC: expected 64`);
  });
});
