import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { macsOf, type LayerSpec, type NetworkSpec } from '../../src/core/network.js';
import { checkNetwork } from '../../src/core/network-check.js';
import { validateArtifact } from '../../src/core/schema.js';
import { lowerGenotypeToNetwork } from '../../src/search/lower-genotype.js';
import { BUILTIN_SPACES, CIFAR22_SPACE, FMNIST_SPACE, loadGenotype } from '../../src/search/spaces.js';
import type { GenotypeSpec, SearchSpaceSpec } from '../../src/search/types.js';

const fixture = (name: string): string => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));

/** fmnist genotype: every cell `skip` at 6 bits except the ones given. */
function fmnistGenotype(overrides: Record<number, { op: string; bits: number }> = {}): GenotypeSpec {
  const cells = Array.from({ length: 8 }, (_, i) => overrides[i] ?? { op: 'skip', bits: 6 });
  return { version: 1, space: 'fmnist', cells };
}

function layer(net: NetworkSpec, name: string): LayerSpec {
  const found = net.layers.find((l) => l.name === name);
  if (!found) throw new Error(`no layer ${name}`);
  return found;
}

const shape = (l: LayerSpec): number[] => [l.inH, l.inW, l.inC, l.outH, l.outW, l.outC];

describe('lowerGenotypeToNetwork on fmnist', () => {
  it('lowers an all-skip genotype to stem, the four shape-changing skip convs and the head', () => {
    const net = lowerGenotypeToNetwork(FMNIST_SPACE, fmnistGenotype());
    expect(net.layers.map((l) => l.name)).toEqual(['stem', 'c1_skip', 'c3_skip', 'c5_skip', 'c7_skip', 'head', 'pool', 'fc']);
    expect(shape(layer(net, 'stem'))).toEqual([28, 28, 1, 28, 28, 16]);
    expect(layer(net, 'stem')).toMatchObject({ kernel: 3, stride: 1, pad: 1, bits: 8, outBits: 6, cell: -1, activation: 'relu' });
    // 16→24 stride 2: 28 → floor((28 − 1) / 2) + 1 = 14; identity cell 2 passes it straight to cell 3.
    expect(shape(layer(net, 'c1_skip'))).toEqual([28, 28, 16, 14, 14, 24]);
    expect(layer(net, 'c3_skip')).toMatchObject({ inputs: ['c1_skip'], inH: 14, outH: 7, outC: 32, cell: 3, op: 'skip' });
    expect(shape(layer(net, 'c5_skip'))).toEqual([7, 7, 32, 7, 7, 48]);
    expect(shape(layer(net, 'c7_skip'))).toEqual([7, 7, 48, 7, 7, 64]);
    expect(layer(net, 'c7_skip').outBits).toBe(8);
    expect(shape(layer(net, 'head'))).toEqual([7, 7, 64, 7, 7, 256]);
    expect(layer(net, 'pool')).toMatchObject({ kind: 'pool', kernel: 7, stride: 7, pad: 0, outH: 1, outW: 1, outC: 256, bits: 8 });
    expect(layer(net, 'fc')).toMatchObject({ kind: 'fc', inC: 256, outC: 10, inH: 1, outH: 1, activation: 'none', outBits: 32 });
  });

  it('lowers k5_e6 at a stride-2 cell with the stride on the depthwise conv and no residual', () => {
    const net = lowerGenotypeToNetwork(FMNIST_SPACE, fmnistGenotype({ 1: { op: 'k5_e6', bits: 4 } }));
    const names = net.layers.map((l) => l.name);
    expect(names.slice(0, 4)).toEqual(['stem', 'c1_expand', 'c1_dw', 'c1_project']);
    expect(names).not.toContain('c1_add');
    const expand = layer(net, 'c1_expand');
    const dw = layer(net, 'c1_dw');
    const project = layer(net, 'c1_project');
    expect(shape(expand)).toEqual([28, 28, 16, 28, 28, 96]);
    expect(expand).toMatchObject({ kernel: 1, stride: 1, groups: 1, activation: 'relu', bits: 4, outBits: 4 });
    expect(shape(dw)).toEqual([28, 28, 96, 14, 14, 96]);
    expect(dw).toMatchObject({ kind: 'dwconv', kernel: 5, stride: 2, pad: 2, groups: 96, activation: 'relu' });
    expect(shape(project)).toEqual([14, 14, 96, 14, 14, 24]);
    expect(project).toMatchObject({ activation: 'none', groups: 1, outBits: 6 });
    // Hand-computed: 28·28·16·96, 14·14·96·25, 14·14·96·24.
    expect([macsOf(expand), macsOf(dw), macsOf(project)]).toEqual([1_204_224, 470_400, 451_584]);
    expect(layer(net, 'stem').outBits).toBe(4);
    expect(layer(net, 'c3_skip').inputs).toEqual(['c1_project']);
  });

  it('lowers k3_e1_g2 with grouped 1×1 convs and a residual add on the block input', () => {
    const net = lowerGenotypeToNetwork(FMNIST_SPACE, fmnistGenotype({ 0: { op: 'k3_e1_g2', bits: 8 } }));
    expect(net.layers.map((l) => l.name).slice(0, 6)).toEqual(['stem', 'c0_expand', 'c0_dw', 'c0_project', 'c0_add', 'c1_skip']);
    expect(layer(net, 'c0_expand')).toMatchObject({ inC: 16, outC: 16, groups: 2, kernel: 1, shuffle: 2 });
    expect(layer(net, 'c0_project').shuffle).toBeUndefined();
    expect(layer(net, 'c0_dw')).toMatchObject({ kind: 'dwconv', kernel: 3, stride: 1, pad: 1, groups: 16, outH: 28 });
    expect(layer(net, 'c0_project')).toMatchObject({ inC: 16, outC: 16, groups: 2, outBits: 8 });
    expect(layer(net, 'c0_add')).toMatchObject({
      kind: 'add',
      inputs: ['c0_project', 'stem'],
      kernel: 1,
      stride: 1,
      pad: 0,
      groups: 1,
      activation: 'none',
      bits: 8,
      outBits: 6,
      cell: 0,
      op: 'k3_e1_g2',
    });
    expect(shape(layer(net, 'c0_add'))).toEqual([28, 28, 16, 28, 28, 16]);
    // Grouped 1×1: each output channel sees 16 / 2 inputs.
    expect(macsOf(layer(net, 'c0_expand'))).toBe(28 * 28 * 16 * 8);
    expect(layer(net, 'c1_skip').inputs).toEqual(['c0_add']);
  });

  it('rejects a genotype that does not fit the space', () => {
    const short: GenotypeSpec = { version: 1, space: 'fmnist', cells: [{ op: 'skip', bits: 8 }] };
    expect(() => lowerGenotypeToNetwork(FMNIST_SPACE, short)).toThrow(/\/cells: expected 8 cells/);
  });
});

/** Independent MAC count: walks the space's stage lists directly, no layer list. */
function independentMacs(space: SearchSpaceSpec, genotype: GenotypeSpec): number {
  let h = Math.floor((space.input.height - 1) / space.stem.stride) + 1;
  let total = h * h * space.stem.channels * space.input.channels * space.stem.kernel ** 2;
  let cin = space.stem.channels;
  let i = 0;
  space.stages.forEach((stage) => {
    for (let j = 0; j < stage.cells; j++, i++) {
      const stride = j === 0 ? stage.stride : 1;
      const ho = Math.floor((h - 1) / stride) + 1;
      const cout = stage.channels;
      const m = /^k(\d+)_e(\d+)(?:_g(\d+))?$/.exec(genotype.cells[i].op);
      if (m) {
        const [k, e, g] = [Number(m[1]), Number(m[2]), Number(m[3] ?? 1)];
        total += h * h * cin * e * (cin / g) + ho * ho * cin * e * k * k + ho * ho * cout * ((cin * e) / g);
      } else if (cin !== cout || stride !== 1) {
        total += ho * ho * cin * cout;
      }
      h = ho;
      cin = cout;
    }
  });
  return total + h * h * cin * space.head.channels + space.head.channels * space.classes;
}

describe('lowerGenotypeToNetwork on cifar22', () => {
  const { genotype, space } = loadGenotype(fixture('cifar22-mixed.genotype.json'));
  const net = lowerGenotypeToNetwork(space, genotype);

  it('counts the MACs an independent walk of the space counts', () => {
    const total = net.layers.reduce((sum, l) => sum + macsOf(l), 0);
    expect(total).toBe(independentMacs(space, genotype));
    expect(total).toBe(59_229_504);
    expect(net.layers).toHaveLength(68);
  });

  it('has a residual add exactly in the MBConv cells that keep the shape', () => {
    const addCells = net.layers.filter((l) => l.kind === 'add').map((l) => l.cell);
    expect(addCells).toEqual([0, 3, 4, 7, 8, 10, 12, 14, 16, 18, 19, 20]);
    // Cell 17 is skip across 112 → 184 stride 2: a 1×1 conv; the other skips are identities.
    expect(net.layers.filter((l) => l.op === 'skip').map((l) => l.name)).toEqual(['c17_skip']);
  });

  it('gives every cell layer its cell bits and every layer the precision its consumer reads', () => {
    for (const l of net.layers) {
      if (l.cell !== undefined && l.cell >= 0) expect(l.bits).toBe(genotype.cells[l.cell].bits);
      for (const producer of l.inputs.filter((n) => n !== 'input')) expect(layer(net, producer).outBits).toBe(l.bits);
    }
    expect(layer(net, 'head').outC).toBe(1504);
    expect(layer(net, 'pool')).toMatchObject({ kernel: 4, inH: 4, outH: 1 });
  });
});

describe('every built-in space lowers to a valid network', () => {
  for (const [name, space] of Object.entries(BUILTIN_SPACES)) {
    it(name, () => {
      const total = space.stages.reduce((n, s) => n + s.cells, 0);
      // Cycle through ops and bitwidths so every op meets several cell shapes.
      const cells = Array.from({ length: total }, (_, i) => ({
        op: space.ops[i % space.ops.length],
        bits: space.bitwidths[i % space.bitwidths.length],
      }));
      const net = lowerGenotypeToNetwork(space, { version: 1, space: name, cells }, `${name}_cycle`);
      const roundTripped = JSON.parse(JSON.stringify(net)) as unknown;
      expect(() => validateArtifact('network', roundTripped, `${name}.network.json`)).not.toThrow();
      expect(() => checkNetwork(net, `${name}.network.json`)).not.toThrow();
      expect(net.layers.at(-1)).toMatchObject({ name: 'fc', outC: space.classes, outBits: 32 });
    });
  }

  it('fmnist-small fixture lowers and checks', () => {
    const { genotype, space } = loadGenotype(fixture('fmnist-small.genotype.json'));
    const net = checkNetwork(lowerGenotypeToNetwork(space, genotype), 'fmnist-small');
    expect(validateArtifact('network', net, 'fmnist-small')).toBe(net);
    expect(net.layers.filter((l) => l.kind === 'add').map((l) => l.cell)).toEqual([0, 4]);
  });
});

describe('imagenet22', () => {
  it('takes 224 down to 7 before the head', () => {
    const cells = Array.from({ length: 22 }, () => ({ op: 'k3_e6', bits: 8 }));
    const net = lowerGenotypeToNetwork(BUILTIN_SPACES.imagenet22, { version: 1, space: 'imagenet22', cells });
    expect(layer(net, 'stem')).toMatchObject({ outH: 112, stride: 2 });
    expect(layer(net, 'head')).toMatchObject({ inH: 7, inC: 352, outC: 1984 });
    expect(layer(net, 'fc').outC).toBe(1000);
    expect(CIFAR22_SPACE.stages).toHaveLength(7);
  });
});
