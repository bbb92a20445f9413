import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { validateArtifact } from '../../src/core/schema.js';
import {
  BUILTIN_SPACES,
  CIFAR22_SPACE,
  FMNIST_SPACE,
  listCells,
  loadGenotype,
  parseCellOp,
  resolveSearchSpace,
} from '../../src/search/spaces.js';
import { inputErrorOf } from '../core/helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'trips-hw-spaces-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let counter = 0;
function writeTemp(value: unknown, name = `f${counter++}.json`): string {
  const file = join(dir, name);
  writeFileSync(file, typeof value === 'string' ? value : JSON.stringify(value));
  return file;
}

const fmnistCells = (): Array<{ op: string; bits: number }> =>
  Array.from({ length: 8 }, (_, i) => ({ op: FMNIST_SPACE.ops[i], bits: [4, 6, 8][i % 3] }));

describe('built-in spaces', () => {
  for (const [name, space] of Object.entries(BUILTIN_SPACES)) {
    it(`${name} validates against the search-space schema`, () => {
      expect(space.name).toBe(name);
      expect(() => validateArtifact('search-space', JSON.parse(JSON.stringify(space)), name)).not.toThrow();
      expect(resolveSearchSpace(name)).toBe(space);
    });
  }

  it('cifar22 has the 22 FBNet cells with the first cell of a stage carrying the stride', () => {
    const cells = listCells(CIFAR22_SPACE);
    expect(cells).toHaveLength(22);
    expect(cells.map((c) => c.stride)).toEqual([1, 1, 1, 1, 1, 2, 1, 1, 1, 2, 1, 1, 1, 1, 1, 1, 1, 2, 1, 1, 1, 1]);
    expect(cells[0]).toEqual({ index: 0, stage: 0, inC: 16, outC: 16, stride: 1 });
    expect(cells[21]).toEqual({ index: 21, stage: 6, inC: 184, outC: 352, stride: 1 });
    expect(listCells(FMNIST_SPACE)).toHaveLength(8);
  });

  it('decodes op names', () => {
    expect(parseCellOp('k5_e1_g2')).toEqual({ kind: 'mbconv', kernel: 5, expand: 1, groups: 2 });
    expect(parseCellOp('k3_e6')).toEqual({ kind: 'mbconv', kernel: 3, expand: 6, groups: 1 });
    expect(parseCellOp('skip')).toEqual({ kind: 'skip' });
    expect(parseCellOp('conv3')).toBeUndefined();
  });
});

describe('resolveSearchSpace from a file', () => {
  const { fixedBits: _fixed, ...withoutFixed } = FMNIST_SPACE;

  it('loads a space file and fills in fixedBits = 8', () => {
    const space = resolveSearchSpace(writeTemp({ ...withoutFixed, name: 'mine' }));
    expect(space.name).toBe('mine');
    expect(space.fixedBits).toBe(8);
  });

  it('rejects an unknown name that is not a file', () => {
    const error = inputErrorOf(() => resolveSearchSpace('cifar23'));
    expect(error.message).toMatch(/^cifar23: \/: expected a built-in search space \(cifar22, imagenet22, fmnist, fmnist-quick, smoke\)/);
  });

  it('names the bad field of a space file', () => {
    expect(
      inputErrorOf(() => resolveSearchSpace(writeTemp({ ...FMNIST_SPACE, stages: [{ cells: 0, channels: 8, stride: 1 }] }))).pointer,
    ).toBe('/stages/0/cells');
    expect(inputErrorOf(() => resolveSearchSpace(writeTemp({ ...FMNIST_SPACE, ops: ['k3_e1', 'k4_e1'] }))).pointer).toBe('/ops/1');
    expect(inputErrorOf(() => resolveSearchSpace(writeTemp({ ...FMNIST_SPACE, ops: ['k3_e1', 'k3_e1_g3'] }))).pointer).toBe('/ops/1');
    expect(
      inputErrorOf(() => resolveSearchSpace(writeTemp({ ...FMNIST_SPACE, input: { height: 28, width: 32, channels: 1 } }))).pointer,
    ).toBe('/input/width');
  });
});

describe('loadGenotype', () => {
  it('loads a genotype of a built-in space', () => {
    const { genotype, space } = loadGenotype(writeTemp({ version: 1, space: 'fmnist', cells: fmnistCells() }));
    expect(space).toBe(FMNIST_SPACE);
    expect(genotype.cells[4]).toEqual({ op: 'k5_e1', bits: 6 });
  });

  it('resolves a space path relative to the genotype file', () => {
    writeTemp({ ...FMNIST_SPACE, name: 'local', bitwidths: [2, 8] }, 'local.space.json');
    const cells = fmnistCells().map((c) => ({ ...c, bits: 2 }));
    const { space } = loadGenotype(writeTemp({ version: 1, space: 'local.space.json', cells }));
    expect(space.name).toBe('local');
  });

  const cases: Array<[string, unknown, string, RegExp]> = [
    [
      'an op outside the space',
      { cells: fmnistCells().map((c, i) => (i === 3 ? { ...c, op: 'k7_e6' } : c)) },
      '/cells/3/op',
      /expected one of k3_e1, .*found "k7_e6"/,
    ],
    [
      'a bitwidth outside the space',
      { cells: fmnistCells().map((c, i) => (i === 2 ? { ...c, bits: 5 } : c)) },
      '/cells/2/bits',
      /expected one of 4, 6, 8, found 5/,
    ],
    ['too few cells', { cells: fmnistCells().slice(0, 7) }, '/cells', /expected 8 cells \(space fmnist\), found 7/],
    [
      'a missing field',
      { cells: fmnistCells().map((c, i) => (i === 1 ? { op: c.op } : c)) },
      '/cells/1',
      /missing required property "bits"/,
    ],
    [
      'an unknown field',
      { cells: fmnistCells().map((c, i) => (i === 6 ? { ...c, stride: 2 } : c)) },
      '/cells/6',
      /unknown property "stride"/,
    ],
    ['bits out of range', { cells: fmnistCells().map((c, i) => (i === 0 ? { ...c, bits: 1 } : c)) }, '/cells/0/bits', /genotype:/],
    ['an unknown space', { space: 'nowhere.json' }, '/space', /found "nowhere.json"/],
    ['a wrong version', { version: 2 }, '/version', /expected 1/],
  ];
  for (const [what, patch, pointer, message] of cases) {
    it(`points at ${pointer} for ${what}`, () => {
      const file = writeTemp({ version: 1, space: 'fmnist', cells: fmnistCells(), ...(patch as object) });
      const error = inputErrorOf(() => loadGenotype(file));
      expect(error.file).toBe(file);
      expect(error.pointer).toBe(pointer);
      expect(error.message).toMatch(message);
      expect(error.message).not.toContain('\n');
    });
  }

  it('rejects a file that is not JSON', () => {
    expect(inputErrorOf(() => loadGenotype(writeTemp('{ "version": 1,'))).message).toMatch(/not valid JSON/);
  });
});
