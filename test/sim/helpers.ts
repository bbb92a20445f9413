/**
 * Shared pieces of the co-simulation tests: Verilator detection, projects of fixture designs
 * (program, golden vectors, rendered RTL), and seeded random micro-networks — one layer under
 * test (conv / grouped conv with shuffle / depthwise / add / pool / fc) behind a stem that sets
 * its input precision — on random chunk parameters.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { execa } from 'execa';
import type { ChunkParams, ChunkSpec, DesignPoint } from '../../src/accel/types.js';
import { generateProject, type GeneratedProject } from '../../src/backend/generate.js';
import type { RtlSizes } from '../../src/backend/rtl/lower.js';
import type { GoldenVectors, ProgramSpec } from '../../src/backend/types.js';
import type { Activation, LayerSpec, NetworkSpec } from '../../src/core/network.js';
import { outputSizeOf } from '../../src/core/network-check.js';
import { PACKAGE_ROOT } from '../../src/core/paths.js';
import type { Rng } from '../../src/core/random.js';
import { selectBackend } from '../../src/nn/backend.js';
import { randomWeights } from '../../src/nn/random-weights.js';
import { buildIntegerModel } from '../../src/quant/index.js';
import { TEST_PROVENANCE } from '../backend/helpers.js';

export const FIXTURES = join(PACKAGE_ROOT, 'test', 'fixtures');

/** Why the Verilator tests skip, or undefined when verilator and g++ are there. */
export async function verilatorMissing(): Promise<string | undefined> {
  try {
    await execa('verilator', ['--version']);
    await execa('g++', ['--version']);
    return undefined;
  } catch {
    return 'verilator or g++ not on PATH (apt-get install verilator g++): co-simulation tests skipped';
  }
}

export function loadFixture(name: string): DesignPoint {
  return JSON.parse(readFileSync(join(FIXTURES, name), 'utf8')) as DesignPoint;
}

/** The generated project of a design with seeded random weights: its program, golden vectors and files (manifest included). */
export async function programOf(
  design: DesignPoint,
  seed = 1,
  images = 1,
): Promise<{ program: ProgramSpec; golden: GoldenVectors; files: GeneratedProject['files'] }> {
  await selectBackend('cpu');
  const weights = randomWeights(design.network, seed);
  const model = buildIntegerModel(design.network, weights);
  for (const t of Object.values(weights)) t.dispose();
  const { program, golden, files } = generateProject(design, model, {
    tool: 'vitis-hls-2023.2',
    provenance: TEST_PROVENANCE,
    weights: { source: 'random', seed },
    images,
    seed: seed + 6,
  });
  return { program, golden, files };
}

/** What `generate` writes that `sim` reads: program.json, golden.json, rtl/. */
/** Every file of a generated project under `dir`, as `trips-hw generate` writes them. */
export function writeProject(dir: string, project: { readonly files: GeneratedProject['files'] }): void {
  for (const f of project.files) {
    mkdirSync(dirname(join(dir, f.path)), { recursive: true });
    writeFileSync(join(dir, f.path), f.content);
  }
}

/**
 * The engine every random case of one kind runs on: the case's PE array, parallel mode, loop
 * order and chunk kind (they fix the hardware), buffers deep enough for every case, so one
 * Verilator build per kind serves them all.
 */
export const UNIVERSAL_DEPTHS = { IN_DEPTH: 4096, W_DEPTH: 2048, ACC_DEPTH: 2048, RQ_DEPTH: 64, PROG_WORDS: 512 } as const;

export function universalSizes(sizes: RtlSizes): RtlSizes {
  return { ...sizes, ...UNIVERSAL_DEPTHS, ACT_W: 16, W_W: 8, IN_BLOCK: 1, W_BLOCK: 1, ACC_BLOCK: 1, RQ_BLOCK: 1, ROT: 1 };
}

/** The PE array of a random chunk: one per parallel mode and chunk kind (each a build). */
const RANDOM_PE = { mn: { conv: [4, 2], dw: [4, 1] }, mp: { conv: [2, 4], dw: [2, 2] } } as const;

const pick = <T>(rng: Rng, options: readonly T[]): T => rng.pick(options);
const int = (rng: Rng, lo: number, hi: number) => lo + rng.int(hi - lo + 1);

export type CaseKind = 'conv' | 'group' | 'dw' | 'add' | 'pool' | 'fc';
export const CASE_KINDS: readonly CaseKind[] = ['conv', 'group', 'dw', 'add', 'pool', 'fc'];

function window(
  rng: Rng,
  from: LayerSpec | { outH: number; outW: number },
  kernels: readonly number[],
): { kernel: number; stride: number; pad: number; outH: number; outW: number } {
  for (;;) {
    const kernel = pick(rng, kernels);
    const stride = pick(rng, [1, 1, 2]);
    const pad = pick(rng, [0, kernel >> 1, kernel >> 1]);
    const outH = outputSizeOf(from.outH, kernel, stride, pad);
    const outW = outputSizeOf(from.outW, kernel, stride, pad);
    if (outH >= 1 && outW >= 1 && pad < kernel) return { kernel, stride, pad, outH, outW };
  }
}

function layer(
  name: string,
  kind: LayerSpec['kind'],
  from: LayerSpec,
  inputs: string[],
  rest: Partial<LayerSpec> & { outC: number; bits: number; outBits: number },
): LayerSpec {
  return {
    name,
    kind,
    inputs,
    inH: from.outH,
    inW: from.outW,
    inC: from.outC,
    outH: from.outH,
    outW: from.outW,
    kernel: 1,
    stride: 1,
    pad: 0,
    groups: 1,
    activation: 'none' as Activation,
    ...rest,
  };
}

/** A micro-network around one layer of `kind` at input precision q. */
export function randomNetwork(rng: Rng, kind: CaseKind, q: number): NetworkSpec {
  const h = int(rng, 3, 9);
  const w = int(rng, 3, 9);
  const c = int(rng, 1, 5);
  const act = () => pick(rng, ['none', 'relu', 'relu6'] as const);
  const qo = () => pick(rng, [4, 6, 8]);
  const input = { outH: h, outW: w, outC: c } as LayerSpec;
  const stemOut = kind === 'group' ? pick(rng, [4, 6, 8]) : int(rng, 2, 9);
  const sk = pick(rng, [1, 3]);
  const stem: LayerSpec = {
    ...layer('stem', 'conv', input, ['input'], { outC: stemOut, bits: 8, outBits: q, kernel: sk, pad: sk >> 1, activation: 'relu' }),
    inC: c,
  };
  const draft = { layers: [stem] };
  const last = (l: LayerSpec) => draft.layers.push(l);
  if (kind === 'conv' || kind === 'group') {
    const g =
      kind === 'group'
        ? pick(
            rng,
            [2, stemOut / 2].filter((v) => stemOut % v === 0),
          )
        : 1;
    const outC = g * int(rng, 1, 3);
    const win = window(rng, stem, [1, 3, 5]);
    const shuffle = g > 1 && rng.next() < 0.6 ? g : undefined;
    last(
      layer('x', 'conv', stem, ['stem'], {
        ...win,
        outC,
        groups: g,
        bits: q,
        outBits: qo(),
        activation: act(),
        ...(shuffle ? { shuffle } : {}),
      }),
    );
  } else if (kind === 'dw') {
    last(
      layer('x', 'dwconv', stem, ['stem'], {
        ...window(rng, stem, [3, 5]),
        outC: stemOut,
        groups: stemOut,
        bits: q,
        outBits: qo(),
        activation: act(),
      }),
    );
  } else if (kind === 'add') {
    const q2 = qo();
    const outC = int(rng, 2, 8);
    last(layer('a', 'conv', stem, ['stem'], { outC, bits: q, outBits: q2, activation: act() }));
    last(layer('b', 'conv', stem, ['stem'], { outC, kernel: 3, pad: 1, bits: q, outBits: q2 }));
    const a = draft.layers[1];
    last(layer('x', 'add', a, ['a', 'b'], { outC, bits: q2, outBits: qo(), activation: pick(rng, ['none', 'relu'] as const) }));
  } else if (kind === 'pool') {
    const win = rng.next() < 0.4 ? globalWindow(stem) : window(rng, stem, [2, 3]);
    last(layer('x', 'pool', stem, ['stem'], { ...win, outC: stemOut, bits: q, outBits: q }));
  } else {
    last(layer('gap', 'pool', stem, ['stem'], { ...globalWindow(stem), outC: stemOut, bits: q, outBits: q }));
    last(layer('x', 'fc', draft.layers[1], ['gap'], { outC: int(rng, 2, 7), bits: q, outBits: rng.next() < 0.5 ? 32 : 8 }));
  }
  return {
    version: 1,
    name: `random-${kind}`,
    input: { height: h, width: w, channels: c },
    classes: draft.layers[draft.layers.length - 1].outC,
    layers: draft.layers,
  };
}

/** One square window over the whole map (the short side padded; padding is not counted). */
function globalWindow(from: LayerSpec): { kernel: number; stride: number; pad: number; outH: number; outW: number } {
  const kernel = Math.max(from.outH, from.outW);
  const pad = Math.ceil((kernel - Math.min(from.outH, from.outW)) / 2);
  return {
    kernel,
    stride: kernel,
    pad,
    outH: outputSizeOf(from.outH, kernel, kernel, pad),
    outW: outputSizeOf(from.outW, kernel, kernel, pad),
  };
}

function randomParams(rng: Rng, dw: boolean, parallel: 'mn' | 'mp', loopOrder: 'os' | 'ws'): ChunkParams {
  const [peM, peN] = RANDOM_PE[parallel][dw ? 'dw' : 'conv'];
  // tiles at least the PE array they unroll; some not a multiple of it (edge lanes, table banks)
  const tileM = pick(
    rng,
    [2, 3, 4, 6, 8].filter((t) => t >= peM),
  );
  const tileN = dw
    ? 1
    : pick(
        rng,
        [1, 2, 3, 4, 8].filter((t) => parallel === 'mp' || t >= peN),
      );
  const tileR = pick(rng, [1, 2, 3, 4, 8]);
  const tileC = pick(
    rng,
    [1, 2, 3, 5, 8].filter((t) => parallel === 'mn' || t >= peN),
  );
  return { parallel, loopOrder, tileM, tileN, tileR, tileC, peM, peN, portBits: pick(rng, [32, 64, 128, 256]) };
}

/** Chunks as the allocator keys them: MAC layers by kind and bits; add / pool on their producer's chunk. */
export function randomDesign(
  base: DesignPoint,
  network: NetworkSpec,
  rng: Rng,
  parallel: 'mn' | 'mp',
  loopOrder: 'os' | 'ws',
): DesignPoint {
  const chunks = new Map<string, { kind: 'conv' | 'dw'; bits: number; layers: string[] }>();
  const owner = new Map<string, string>();
  for (const l of network.layers) {
    let id: string;
    if (l.kind === 'add' || l.kind === 'pool') id = owner.get(l.inputs[0]) as string;
    else id = `${l.kind === 'dwconv' ? 'dw' : 'conv'}_small_b${l.bits}`;
    if (!chunks.has(id)) chunks.set(id, { kind: id.startsWith('dw') ? 'dw' : 'conv', bits: l.bits, layers: [] });
    chunks.get(id)?.layers.push(l.name);
    owner.set(l.name, id);
  }
  const specs: ChunkSpec[] = [...chunks.entries()].map(([id, c]) => ({
    id,
    kind: c.kind,
    size: 'small',
    bits: c.bits,
    layers: c.layers,
    params: randomParams(rng, c.kind === 'dw', parallel, loopOrder),
  }));
  return { ...base, name: network.name, network, accelerator: { clockMhz: base.accelerator.clockMhz, chunks: specs } };
}
