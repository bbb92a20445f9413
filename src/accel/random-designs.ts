/**
 * Random small designs for the checks and sweeps of the hardware views: networks that chain
 * conv, grouped conv with channel shuffle, depthwise, residual add, windowed and global pools
 * and an fc (float logits or codes) with random shapes, kernels 1/3/5, strides, padding and
 * bitwidths 4/6/8; and accelerators with random chunk parameters (both loop orders, both PE
 * modes, random tiles and ports) on a chosen board. Feasibility is not the point: coverage is.
 */
import type { LayerSpec, NetworkSpec } from '../core/network.js';
import { checkNetwork } from '../core/network-check.js';
import type { Provenance } from '../core/provenance.js';
import type { Rng } from '../core/random.js';
import { allocateChunks } from './allocate.js';
import { resolveBoard } from './boards.js';
import { DEFAULT_DESIGN_SPACE } from './design-space.js';
import type { ChunkParams, DesignPoint } from './types.js';

const L = (l: Partial<LayerSpec> & Pick<LayerSpec, 'name' | 'kind' | 'inputs'>): LayerSpec => ({
  inH: 1,
  inW: 1,
  inC: 1,
  outH: 1,
  outW: 1,
  outC: 1,
  kernel: 1,
  stride: 1,
  pad: 0,
  groups: 1,
  activation: 'none',
  bits: 8,
  outBits: 8,
  ...l,
});

/**
 * A random small network: a chain of conv / grouped conv (with shuffle) / depthwise layers of
 * random kernels 1/3/5, strides, padding and bitwidths 4/6/8, sometimes a residual add over a 1×1
 * branch and a windowed average pool, then a global pool and an fc (float logits or codes).
 */
export interface RandomNetworkScale {
  /** Input maps of `size`…`size`+5 pixels a side (default 5). */
  readonly size?: number;
  /** Channels multiply by up to this factor (default 1: 1–4 input, 2–12 per conv). */
  readonly channels?: number;
}

export function randomNetwork(rng: Rng, name: string, scale: RandomNetworkScale = {}): NetworkSpec {
  const pick = <T>(xs: readonly T[]): T => xs[rng.int(xs.length)];
  const size = scale.size ?? 5;
  const wide = scale.channels ?? 1;
  const layers: LayerSpec[] = [];
  let h = size + rng.int(6);
  let w = size + rng.int(6);
  let c = 1 + rng.int(4);
  const input = { height: h, width: w, channels: c };
  let prev = 'input';
  let bits = 8;
  const push = (l: LayerSpec) => {
    layers.push(l);
    prev = l.name;
    h = l.outH;
    w = l.outW;
    c = l.outC;
    bits = l.outBits;
  };
  const windowed = (kernel: number, stride: number, pad: number) => ({
    outH: Math.floor((h + 2 * pad - kernel) / stride) + 1,
    outW: Math.floor((w + 2 * pad - kernel) / stride) + 1,
  });
  const count = 3 + rng.int(3);
  for (let i = 0; i < count; i++) {
    const kind = i === 0 ? 'conv' : pick(['conv', 'conv', 'dwconv', 'grouped'] as const);
    const kernel = Math.min(pick([1, 3, 5]), Math.min(h, w) + 2);
    const pad = kernel === 1 ? 0 : pick([0, kernel >> 1]);
    const stride = h > 4 && w > 4 ? pick([1, 1, 2]) : 1;
    const size = windowed(kernel, stride, pad);
    if (size.outH < 1 || size.outW < 1) continue;
    const outBits = pick([4, 6, 8]);
    const activation = pick(['none', 'relu', 'relu6'] as const);
    const base = { name: `l${i}`, inputs: [prev], inH: h, inW: w, inC: c, ...size, kernel, stride, pad, activation, bits, outBits };
    if (kind === 'dwconv') push(L({ ...base, kind: 'dwconv', outC: c, groups: c }));
    else if (kind === 'grouped' && c % 2 === 0) {
      const groups = c % 4 === 0 && rng.next() < 0.5 ? 4 : 2;
      const outC = groups * (1 + rng.int(3 * wide));
      push(
        L({
          ...base,
          kind: 'conv',
          kernel: 1,
          pad: 0,
          stride: 1,
          outH: h,
          outW: w,
          outC,
          groups,
          ...(rng.next() < 0.6 ? { shuffle: groups } : {}),
        }),
      );
    } else push(L({ ...base, kind: 'conv', outC: 2 + rng.int(11 * wide) }));
  }
  if (rng.next() < 0.6) {
    const trunk = prev;
    push(L({ name: 'branch', kind: 'conv', inputs: [trunk], inH: h, inW: w, inC: c, outH: h, outW: w, outC: c, bits, outBits: bits }));
    const outBits = pick([4, 6, 8]);
    push(L({ name: 'sum', kind: 'add', inputs: [trunk, 'branch'], inH: h, inW: w, inC: c, outH: h, outW: w, outC: c, bits, outBits }));
  }
  if (rng.next() < 0.6 && h >= 2 && w >= 2) {
    const kernel = pick([2, 3]);
    const stride = pick([1, 2]);
    const pad = pick([0, 1]);
    const size = windowed(kernel, stride, pad);
    if (size.outH >= 1 && size.outW >= 1 && kernel > pad)
      push(
        L({
          name: 'avg',
          kind: 'pool',
          inputs: [prev],
          inH: h,
          inW: w,
          inC: c,
          ...size,
          outC: c,
          kernel,
          stride,
          pad,
          bits,
          outBits: bits,
        }),
      );
  }
  // global pool: one window over the whole map (padded to a square, padding not counted)
  let k = Math.max(h, w);
  let gapPad = 0;
  const single = (kk: number, pp: number) => [h, w].every((n) => Math.floor((n + 2 * pp - kk) / kk) === 0 && n + 2 * pp >= kk);
  while (!single(k, gapPad)) {
    if (++gapPad >= k) [k, gapPad] = [k + 1, 0];
  }
  push(
    L({
      name: 'gap',
      kind: 'pool',
      inputs: [prev],
      inH: h,
      inW: w,
      inC: c,
      outH: 1,
      outW: 1,
      outC: c,
      kernel: k,
      stride: k,
      pad: gapPad,
      bits,
      outBits: bits,
    }),
  );
  const classes = 2 + rng.int(9);
  const logits = rng.next() < 0.7;
  push(
    L({
      name: 'fc',
      kind: 'fc',
      inputs: [prev],
      inC: c,
      outC: classes,
      bits,
      outBits: logits ? 32 : pick([4, 6, 8]),
      activation: logits ? 'none' : pick(['none', 'relu'] as const),
    }),
  );
  return checkNetwork({ version: 1, name, input, classes, layers }, name);
}

/** Random chunk parameters (feasibility is not the point here: every loop order and PE mode is). */
function randomParams(rng: Rng, dw: boolean): ChunkParams {
  const pick = <T>(xs: readonly T[]): T => xs[rng.int(xs.length)];
  const parallel = pick(['mn', 'mp'] as const);
  const tileM = pick([1, 2, 4, 8, 16]);
  const tileN = dw ? 1 : pick([1, 2, 4, 8, 16]);
  const tileR = pick([1, 2, 3, 8]);
  const tileC = pick([1, 2, 3, 8]);
  const peM = pick([1, 2, 4, 8].filter((p) => p <= tileM));
  const peN = dw && parallel === 'mn' ? 1 : pick([1, 2, 4].filter((p) => p <= (parallel === 'mn' ? tileN : tileC)));
  return { parallel, loopOrder: pick(['os', 'ws'] as const), tileM, tileN, tileR, tileC, peM, peN, portBits: pick([32, 64, 128]) };
}

/** A design of `network` on the ZCU102 with random chunk parameters. */
export function randomDesign(rng: Rng, network: NetworkSpec, boardName = 'zcu102', provenance?: Provenance): DesignPoint {
  const board = resolveBoard(boardName);
  const chunks = allocateChunks(network).map((c) => ({ ...c, layers: [...c.layers], params: randomParams(rng, c.kind === 'dw') }));
  return {
    version: 1,
    name: network.name,
    network,
    board,
    accelerator: { clockMhz: board.clockMhz, chunks },
    space: DEFAULT_DESIGN_SPACE,
    predicted: { feasible: true, fps: 0, latencyCycles: 0, dsp: 0, bram18: 0, lut: 0 },
    provenance: provenance ?? { tool: 'trips-hw', toolVersion: '0.0.0', gitHash: 'random', createdAt: '1970-01-01T00:00:00.000Z' },
  };
}
