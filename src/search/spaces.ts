/**
 * Search spaces and genotypes — stage: search. In: a built-in space name (cifar22, imagenet22,
 * fmnist, fmnist-quick, smoke) or a search-space file; a genotype file. Out: a checked
 * SearchSpaceSpec, its cells in network order, a genotype checked against its space. What stays
 * true: past the schema, every op parses, has an odd kernel and groups dividing every cell's
 * channels; a bad file is an `InputError` naming it and the JSON pointer.
 */
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { InputError } from '../core/diagnostics.js';
import { loadArtifact } from '../core/schema.js';
import { plainText } from '../core/text.js';
import type { CellOp, CellSlot, GenotypeSpec, SearchSpaceSpec, SearchStageSpec } from './types.js';

/** The nine FBNet candidates of method.md §2, in the paper's order. */
export const FBNET_OPS: readonly string[] = ['k3_e1', 'k3_e1_g2', 'k3_e3', 'k3_e6', 'k5_e1', 'k5_e1_g2', 'k5_e3', 'k5_e6', 'skip'];

/** Precision bits of stem/head/fc when a space file does not say ([ours], method.md §3). */
const DEFAULT_FIXED_BITS = 8;

function stagesOf(cells: number[], channels: number[], strides: number[]): SearchStageSpec[] {
  return cells.map((n, i) => ({ cells: n, channels: channels[i], stride: strides[i] }));
}

const FBNET_CELLS = [1, 4, 4, 4, 4, 4, 1];
const FBNET_CHANNELS = [16, 24, 32, 64, 112, 184, 352];

export const CIFAR22_SPACE: SearchSpaceSpec = {
  version: 1,
  name: 'cifar22',
  input: { height: 32, width: 32, channels: 3 },
  classes: 10,
  stem: { channels: 16, stride: 1, kernel: 3 },
  stages: stagesOf(FBNET_CELLS, FBNET_CHANNELS, [1, 1, 2, 2, 1, 2, 1]),
  ops: FBNET_OPS,
  bitwidths: [4, 6, 8],
  head: { channels: 1504 },
  fixedBits: DEFAULT_FIXED_BITS,
};

const IMAGENET22_SPACE: SearchSpaceSpec = {
  version: 1,
  name: 'imagenet22',
  input: { height: 224, width: 224, channels: 3 },
  classes: 1000,
  stem: { channels: 16, stride: 2, kernel: 3 },
  stages: stagesOf(FBNET_CELLS, FBNET_CHANNELS, [1, 2, 2, 2, 1, 2, 1]),
  ops: FBNET_OPS,
  bitwidths: [4, 6, 8],
  head: { channels: 1984 },
  fixedBits: DEFAULT_FIXED_BITS,
};

/** [ours] A small 8-cell space sized for 28×28 Fashion-MNIST (method.md §2). */
export const FMNIST_SPACE: SearchSpaceSpec = {
  version: 1,
  name: 'fmnist',
  input: { height: 28, width: 28, channels: 1 },
  classes: 10,
  stem: { channels: 16, stride: 1, kernel: 3 },
  stages: stagesOf([1, 2, 2, 2, 1], [16, 24, 32, 48, 64], [1, 2, 2, 1, 1]),
  ops: FBNET_OPS,
  bitwidths: [4, 6, 8],
  head: { channels: 256 },
  fixedBits: DEFAULT_FIXED_BITS,
};

/** A 3-cell space on 28×28×1 with three ops and two bitwidths. */
export const SMOKE_SPACE: SearchSpaceSpec = {
  version: 1,
  name: 'smoke',
  input: { height: 28, width: 28, channels: 1 },
  classes: 10,
  stem: { channels: 8, stride: 2, kernel: 3 },
  stages: [
    { cells: 1, channels: 8, stride: 1 },
    { cells: 2, channels: 16, stride: 2 },
  ],
  ops: ['k3_e1', 'k3_e3', 'skip'],
  bitwidths: [4, 8],
  head: { channels: 64 },
  fixedBits: DEFAULT_FIXED_BITS,
};

/**
 * [ours] The quick space: the fmnist space's shape with a stride-2 stem (14×14 maps inside, so
 * a supernet step costs a quarter) and four of the nine ops (k3_e1, k3_e3, k5_e3, skip): a one-shot supernet's weights
 * learn slowly while each cell's candidates feed every candidate of the next, and the quick
 * budget is a few thousand steps.
 */
export const QUICK_SPACE: SearchSpaceSpec = {
  version: 1,
  name: 'fmnist-quick',
  input: { height: 28, width: 28, channels: 1 },
  classes: 10,
  stem: { channels: 16, stride: 2, kernel: 3 },
  stages: [
    { cells: 1, channels: 16, stride: 1 },
    { cells: 2, channels: 24, stride: 2 },
    { cells: 2, channels: 32, stride: 1 },
    { cells: 1, channels: 48, stride: 2 },
  ],
  ops: ['k3_e1', 'k3_e3', 'k5_e3', 'skip'],
  bitwidths: [4, 6, 8],
  head: { channels: 256 },
  fixedBits: DEFAULT_FIXED_BITS,
};

export const BUILTIN_SPACES: Readonly<Record<string, SearchSpaceSpec>> = {
  cifar22: CIFAR22_SPACE,
  imagenet22: IMAGENET22_SPACE,
  fmnist: FMNIST_SPACE,
  'fmnist-quick': QUICK_SPACE,
  smoke: SMOKE_SPACE,
};

const BUILTIN_LIST = Object.keys(BUILTIN_SPACES).join(', ');

function isBuiltinSpace(name: string): boolean {
  return Object.hasOwn(BUILTIN_SPACES, name);
}

/** Decode an op name (the schema has already checked its spelling); undefined if malformed. */
export function parseCellOp(op: string): CellOp | undefined {
  if (op === 'skip') return { kind: 'skip' };
  const m = /^k([1-9][0-9]*)_e([1-9][0-9]*)(?:_g([1-9][0-9]*))?$/.exec(op);
  if (!m) return undefined;
  return { kind: 'mbconv', kernel: Number(m[1]), expand: Number(m[2]), groups: m[3] === undefined ? 1 : Number(m[3]) };
}

/** The searchable cells of a space in network order, each with its channels and stride. */
export function listCells(space: SearchSpaceSpec): CellSlot[] {
  const slots: CellSlot[] = [];
  let inC = space.stem.channels;
  space.stages.forEach((stage, s) => {
    for (let j = 0; j < stage.cells; j++) {
      slots.push({ index: slots.length, stage: s, inC, outC: stage.channels, stride: j === 0 ? stage.stride : 1 });
      inC = stage.channels;
    }
  });
  return slots;
}

/**
 * Checks the schema cannot express. Odd kernels: padding k >> 1 must keep the map size, or a
 * residual add would see two shapes. Groups must divide every cell's channels, whichever cell
 * the op lands in. Square input: the global pool has one square window.
 */
function checkSearchSpace(space: SearchSpaceSpec, file: string): SearchSpaceSpec {
  if (space.input.width !== space.input.height) {
    throw new InputError(file, '/input/width', `expected width = height (${space.input.height}), found ${space.input.width}`);
  }
  const slots = listCells(space);
  space.ops.forEach((name, i) => {
    const op = parseCellOp(name);
    if (!op) throw new InputError(file, `/ops/${i}`, `expected k{K}_e{E}[_g{G}] or skip, found "${name}"`);
    if (op.kind === 'skip') return;
    if (op.kernel % 2 === 0) {
      throw new InputError(file, `/ops/${i}`, `expected an odd kernel (padding k>>1 keeps the size), found ${op.kernel}`);
    }
    const bad = slots.find((c) => c.inC % op.groups !== 0 || c.outC % op.groups !== 0);
    if (bad) {
      throw new InputError(
        file,
        `/ops/${i}`,
        `expected groups ${op.groups} to divide the channels of every cell, found cell ${bad.index} with ${bad.inC} → ${bad.outC}`,
      );
    }
  });
  return space;
}

/** A built-in space by name, else a search-space file (schema-checked, then `checkSearchSpace`). */
export function resolveSearchSpace(nameOrPath: string): SearchSpaceSpec {
  if (isBuiltinSpace(nameOrPath)) return BUILTIN_SPACES[nameOrPath];
  if (!existsSync(nameOrPath)) {
    throw new InputError(nameOrPath, '', `expected a built-in search space (${BUILTIN_LIST}) or a search-space file, found neither`);
  }
  type SpaceFile = Omit<SearchSpaceSpec, 'fixedBits'> & { readonly fixedBits?: number };
  const raw = loadArtifact<SpaceFile>('search-space', nameOrPath);
  const space: SearchSpaceSpec = { ...raw, fixedBits: raw.fixedBits ?? DEFAULT_FIXED_BITS };
  return checkSearchSpace(space, nameOrPath);
}

/** A genotype fits its space: one cell per slot, every op and bitwidth among the candidates. */
export function checkGenotype(space: SearchSpaceSpec, genotype: GenotypeSpec, file: string): GenotypeSpec {
  const total = listCells(space).length;
  if (genotype.cells.length !== total) {
    throw new InputError(file, '/cells', `expected ${total} cells (space ${plainText(space.name, 60)}), found ${genotype.cells.length}`);
  }
  genotype.cells.forEach((cell, i) => {
    if (!space.ops.includes(cell.op)) {
      throw new InputError(file, `/cells/${i}/op`, `expected one of ${space.ops.join(', ')}, found "${cell.op}"`);
    }
    if (!space.bitwidths.includes(cell.bits)) {
      throw new InputError(file, `/cells/${i}/bits`, `expected one of ${space.bitwidths.join(', ')}, found ${cell.bits}`);
    }
  });
  return genotype;
}

interface LoadedGenotype {
  readonly genotype: GenotypeSpec;
  readonly space: SearchSpaceSpec;
}

/**
 * Read a genotype file and the space it names. A space path is taken relative to the genotype
 * file, so a genotype and its space can be moved together.
 */
export function loadGenotype(file: string): LoadedGenotype {
  const genotype = loadArtifact<GenotypeSpec>('genotype', file);
  let spaceRef = genotype.space;
  if (!isBuiltinSpace(spaceRef)) {
    spaceRef = isAbsolute(spaceRef) ? spaceRef : resolve(dirname(file), spaceRef);
    if (!existsSync(spaceRef)) {
      throw new InputError(
        file,
        '/space',
        `expected a built-in search space (${BUILTIN_LIST}) or a search-space file, found "${genotype.space}"`,
      );
    }
  }
  const space = resolveSearchSpace(spaceRef);
  return { genotype: checkGenotype(space, genotype, file), space };
}
