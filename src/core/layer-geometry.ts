/**
 * Layer geometry — the bottom layer every stage imports (accel sizes and costs with it, quant
 * builds pool tables with it, backend lowers descriptors and buffers with it). In: a layer's
 * kind and shape (a LayerSpec or a layer descriptor). Out: the extents the loop nests walk
 * and reduce, input windows, and the window sizes an average pool meets. One definition each,
 * so the cost model, the program and the engines cannot disagree about a layer.
 */
import type { LayerSpec } from './network.js';

type LayerKind = LayerSpec['kind'];

/** Conv, fc and depthwise run on the MAC array; add and pool stream through the output path. */
export function isMacKind(kind: LayerKind): boolean {
  return kind === 'conv' || kind === 'fc' || kind === 'dwconv';
}

/** Out channels the tileM loop walks: per group for (grouped) convs and fc, every channel otherwise. */
export function walkedM(l: Pick<LayerSpec, 'kind' | 'outC' | 'groups'>): number {
  return l.kind === 'conv' || l.kind === 'fc' ? l.outC / l.groups : l.outC;
}

/** In channels each output reduces over (depthwise: 1; conv: per group). */
export function reducedN(l: Pick<LayerSpec, 'kind' | 'inC' | 'groups'>): number {
  return l.kind === 'dwconv' ? 1 : l.inC / l.groups;
}

/** Weights a layer holds: kernel² · reducedN · outC for the MAC kinds (fc: kernel 1), none for add and pool. */
export function layerWeights(l: Pick<LayerSpec, 'kind' | 'kernel' | 'inC' | 'outC' | 'groups'>): number {
  return isMacKind(l.kind) ? l.kernel * l.kernel * reducedN(l) * l.outC : 0;
}

/** Input rows (or columns) that `out` output rows of a window (kernel, stride) read. */
export function inputSpan(out: number, stride: number, kernel: number): number {
  return (out - 1) * stride + kernel;
}

type PoolWindow = Pick<LayerSpec, 'inH' | 'inW' | 'outH' | 'outW' | 'kernel' | 'stride' | 'pad'>;

/**
 * The window sizes (in pixels, padding not counted, as tf.avgPool divides) an average pool
 * meets, ascending: one requantisation entry each (quant's poolDivisors, the engines' tables).
 */
export function poolWindowPixels(layer: PoolWindow): number[] {
  const spans = (out: number, size: number) => {
    const seen = new Set<number>();
    for (let o = 0; o < out; o++) {
      const start = o * layer.stride - layer.pad;
      seen.add(Math.min(start + layer.kernel, size) - Math.max(start, 0));
    }
    return [...seen];
  };
  const sizes = new Set<number>();
  for (const h of spans(layer.outH, layer.inH)) for (const w of spans(layer.outW, layer.inW)) sizes.add(h * w);
  return [...sizes].sort((x, y) => x - y);
}

/** Smallest and largest pool window (pixels inside the map): the table entries a layer can use. */
export function poolWindowRange(layer: PoolWindow): { min: number; max: number } {
  const sizes = poolWindowPixels(layer);
  return { min: sizes[0], max: sizes[sizes.length - 1] };
}

/** Requantisation entries a pool loads: every window size from the smallest to the largest. */
export function poolTableEntries(layer: PoolWindow): number {
  const { min, max } = poolWindowRange(layer);
  return max - min + 1;
}
