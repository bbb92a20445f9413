/**
 * Test helpers: small networks, TF.js models with chosen or calibrated parameters, and the
 * fake-quantised TF.js output of every layer (forward on the network cut after that layer, so
 * the reference is model.ts's own inference path, not a copy of it).
 */
import { type LayerSpec, layerSpec, type NetworkSpec } from '../../src/core/network.js';
import { checkNetwork } from '../../src/core/network-check.js';
import { Rng } from '../../src/core/random.js';
import { createModel, forward, type QatModel } from '../../src/nn/model.js';
import * as tf from '../../src/nn/tf.js';
import { fakeQuantActivation } from '../../src/nn/quant.js';
import { runLayer, type IntegerModel, type QuantTensor } from '../../src/quant/index.js';

export const L = layerSpec;

export function network(
  name: string,
  input: { height: number; width: number; channels: number },
  layers: LayerSpec[],
  classes = 1,
): NetworkSpec {
  return checkNetwork({ version: 1, name, input, classes, layers }, `<${name}>`);
}

/** Set variables of a model by name (scalars or flat arrays in the variable's layout). */
export function assign(model: QatModel, values: Record<string, number | readonly number[]>): void {
  for (const [name, value] of Object.entries(values)) {
    const v = model.trainable.get(name) ?? model.state.get(name);
    if (!v) throw new Error(`no variable ${name}`);
    const flat = typeof value === 'number' ? [value] : value;
    if (flat.length !== v.size) throw new Error(`${name}: ${flat.length} values for ${v.size}`);
    v.assign(tf.tensor(flat, v.shape, 'float32'));
  }
}

/** Weights as loadWeights would give them: every variable by name. */
export function weightsOf(model: QatModel): Record<string, tf.Tensor> {
  return Object.fromEntries([...model.trainable, ...model.state]);
}

/**
 * Training-mode passes applying the running-statistic updates, each on its own slice of `x`:
 * realistic batch-norm statistics and activation ranges without training the weights. (Passes
 * on one repeated batch would leave ranges that are exact multiples of a producer's scale, so
 * scale ratios are simple fractions and exact ties abound.)
 */
export function calibrate(model: QatModel, x: tf.Tensor4D, passes = 3): void {
  const size = Math.floor(x.shape[0] / passes);
  for (let i = 0; i < passes; i++) {
    tf.tidy(() => {
      const part = size > 0 ? tf.slice(x, [i * size], [size]) : x;
      const { updates } = forward(model, part, true);
      for (const [variable, value] of updates) variable.assign(value);
      tf.dispose(updates.map(([, value]) => value));
    });
  }
}

/** Every layer's fake-quantised inference output [B, H·W·C] (NHWC), by layer name. */
export function tfLayerOutputs(model: QatModel, x: tf.Tensor4D): Map<string, Float32Array> {
  const out = new Map<string, Float32Array>();
  model.network.layers.forEach((layer, i) => {
    const cut: QatModel = { ...model, network: { ...model.network, layers: model.network.layers.slice(0, i + 1) } };
    out.set(
      layer.name,
      tf.tidy(() => forward(cut, x, false).logits.dataSync() as Float32Array),
    );
  });
  return out;
}

export function tfLogits(model: QatModel, x: tf.Tensor4D): Float32Array {
  return tf.tidy(() => forward(model, x, false).logits.dataSync() as Float32Array);
}

export function argmaxRows(values: ArrayLike<number>, rows: number): Int32Array {
  const width = values.length / rows;
  const out = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    let best = 0;
    for (let c = 1; c < width; c++) if (values[r * width + c] > values[r * width + best]) best = c;
    out[r] = best;
  }
  return out;
}

/** Output quantisation of a layer of the integer model (null: float logits). */
export function outputOf(model: IntegerModel, name: string): QuantTensor | null {
  const layer = model.layers.find((l) => l.name === name);
  if (!layer) throw new Error(`no layer ${name}`);
  return layer.output;
}

export interface LayerAgreement {
  readonly layer: string;
  readonly count: number;
  /** Codes that differ from the fake-quant codes. */
  readonly differ: number;
  readonly maxDiff: number;
}

/**
 * Compare the integer codes of every quantised layer with TF.js's fake-quantised values
 * (value / scale rounded: the code TF.js's float32 value stands for).
 */
export function compareLayers(model: IntegerModel, tfOut: Map<string, Float32Array>, intOut: Map<string, Int32Array>): LayerAgreement[] {
  const result: LayerAgreement[] = [];
  for (const layer of model.layers) {
    const q = layer.output;
    if (!q) continue;
    const ref = tfOut.get(layer.name) as Float32Array;
    const got = intOut.get(layer.name) as Int32Array;
    if (ref.length !== got.length) throw new Error(`${layer.name}: ${ref.length} vs ${got.length} values`);
    let differ = 0;
    let maxDiff = 0;
    for (let i = 0; i < ref.length; i++) {
      const code = Math.round(ref[i] / q.scale);
      const d = Math.abs(code - got[i]);
      if (d !== 0) differ++;
      maxDiff = Math.max(maxDiff, d);
    }
    result.push({ layer: layer.name, count: ref.length, differ, maxDiff });
  }
  return result;
}

/** The TF.js input codes: the network input fake-quantised signed 8-bit, as integers. */
export function tfInputCodes(model: QatModel, x: tf.Tensor4D, scale: number): Int32Array {
  const amax = model.state.get('input/amax') as tf.Variable<tf.Rank.R0>;
  const values = tf.tidy(() => fakeQuantActivation(x, amax, 8, true).dataSync() as Float32Array);
  return Int32Array.from(values, (v) => Math.round(v / scale));
}

/**
 * Layer-local agreement: each layer of the integer model run (runLayer) on TF.js's codes of its
 * inputs, against TF.js's codes of its output: the rounding flips of that layer alone, without
 * the flips its producers passed on.
 */
export function compareLayersLocal(
  im: IntegerModel,
  model: QatModel,
  x: tf.Tensor4D,
  tfOut: Map<string, Float32Array>,
  batch: number,
): LayerAgreement[] {
  const codes = new Map<string, Int32Array>([['input', tfInputCodes(model, x, im.input.quant.scale)]]);
  for (const layer of im.layers) {
    if (layer.output)
      codes.set(
        layer.name,
        Int32Array.from(tfOut.get(layer.name) as Float32Array, (v) => Math.round(v / (layer.output as QuantTensor).scale)),
      );
  }
  const result: LayerAgreement[] = [];
  for (const layer of im.layers) {
    if (!layer.output) continue;
    const names = layer.kind === 'add' ? layer.inputs : [layer.input];
    const got = runLayer(
      im,
      layer.name,
      names.map((n) => codes.get(n) as Int32Array),
      batch,
    );
    const want = codes.get(layer.name) as Int32Array;
    let differ = 0;
    let maxDiff = 0;
    for (let i = 0; i < want.length; i++) {
      const d = Math.abs(want[i] - got[i]);
      if (d !== 0) differ++;
      maxDiff = Math.max(maxDiff, d);
    }
    result.push({ layer: layer.name, count: want.length, differ, maxDiff });
  }
  return result;
}

/** Seeded values uniform in [lo, hi). */
export function uniform(rng: Rng, n: number, lo: number, hi: number): number[] {
  return Array.from({ length: n }, () => lo + (hi - lo) * rng.next());
}

/** Seeded standard-normal images [count, H, W, C] (a stand-in for normalised inputs). */
export function gaussianImages(rng: Rng, size: number): Float32Array {
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) out[i] = Math.sqrt(-2 * Math.log(rng.next())) * Math.cos(2 * Math.PI * rng.next());
  return out;
}

/**
 * A model of `net` with random batch-norm parameters (gamma in ±[0.3, 1.5], about a third
 * negative; beta, mean; variance in [0.2, 2]) and fc biases, then ranges and running statistics
 * calibrated on `x`.
 */
export function randomModel(net: NetworkSpec, seed: number, x: tf.Tensor4D): QatModel {
  const model = createModel(net, seed);
  const rng = new Rng(seed + 1000);
  for (const layer of net.layers) {
    const c = layer.outC;
    if (layer.kind === 'conv' || layer.kind === 'dwconv') {
      assign(model, {
        [`${layer.name}/gamma`]: uniform(rng, c, 0.3, 1.5).map((g) => (rng.next() < 0.35 ? -g : g)),
        [`${layer.name}/beta`]: uniform(rng, c, -0.5, 0.5),
      });
    }
    if (layer.kind === 'fc') assign(model, { [`${layer.name}/bias`]: uniform(rng, c, -0.3, 0.3) });
  }
  calibrate(model, x);
  return model;
}
