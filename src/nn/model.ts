/**
 * A trainable, quantisation-aware TF.js model of a network artifact: every conv / depthwise /
 * fc layer with its weights, batch norm (conv, depthwise) with running statistics, the layer's
 * activation, the channel shuffle after grouped expands, and fake quantisation of every
 * weight and every activation a layer hands on (to the consumer's bitwidth, `outBits`).
 * State is a flat map of named variables, so weights save and load as a TF.js weights manifest.
 */
import * as tf from './tf.js';
import type { LayerSpec, NetworkSpec } from '../core/network.js';
import { BN_EPSILON, INPUT_BITS } from '../core/numerics.js';
import { Rng } from '../core/random.js';
import { type BatchStatistics, fusedAvailable, type StatisticsSink, normActQuantComposite, normActQuantFused } from './fused.js';
import { fakeQuantActivation, fakeQuantActivationTrain, fakeQuantWeight } from './quant.js';

export const BN_MOMENTUM = 0.1;
/** Weight of the newest batch in the running activation range. */
export const RANGE_MOMENTUM = 0.1;
export { BN_EPSILON, INPUT_BITS } from '../core/numerics.js';

export interface QatModel {
  readonly network: NetworkSpec;
  /** Trainable variables by name (`<layer>/kernel`, `/gamma`, `/beta`, `/bias`). */
  readonly trainable: ReadonlyMap<string, tf.Variable>;
  /** Running statistics by name (`<layer>/moving_mean`, `/moving_variance`, `<tensor>/amax`). */
  readonly state: ReadonlyMap<string, tf.Variable>;
}

/** He-normal values from the project's seeded generator: the same on every backend. */
export function heNormal(rng: Rng, shape: number[], fanIn: number): tf.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const values = new Float32Array(n);
  const std = Math.sqrt(2 / fanIn);
  for (let i = 0; i < n; i += 2) {
    const r = Math.sqrt(-2 * Math.log(rng.next()));
    const t = 2 * Math.PI * rng.next();
    values[i] = r * Math.cos(t) * std;
    if (i + 1 < n) values[i + 1] = r * Math.sin(t) * std;
  }
  return tf.tensor(values, shape);
}

export function kernelShape(layer: LayerSpec): { shape: number[]; fanIn: number } {
  const k = layer.kernel;
  switch (layer.kind) {
    case 'dwconv':
      return { shape: [k, k, layer.inC, 1], fanIn: k * k };
    case 'fc':
      return { shape: [layer.inC, layer.outC], fanIn: layer.inC };
    default:
      return { shape: [k, k, layer.inC / layer.groups, layer.outC], fanIn: (k * k * layer.inC) / layer.groups };
  }
}

let modelsCreated = 0;

export function createModel(network: NetworkSpec, seed: number): QatModel {
  const rng = new Rng(seed);
  const trainable = new Map<string, tf.Variable>();
  const state = new Map<string, tf.Variable>();
  // TF.js variable names are global to the process: prefix them so models can coexist
  const prefix = `model${++modelsCreated}`;
  const add = (into: Map<string, tf.Variable>, name: string, value: tf.Tensor, train: boolean) =>
    into.set(name, tf.variable(value, train, `${prefix}/${name}`));
  add(state, 'input/amax', tf.scalar(0), false);
  for (const layer of network.layers) {
    if (layer.kind === 'conv' || layer.kind === 'dwconv' || layer.kind === 'fc') {
      const { shape, fanIn } = kernelShape(layer);
      add(trainable, `${layer.name}/kernel`, heNormal(rng, shape, fanIn), true);
      if (layer.kind === 'fc') {
        add(trainable, `${layer.name}/bias`, tf.zeros([layer.outC]), true);
      } else {
        add(trainable, `${layer.name}/gamma`, tf.ones([layer.outC]), true);
        add(trainable, `${layer.name}/beta`, tf.zeros([layer.outC]), true);
        add(state, `${layer.name}/moving_mean`, tf.zeros([layer.outC]), false);
        add(state, `${layer.name}/moving_variance`, tf.ones([layer.outC]), false);
      }
    }
    if (layer.outBits < 32) add(state, `${layer.name}/amax`, tf.scalar(0), false);
  }
  return { network, trainable, state };
}

export function disposeModel(model: QatModel): void {
  for (const v of [...model.trainable.values(), ...model.state.values()]) v.dispose();
}

/** ShuffleNet channel shuffle: [.., g, C/g] → [.., C/g, g]. */
export function shuffleChannels(x: tf.Tensor4D, groups: number): tf.Tensor4D {
  const [b, h, w, c] = x.shape;
  return tf.reshape(tf.transpose(tf.reshape(x, [b, h, w, groups, c / groups]), [0, 1, 2, 4, 3]), [b, h, w, c]);
}

/** Global pooling as a mean (its gradient is a broadcast; wasm's AvgPoolGrad is a slow loop). */
export function averagePool(layer: LayerSpec, x: tf.Tensor4D): tf.Tensor4D {
  const global = layer.kernel === layer.inH && layer.kernel === layer.inW && layer.pad === 0;
  if (global) return tf.mean(x, [1, 2], true) as tf.Tensor4D;
  return tf.avgPool(x, layer.kernel, layer.stride, layer.pad === 0 ? 'valid' : layer.pad);
}

const blockMasks = new Map<string, Float32Array>();

/**
 * A grouped 1×1 kernel [1, 1, in/g, out] as the block-diagonal full kernel [1, 1, in, out]:
 * one convolution instead of split → g convolutions → concat (and their gradients). The mask
 * zeroes the off-diagonal blocks, so their gradient is zero too.
 */
function blockDiagonal(w: tf.Tensor4D, groups: number): tf.Tensor4D {
  const [, , inPerGroup, out] = w.shape;
  const key = `${inPerGroup}:${out}:${groups}`;
  let values = blockMasks.get(key);
  if (!values) {
    values = new Float32Array(inPerGroup * groups * out);
    const outPerGroup = out / groups;
    for (let i = 0; i < inPerGroup * groups; i++) {
      const g = Math.floor(i / inPerGroup);
      for (let o = g * outPerGroup; o < (g + 1) * outPerGroup; o++) values[i * out + o] = 1;
    }
    blockMasks.set(key, values);
  }
  // a fresh (small) tensor per pass: the caller's tidy scope disposes it
  return tf.mul(tf.tile(w, [1, 1, groups, 1]), tf.tensor4d(values, [1, 1, inPerGroup * groups, out]));
}

export function convolve(layer: LayerSpec, x: tf.Tensor4D, w: tf.Tensor4D): tf.Tensor4D {
  const stride: [number, number] = [layer.stride, layer.stride];
  if (layer.kind === 'dwconv') return tf.depthwiseConv2d(x, w as tf.Tensor4D, stride, layer.pad);
  if (layer.groups === 1) return tf.conv2d(x, w, stride, layer.pad);
  if (layer.kernel === 1) return tf.conv2d(x, blockDiagonal(w, layer.groups), stride, 0);
  const xs = tf.split(x, layer.groups, 3);
  const ws = tf.split(w, layer.groups, 3);
  return tf.concat(
    xs.map((xi, g) => tf.conv2d(xi as tf.Tensor4D, ws[g] as tf.Tensor4D, stride, layer.pad)),
    3,
  );
}

interface ForwardResult {
  readonly logits: tf.Tensor2D;
  /** Running-statistic updates of a training pass, applied after the weight step. */
  readonly updates: readonly [tf.Variable, tf.Tensor][];
}

/** How training passes run batch norm → activation → quantisation: one fused op or stock ops. */
type FusedMode = 'auto' | 'fused' | 'composite';
let fusedMode: FusedMode = 'auto';

export function setFusedMode(mode: FusedMode): void {
  fusedMode = mode;
}

function useFused(): boolean {
  return fusedMode === 'fused' || (fusedMode === 'auto' && fusedAvailable());
}

/**
 * Batch norm, activation and output quantisation of a conv layer. Training: batch statistics,
 * queuing updates of the running statistics and range; inference: the running ones.
 */
function normActQuant(
  model: QatModel,
  layer: LayerSpec,
  x: tf.Tensor4D,
  signed: boolean,
  training: boolean,
  updates: [tf.Variable, tf.Tensor][],
): tf.Tensor4D {
  const name = layer.name;
  const gamma = model.trainable.get(`${name}/gamma`) as tf.Variable<tf.Rank.R1>;
  const beta = model.trainable.get(`${name}/beta`) as tf.Variable<tf.Rank.R1>;
  const mean = model.state.get(`${name}/moving_mean`) as tf.Variable<tf.Rank.R1>;
  const variance = model.state.get(`${name}/moving_variance`) as tf.Variable<tf.Rank.R1>;
  const amax = model.state.get(`${name}/amax`) as tf.Variable<tf.Rank.R0>;
  if (!training) {
    const z = applyActivation(layer, tf.batchNorm4d(x, mean, variance, beta, gamma, BN_EPSILON));
    return fakeQuantActivation(z, amax, layer.outBits, signed) as tf.Tensor4D;
  }
  const options = { activation: layer.activation, bits: layer.outBits, signed, epsilon: BN_EPSILON, rangeMomentum: RANGE_MOMENTUM };
  return (useFused() ? normActQuantFused : normActQuantComposite)(
    x,
    gamma,
    beta,
    amax,
    options,
    statisticsSink(mean, variance, amax, updates),
  );
}

/**
 * A batch-norm op's sink that queues the running-statistic updates (and the range's, unless
 * `amax` is undefined: an unquantised output).
 */
export function statisticsSink(
  mean: tf.Variable,
  variance: tf.Variable,
  amax: tf.Variable | undefined,
  updates: [tf.Variable, tf.Tensor][],
  momentum = BN_MOMENTUM,
): StatisticsSink {
  const blend = (old: tf.Tensor, batch: tf.Tensor, weight: number | tf.Tensor) =>
    tf.keep(tf.add(tf.mul(old, 1 - momentum), tf.mul(batch, weight)));
  return (stats: BatchStatistics) => {
    updates.push([mean, blend(mean, stats.mean, momentum)]);
    // running variance is unbiased (n / (n − 1)) over the whole batch's n rows, as in PyTorch
    const n = stats.rows;
    updates.push([variance, blend(variance, stats.variance, tf.div(tf.mul(n, momentum), tf.maximum(tf.sub(n, 1), 1)))]);
    if (amax) updates.push([amax, tf.keep(tf.clone(stats.amax))]);
  };
}

/** Fake-quantise `x` against the running range `name/amax`, updating it when training. */
function quantiseOutput(
  model: QatModel,
  name: string,
  x: tf.Tensor,
  bits: number,
  signed: boolean,
  training: boolean,
  updates: [tf.Variable, tf.Tensor][],
): tf.Tensor {
  const amax = model.state.get(`${name}/amax`) as tf.Variable<tf.Rank.R0>;
  if (!training) return fakeQuantActivation(x, amax, bits, signed);
  return fakeQuantActivationTrain(x, amax, bits, signed, RANGE_MOMENTUM, (range) => updates.push([amax, tf.keep(tf.clone(range))]));
}

function isUnsigned(layer: LayerSpec, unsigned: ReadonlyMap<string, boolean>): boolean {
  if (layer.activation === 'relu' || layer.activation === 'relu6') return true;
  if (layer.kind === 'pool') return unsigned.get(layer.inputs[0]) ?? false;
  return false;
}

export function applyActivation(layer: LayerSpec, x: tf.Tensor4D): tf.Tensor4D {
  if (layer.activation === 'relu') return tf.relu(x);
  if (layer.activation === 'relu6') return tf.relu6(x);
  return x;
}

/** A layer's output as its consumers see it: quantised to `outBits` unless that is 32. */
function layerOutput(
  model: QatModel,
  layer: LayerSpec,
  inputs: tf.Tensor[],
  signed: boolean,
  training: boolean,
  updates: [tf.Variable, tf.Tensor][],
): tf.Tensor {
  const [x] = inputs;
  const quantise = (y: tf.Tensor) =>
    layer.outBits < 32 ? quantiseOutput(model, layer.name, y, layer.outBits, signed, training, updates) : y;
  switch (layer.kind) {
    case 'add':
      return quantise(tf.add(inputs[0], inputs[1]));
    case 'pool':
      return quantise(averagePool(layer, x as tf.Tensor4D));
    case 'fc': {
      const w = fakeQuantWeight(model.trainable.get(`${layer.name}/kernel`) as tf.Variable, layer.bits, 1);
      return quantise(
        tf.add(tf.matMul(tf.reshape(x, [x.shape[0], layer.inC]), w), model.trainable.get(`${layer.name}/bias`) as tf.Variable),
      );
    }
    default: {
      const axis = layer.kind === 'dwconv' ? 2 : 3;
      const w = fakeQuantWeight(model.trainable.get(`${layer.name}/kernel`) as tf.Variable, layer.bits, axis) as tf.Tensor4D;
      const y = normActQuant(model, layer, convolve(layer, x as tf.Tensor4D, w), signed, training, updates);
      // the shuffle permutes channels: it commutes with the per-tensor quantisation
      return layer.shuffle ? shuffleChannels(y, layer.shuffle) : y;
    }
  }
}

/** The network on a batch `x` [B, H, W, C] of normalised images. Call inside tf.tidy. */
export function forward(model: QatModel, x: tf.Tensor4D, training: boolean): ForwardResult {
  const updates: [tf.Variable, tf.Tensor][] = [];
  const values = new Map<string, tf.Tensor>();
  const unsigned = new Map<string, boolean>([['input', false]]);
  values.set('input', quantiseOutput(model, 'input', x, INPUT_BITS, true, training, updates));
  let last: tf.Tensor = x;
  for (const layer of model.network.layers) {
    const inputs = layer.inputs.map((name) => values.get(name) as tf.Tensor);
    const positive = isUnsigned(layer, unsigned);
    const y = layerOutput(model, layer, inputs, !positive, training, updates);
    unsigned.set(layer.name, positive);
    values.set(layer.name, y);
    last = y;
  }
  return { logits: tf.reshape(last, [x.shape[0], -1]) as tf.Tensor2D, updates };
}
