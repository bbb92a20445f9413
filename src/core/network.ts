/**
 * The network artifact: the lowered layer graph every stage after search consumes
 * (cost model, integer model, HLS/RTL backends). Plain, JSON-able, readonly data.
 */
export type LayerKind = 'conv' | 'dwconv' | 'add' | 'pool' | 'fc';
export type Activation = 'none' | 'relu' | 'relu6';

export interface LayerSpec {
  readonly name: string;
  readonly kind: LayerKind;
  /** Producer layer names; `"input"` is the network input. `add` has two. */
  readonly inputs: readonly string[];
  readonly inH: number;
  readonly inW: number;
  readonly inC: number;
  readonly outH: number;
  readonly outW: number;
  readonly outC: number;
  /** Square kernel size (pool: window; add/fc: 1). */
  readonly kernel: number;
  readonly stride: number;
  readonly pad: number;
  /** Convolution groups (dwconv: groups = inC = outC). */
  readonly groups: number;
  readonly activation: Activation;
  /** Bitwidth of the weights and the input activations. */
  readonly bits: number;
  /** Bitwidth the output is requantised to (the consumer's input precision). */
  readonly outBits: number;
  /**
   * Channel shuffle of the output with this many groups (ShuffleNet): output channel c lands at
   * position (c mod (outC/g))·g + ⌊c / (outC/g)⌋. Set after a grouped expand conv, so the
   * next grouped conv mixes its groups; in hardware it is only a write-address permutation.
   */
  readonly shuffle?: number;
  /** Search-space cell this layer came from, if any (-1: stem/head/classifier). */
  readonly cell?: number;
  readonly op?: string;
}

export interface NetworkSpec {
  readonly version: 1;
  readonly name: string;
  readonly input: { readonly height: number; readonly width: number; readonly channels: number };
  readonly classes: number;
  readonly layers: readonly LayerSpec[];
}

/**
 * A layer with the defaults of a 1×1 map of one channel, kernel 1, stride 1, no padding, one
 * group, 8-bit, no activation — for building networks in code (random designs, tests).
 */
export function layerSpec(l: Partial<LayerSpec> & Pick<LayerSpec, 'name' | 'kind' | 'inputs'>): LayerSpec {
  return {
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
  };
}

/** Multiply-accumulates of one layer (0 for add/pool, which only move and add data). */
export function macsOf(layer: LayerSpec): number {
  switch (layer.kind) {
    case 'conv':
    case 'fc':
      return layer.outH * layer.outW * layer.outC * (layer.inC / layer.groups) * layer.kernel * layer.kernel;
    case 'dwconv':
      return layer.outH * layer.outW * layer.outC * layer.kernel * layer.kernel;
    default:
      return 0;
  }
}

/** Number of weights (without bias) of one layer. */
export function weightCountOf(layer: LayerSpec): number {
  switch (layer.kind) {
    case 'conv':
    case 'fc':
      return layer.outC * (layer.inC / layer.groups) * layer.kernel * layer.kernel;
    case 'dwconv':
      return layer.outC * layer.kernel * layer.kernel;
    default:
      return 0;
  }
}
