/**
 * Builders shared by the accelerator tests: hand-written layers, one-chunk problems and chunk
 * parameters, so each test states only the numbers its hand computation uses.
 */
import type { LayerKind, LayerSpec, NetworkSpec } from '../../src/core/network.js';
import type { ChunkAllocation } from '../../src/accel/allocate.js';
import { resolveBoard } from '../../src/accel/boards.js';
import { packParams } from '../../src/accel/evaluate.js';
import { compileCostProblem, type CostProblem } from '../../src/accel/problem.js';
import type { BoardSpec, CalibrationSpec, ChunkKind, ChunkParams } from '../../src/accel/types.js';

/** ZC706: 900 DSP, 1090 BRAM18, 200 MHz, 4.264 GB/s → 170.56 DRAM bits per cycle. */
/**
 * The ZC706 with a DRAM that answers in the cycle it is asked: the hand computations of these
 * tests are of the latency-free terms (cost-model.test.ts charges the latency on its own).
 */
const zc706 = resolveBoard('zc706');
export const ZC706: BoardSpec = { ...zc706, dram: { ...zc706.dram, readLatencyCycles: 0 } };

export interface LayerShape {
  readonly kind?: LayerKind;
  readonly inputs?: readonly string[];
  readonly inH: number;
  readonly inC: number;
  readonly outC: number;
  readonly kernel?: number;
  readonly stride?: number;
  readonly groups?: number;
  readonly bits?: number;
  readonly outBits?: number;
}

/** A square layer; pad k>>1 (pool: 0), so outH = floor((inH + 2·pad − k) / s) + 1. */
export function layer(name: string, s: LayerShape): LayerSpec {
  const kind = s.kind ?? 'conv';
  const kernel = s.kernel ?? 1;
  const stride = s.stride ?? 1;
  const pad = kind === 'pool' ? 0 : kernel >> 1;
  const out = Math.floor((s.inH + 2 * pad - kernel) / stride) + 1;
  return {
    name,
    kind,
    inputs: s.inputs ?? ['input'],
    inH: s.inH,
    inW: s.inH,
    inC: s.inC,
    outH: out,
    outW: out,
    outC: s.outC,
    kernel,
    stride,
    pad,
    groups: s.groups ?? (kind === 'dwconv' ? s.outC : 1),
    activation: 'none',
    bits: s.bits ?? 8,
    outBits: s.outBits ?? 8,
  };
}

export function network(layers: readonly LayerSpec[]): NetworkSpec {
  const first = layers[0];
  return {
    version: 1,
    name: 'hand',
    input: { height: first.inH, width: first.inW, channels: first.inC },
    classes: 10,
    layers,
  };
}

export function chunk(id: string, kind: ChunkKind, layers: readonly string[], bits = 8): ChunkAllocation {
  return { id, kind, size: 'small', bits, layers };
}

const BASE: ChunkParams = {
  parallel: 'mn',
  loopOrder: 'os',
  tileM: 16,
  tileN: 16,
  tileR: 4,
  tileC: 4,
  peM: 4,
  peN: 4,
  portBits: 64,
};

export function chunkParams(p: Partial<ChunkParams>): ChunkParams {
  return { ...BASE, ...p };
}

/** A problem with every layer of `layers` on one chunk of `kind`. */
export function oneChunkProblem(
  layers: readonly LayerSpec[],
  kind: ChunkKind = 'conv',
  options: { calibration?: CalibrationSpec; board?: BoardSpec } = {},
): CostProblem {
  const net = network(layers);
  return compileCostProblem(
    net,
    [
      chunk(
        'c0',
        kind,
        layers.map((l) => l.name),
        layers[0].bits,
      ),
    ],
    options.board ?? ZC706,
    {
      calibration: options.calibration,
    },
  );
}

export const packed = (...chunks: Partial<ChunkParams>[]): Float64Array => packParams(chunks.map(chunkParams));
