/**
 * Random small designs for the checks and sweeps of the hardware views: networks that chain
 * conv, grouped conv with channel shuffle, depthwise, residual add, windowed and global pools
 * and an fc (float logits or codes) with random shapes, kernels 1/3/5, strides, padding and
 * bitwidths 4/6/8; and accelerators with random chunk parameters (both loop orders, both PE
 * modes, random tiles and ports) on a chosen board. Feasibility is not the point: coverage is.
 */
import { type LayerSpec, layerSpec, type NetworkSpec } from '../core/network.js';
import { checkNetwork } from '../core/network-check.js';
import type { Provenance } from '../core/provenance.js';
import type { Rng } from '../core/random.js';
import { allocateChunks } from './allocate.js';
import { resolveBoard } from './boards.js';
import { DEFAULT_DESIGN_SPACE } from './design-space.js';
import type { ChunkParams, DesignPoint } from './types.js';

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
  const size = scale.size ?? 5;
  const chain = new Chain(size + rng.int(6), size + rng.int(6), 1 + rng.int(4));
  const input = { height: chain.h, width: chain.w, channels: chain.c };
  const count = 3 + rng.int(3);
  for (let i = 0; i < count; i++) chain.body(rng, i, scale.channels ?? 1);
  if (rng.next() < 0.6) chain.residual(rng);
  if (rng.next() < 0.6 && chain.h >= 2 && chain.w >= 2) chain.averagePool(rng);
  chain.globalPool();
  const classes = 2 + rng.int(9);
  chain.classifier(rng, classes);
  return checkNetwork({ version: 1, name, input, classes, layers: chain.layers }, name);
}

/** A chain of layers being built: the last layer's name, map, channels and output bits. */
class Chain {
  readonly layers: LayerSpec[] = [];
  prev = 'input';
  bits = 8;

  constructor(
    public h: number,
    public w: number,
    public c: number,
  ) {}

  push(l: LayerSpec): void {
    this.layers.push(l);
    this.prev = l.name;
    this.h = l.outH;
    this.w = l.outW;
    this.c = l.outC;
    this.bits = l.outBits;
  }

  windowed(kernel: number, stride: number, pad: number): { outH: number; outW: number } {
    return {
      outH: Math.floor((this.h + 2 * pad - kernel) / stride) + 1,
      outW: Math.floor((this.w + 2 * pad - kernel) / stride) + 1,
    };
  }

  /** The i-th body layer: conv, depthwise or grouped 1×1 conv (with shuffle); skipped if its window does not fit. */
  body(rng: Rng, i: number, wide: number): void {
    const { h, w, c, bits } = this;
    const kind = i === 0 ? 'conv' : rng.pick(['conv', 'conv', 'dwconv', 'grouped'] as const);
    const kernel = Math.min(rng.pick([1, 3, 5]), Math.min(h, w) + 2);
    const pad = kernel === 1 ? 0 : rng.pick([0, kernel >> 1]);
    const stride = h > 4 && w > 4 ? rng.pick([1, 1, 2]) : 1;
    const size = this.windowed(kernel, stride, pad);
    if (size.outH < 1 || size.outW < 1) return;
    const outBits = rng.pick([4, 6, 8]);
    const activation = rng.pick(['none', 'relu', 'relu6'] as const);
    const base = { name: `l${i}`, inputs: [this.prev], inH: h, inW: w, inC: c, ...size, kernel, stride, pad, activation, bits, outBits };
    if (kind === 'dwconv') this.push(layerSpec({ ...base, kind: 'dwconv', outC: c, groups: c }));
    else if (kind === 'grouped' && c % 2 === 0) {
      const groups = c % 4 === 0 && rng.next() < 0.5 ? 4 : 2;
      const outC = groups * (1 + rng.int(3 * wide));
      const shuffle = rng.next() < 0.6 ? { shuffle: groups } : {};
      this.push(layerSpec({ ...base, kind: 'conv', kernel: 1, pad: 0, stride: 1, outH: h, outW: w, outC, groups, ...shuffle }));
    } else this.push(layerSpec({ ...base, kind: 'conv', outC: 2 + rng.int(11 * wide) }));
  }

  /** A 1×1 branch off the trunk and its residual add. */
  residual(rng: Rng): void {
    const { h, w, c, bits } = this;
    const trunk = this.prev;
    const map = { inH: h, inW: w, inC: c, outH: h, outW: w, outC: c, bits };
    this.push(layerSpec({ name: 'branch', kind: 'conv', inputs: [trunk], ...map, outBits: bits }));
    this.push(layerSpec({ name: 'sum', kind: 'add', inputs: [trunk, 'branch'], ...map, outBits: rng.pick([4, 6, 8]) }));
  }

  /** A windowed average pool, when its window fits. */
  averagePool(rng: Rng): void {
    const kernel = rng.pick([2, 3]);
    const stride = rng.pick([1, 2]);
    const pad = rng.pick([0, 1]);
    const size = this.windowed(kernel, stride, pad);
    if (size.outH < 1 || size.outW < 1 || kernel <= pad) return;
    const { h, w, c, bits } = this;
    this.push(
      layerSpec({
        name: 'avg',
        kind: 'pool',
        inputs: [this.prev],
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

  /** One window over the whole map (padded to a square, padding not counted). */
  globalPool(): void {
    const { h, w, c, bits } = this;
    let k = Math.max(h, w);
    let pad = 0;
    const single = (kk: number, pp: number) => [h, w].every((n) => Math.floor((n + 2 * pp - kk) / kk) === 0 && n + 2 * pp >= kk);
    while (!single(k, pad)) {
      if (++pad >= k) [k, pad] = [k + 1, 0];
    }
    const window = { kernel: k, stride: k, pad };
    this.push(
      layerSpec({
        name: 'gap',
        kind: 'pool',
        inputs: [this.prev],
        inH: h,
        inW: w,
        inC: c,
        outH: 1,
        outW: 1,
        outC: c,
        ...window,
        bits,
        outBits: bits,
      }),
    );
  }

  /** The fc: float logits or codes. */
  classifier(rng: Rng, classes: number): void {
    const logits = rng.next() < 0.7;
    this.push(
      layerSpec({
        name: 'fc',
        kind: 'fc',
        inputs: [this.prev],
        inC: this.c,
        outC: classes,
        bits: this.bits,
        outBits: logits ? 32 : rng.pick([4, 6, 8]),
        activation: logits ? 'none' : rng.pick(['none', 'relu'] as const),
      }),
    );
  }
}

/** Random chunk parameters (feasibility is not the point here: every loop order and PE mode is). */
function randomParams(rng: Rng, dw: boolean): ChunkParams {
  const pick = <T>(xs: readonly T[]): T => rng.pick(xs);
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
