/**
 * The integer model's data (docs/quant.md): quantised tensors, per-channel requantisation and
 * the integer layers, plain numbers and number arrays only, as `buildIntegerModel`
 * (integer-model.ts) writes them and `runInteger` (golden.ts), the HLS C++ and the RTL read
 * them; and the weights a model is built from.
 */
import { EXIT_BAD_INPUT } from '../core/diagnostics.js';
import type { LayerSpec } from '../core/network.js';

/** An integer model that cannot be built: a bound exceeded, a weight missing or misshapen. */
export class IntegerModelError extends Error {
  readonly exitCode = EXIT_BAD_INPUT;
  constructor(message: string) {
    super(message);
    this.name = 'IntegerModelError';
  }
}

/** A quantised tensor: value = code · scale, codes in lo … hi. */
export interface QuantTensor {
  readonly bits: number;
  readonly signed: boolean;
  /** The float32 scale: max(amax, 1e-8) / hi, divided in float32 as TF.js does. */
  readonly scale: number;
  readonly lo: number;
  readonly hi: number;
}

/**
 * Per-channel fixed-point requantisation: code = clamp(roundShift(acc·multiplier + bias,
 * shift), clampLo, clampHi) with roundShift = round half to even of v / 2^shift (arith.ts).
 * |multiplier| ≤ 2^23 − 1, 0 ≤ shift ≤ 62, |acc·multiplier + bias| ≤ 2^53 − 1.
 */
export interface Requant {
  readonly multiplier: number[];
  readonly shift: number[];
  /** The folded bias in units of 2^−shift output codes (an int64; |bias| < 2^53). */
  readonly bias: number[];
}

/** A layer's window, as the network gives it (`pad`: zero padding on every side). */
export type Window = Pick<LayerSpec, 'inH' | 'inW' | 'inC' | 'outH' | 'outW' | 'outC' | 'kernel' | 'stride' | 'pad'>;

export interface ConvLayerQ extends Window {
  readonly kind: 'conv' | 'dwconv';
  readonly name: string;
  readonly input: string;
  readonly groups: number;
  /** conv: [outC][kernel][kernel][inC/groups]; dwconv: [C][kernel][kernel]. Trained integers. */
  readonly weights: number[];
  readonly weightBits: number;
  /** s_w[c] = max(max|w_c|, 1e-12) / (2^(bits−1) − 1), float32. */
  readonly weightScale: number[];
  /** Batch norm folded in: multiplier ≈ a_c·s_in·s_w[c]/s_out·2^shift, bias ≈ b_c/s_out·2^shift. */
  readonly requant: Requant;
  readonly clampLo: number;
  readonly clampHi: number;
  /** Largest worst-case |acc| over the channels (max|input code| · Σ|w_c|). */
  readonly accBound: number;
  readonly output: QuantTensor;
  /** Channel shuffle: output channel c is stored at position permutation[c]. */
  readonly permutation?: number[];
}

export interface AddLayerQ {
  readonly kind: 'add';
  readonly name: string;
  readonly inputs: [string, string];
  readonly height: number;
  readonly width: number;
  readonly channels: number;
  /** code = clamp(roundShift(a·multiplier[0] + b·multiplier[1], shift)), m_i ≈ s_i/s_out·2^shift. */
  readonly multiplier: [number, number];
  readonly shift: number;
  readonly clampLo: number;
  readonly clampHi: number;
  readonly output: QuantTensor;
}

export interface PoolLayerQ extends Window {
  readonly kind: 'pool';
  readonly name: string;
  readonly input: string;
  /**
   * The window sizes that occur (padding excluded, as tf.avgPool counts them) and, for each,
   * the requantisation of the window sum: multiplier ≈ s_in/(N·s_out)·2^shift.
   */
  readonly divisors: number[];
  readonly multiplier: number[];
  readonly shift: number[];
  readonly clampLo: number;
  readonly clampHi: number;
  readonly output: QuantTensor;
}

export interface FcLayerQ {
  readonly kind: 'fc';
  readonly name: string;
  readonly input: string;
  readonly inC: number;
  readonly outC: number;
  /** [outC][inC]. */
  readonly weights: number[];
  readonly weightBits: number;
  readonly weightScale: number[];
  /**
   * Quantised output: as conv (a_c = 1, b_c = the fc bias). Float logits (`output` null): one
   * shift for all classes, no rounding: logit_c = (acc_c·multiplier[c] + bias[c]) · 2^−shift,
   * and the prediction is the argmax of the integers acc_c·multiplier[c] + bias[c] (the first
   * class on a tie). The clamp bounds are then unused (0).
   */
  readonly requant: Requant;
  readonly clampLo: number;
  readonly clampHi: number;
  readonly accBound: number;
  readonly output: QuantTensor | null;
}

export type IntegerLayer = ConvLayerQ | AddLayerQ | PoolLayerQ | FcLayerQ;

export interface IntegerModel {
  readonly format: 'trips-hw-integer-model';
  readonly version: 1;
  readonly name: string;
  readonly classes: number;
  readonly scheme: {
    readonly rounding: 'half-even';
    readonly multiplierBits: number;
    readonly accumulatorBits: number;
    readonly productBits: number;
    readonly shiftMax: number;
  };
  /** The normalised image, quantised signed 8-bit: code = clamp(rne(fround(x / scale))). */
  readonly input: { readonly height: number; readonly width: number; readonly channels: number; readonly quant: QuantTensor };
  readonly layers: IntegerLayer[];
}

/** Weights as plain arrays (e.g. decoded from a manifest by hand). */
export interface WeightArray {
  readonly shape: readonly number[];
  readonly values: ArrayLike<number>;
}

/** A TF.js tensor, as `loadWeights` returns them (read through `dataSync`). */
export interface TensorLike {
  readonly shape: readonly number[];
  dataSync(): ArrayLike<number>;
}

export type WeightSource = Readonly<Record<string, WeightArray | TensorLike>>;
