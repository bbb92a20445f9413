/**
 * The integer golden model (docs/quant.md): the trained, fake-quantised TF.js network in
 * inference mode (src/nn/model.ts `forward(model, x, false)`) turned into integer weights,
 * per-channel fixed-point requantisations and integer clamp bounds. The result is plain data
 * (numbers and number arrays only, JSON-serialisable) that `runInteger` (golden.ts), the HLS
 * C++ and the RTL compute bit-exactly.
 *
 * The float parameters are float32, as in TF.js: every scale is derived with float32 division
 * (`Math.fround`), exactly as the fake quantisers derive it, so the integer weights and the
 * input quantisation are the ones TF.js computes. The folded real multipliers are computed in
 * float64 from those float32 values and then rounded once to fixed point; this module defines
 * the integers, everything downstream only reads them.
 */
import { poolWindowPixels } from '../core/layer-geometry.js';
import type { LayerKind, LayerSpec, NetworkSpec } from '../core/network.js';
import {
  IntegerModelError,
  type QuantTensor,
  type Requant,
  type ConvLayerQ,
  type AddLayerQ,
  type PoolLayerQ,
  type FcLayerQ,
  type IntegerLayer,
  type IntegerModel,
  type WeightSource,
  type Window,
} from './model-types.js';
import {
  ACCUMULATOR_BITS,
  MAX_BITS,
  MIN_BITS,
  MULTIPLIER_BITS,
  MULTIPLIER_MAX,
  PRODUCT_BITS,
  PRODUCT_MAX,
  SHIFT_MAX,
  codeRange,
  roundHalfEven,
  weightLevels,
} from './arith.js';
import { checkAccumulator, fixedPoint } from './fixed-point.js';
import { ACTIVATION_RANGE_FLOOR, BN_EPSILON, INPUT_BITS, WEIGHT_MAX_FLOOR } from '../core/numerics.js';

/** The fake quantisers' floors (core/numerics.ts) as the float32 values they compute with. */
const ACTIVATION_FLOOR = Math.fround(ACTIVATION_RANGE_FLOOR);
const WEIGHT_FLOOR = Math.fround(WEIGHT_MAX_FLOOR);

function readWeight(weights: WeightSource, name: string, shape: readonly number[]): Float32Array {
  const w = weights[name];
  if (!w) throw new IntegerModelError(`weights: "${name}" is missing`);
  if (w.shape.length !== shape.length || w.shape.some((d, i) => d !== shape[i])) {
    throw new IntegerModelError(`weights: "${name}" has shape [${w.shape.join(', ')}], expected [${shape.join(', ')}]`);
  }
  const values = 'dataSync' in w ? w.dataSync() : w.values;
  const n = shape.reduce((a, b) => a * b, 1);
  if (values.length !== n) throw new IntegerModelError(`weights: "${name}" holds ${values.length} values, expected ${n}`);
  const out = Float32Array.from(values);
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(out[i])) throw new IntegerModelError(`weights: "${name}"[${i}] is ${out[i]}`);
  }
  return out;
}

function checkBits(where: string, field: string, bits: number): void {
  if (!Number.isInteger(bits) || bits < MIN_BITS || bits > MAX_BITS) {
    throw new IntegerModelError(`${where}: ${field} ${bits} is outside the integer model's ${MIN_BITS}…${MAX_BITS} bits`);
  }
}

/** The fake quantiser's scale of an activation: fround(max(amax, ACTIVATION_RANGE_FLOOR) / hi). */
export function activationScale(amax: number, hi: number): number {
  return Math.fround(Math.max(Math.fround(amax), ACTIVATION_FLOOR) / hi);
}

function quantTensor(weights: WeightSource, name: string, bits: number, signed: boolean): QuantTensor {
  const [amax] = readWeight(weights, `${name}/amax`, []);
  if (!(amax >= 0)) throw new IntegerModelError(`weights: "${name}/amax" is ${amax}, expected ≥ 0`);
  const { lo, hi } = codeRange(bits, signed);
  return { bits, signed, scale: activationScale(amax, hi), lo, hi };
}

/**
 * Per-channel symmetric weight quantisation exactly as fakeQuantWeight computes it in float32:
 * s = fround(max(max|w_c|, 1e-12) / L), code = rne(fround(w / s)).
 */
function quantiseWeights(
  w: Float32Array,
  channels: number,
  index: (c: number, k: number) => number,
  perChannel: number,
  bits: number,
  name: string,
) {
  const L = weightLevels(bits);
  const codes = new Array<number>(channels * perChannel);
  const scales = new Array<number>(channels);
  for (let c = 0; c < channels; c++) {
    let peak = 0;
    for (let k = 0; k < perChannel; k++) peak = Math.max(peak, Math.abs(w[index(c, k)]));
    const s = Math.fround(Math.max(peak, WEIGHT_FLOOR) / L);
    scales[c] = s;
    for (let k = 0; k < perChannel; k++) {
      const q = roundHalfEven(Math.fround(w[index(c, k)] / s));
      if (Math.abs(q) > L) throw new IntegerModelError(`${name}: weight code ${q} outside ±${L} (internal error)`);
      codes[c * perChannel + k] = q;
    }
  }
  return { codes, scales };
}

/** Position of output channel c after ShuffleNet's shuffle with g groups (model.ts shuffleChannels). */
export function shufflePermutation(channels: number, groups: number): number[] {
  const per = channels / groups;
  return Array.from({ length: channels }, (_, c) => (c % per) * groups + Math.floor(c / per));
}

/** A layer's output signedness (model.ts `isUnsigned`). */
function isUnsigned(layer: LayerSpec, unsigned: ReadonlyMap<string, boolean>): boolean {
  if (layer.activation === 'relu' || layer.activation === 'relu6') return true;
  if (layer.kind === 'pool') return unsigned.get(layer.inputs[0]) ?? false;
  return false;
}

function maxMagnitude(t: QuantTensor): number {
  return Math.max(Math.abs(t.lo), Math.abs(t.hi));
}

/**
 * Clamp bounds of a layer's output codes. The quantiser clips to [lo, hi]; ReLU is the lower
 * bound 0 of an unsigned tensor; ReLU6 (applied by conv/dwconv only, as in model.ts) is
 * min(hi, rne(fround(6 / s_out))) because rounding is monotone: round(min(y, 6)/s) =
 * min(round(y/s), round(6/s)).
 */
function clampOf(layer: LayerSpec, out: QuantTensor): { clampLo: number; clampHi: number } {
  let clampHi = out.hi;
  if (layer.activation === 'relu6' && (layer.kind === 'conv' || layer.kind === 'dwconv')) {
    clampHi = Math.min(out.hi, roundHalfEven(Math.fround(6 / out.scale)));
  }
  return { clampLo: out.lo, clampHi };
}

function expectWindow(layer: LayerSpec): void {
  const size = (n: number) => Math.floor((n + 2 * layer.pad - layer.kernel) / layer.stride) + 1;
  if (size(layer.inH) !== layer.outH || size(layer.inW) !== layer.outW) {
    throw new IntegerModelError(
      `${layer.name}: output ${layer.outH}×${layer.outW} does not follow from input ${layer.inH}×${layer.inW}, kernel ${layer.kernel}, stride ${layer.stride}, pad ${layer.pad}`,
    );
  }
}

function window(layer: LayerSpec): Window {
  const { inH, inW, inC, outH, outW, outC, kernel, stride, pad } = layer;
  return { inH, inW, inC, outH, outW, outC, kernel, stride, pad };
}

function buildConv(layer: LayerSpec, weights: WeightSource, input: QuantTensor, out: QuantTensor): ConvLayerQ {
  const { name, kernel: k, inC, outC } = layer;
  const dw = layer.kind === 'dwconv';
  const groups = dw ? inC : layer.groups;
  if (dw && (outC !== inC || layer.groups !== inC)) throw new IntegerModelError(`${name}: a dwconv needs outC = inC = groups`);
  if (!dw && (inC % groups !== 0 || outC % groups !== 0))
    throw new IntegerModelError(`${name}: groups ${groups} must divide inC ${inC} and outC ${outC}`);
  expectWindow(layer);
  const inPer = dw ? 1 : inC / groups;
  // TF.js layouts: conv [k, k, inC/g, outC]; depthwise [k, k, C, 1]
  const shape = dw ? [k, k, inC, 1] : [k, k, inPer, outC];
  const w = readWeight(weights, `${name}/kernel`, shape);
  const per = k * k * inPer;
  // model layout [c][ky][kx][ci]: k = (ky·K + kx)·inPer + ci
  const index = dw ? (c: number, j: number) => j * inC + c : (c: number, j: number) => j * outC + c;
  const { codes, scales } = quantiseWeights(w, outC, index, per, layer.bits, name);
  const gamma = readWeight(weights, `${name}/gamma`, [outC]);
  const beta = readWeight(weights, `${name}/beta`, [outC]);
  const mean = readWeight(weights, `${name}/moving_mean`, [outC]);
  const variance = readWeight(weights, `${name}/moving_variance`, [outC]);
  const inMax = maxMagnitude(input);
  const { clampLo, clampHi } = clampOf(layer, out);
  const H = Math.max(Math.abs(clampLo), Math.abs(clampHi));
  const requant: Requant = { multiplier: [], shift: [], bias: [] };
  let accBound = 0;
  for (let c = 0; c < outC; c++) {
    let l1 = 0;
    for (let j = 0; j < per; j++) l1 += Math.abs(codes[c * per + j]);
    const bound = inMax * l1;
    checkAccumulator(`${name}: channel ${c}`, bound);
    accBound = Math.max(accBound, bound);
    // batch norm: y = a·z + b, a = γ/√(σ² + ε), b = β − μ·a; z = s_in·s_w·acc
    const a = gamma[c] / Math.sqrt(variance[c] + BN_EPSILON);
    const b = beta[c] - mean[c] * a;
    const M = (a * input.scale * scales[c]) / out.scale;
    const fixed = fixedPoint([M], [b / out.scale], [bound], H, `${name}: channel ${c}`);
    requant.multiplier.push(fixed.multiplier[0]);
    requant.shift.push(fixed.shift);
    requant.bias.push(fixed.bias[0]);
  }
  const result: ConvLayerQ = {
    kind: layer.kind as 'conv' | 'dwconv',
    name,
    input: layer.inputs[0],
    ...window(layer),
    groups,
    weights: codes,
    weightBits: layer.bits,
    weightScale: scales,
    requant,
    clampLo,
    clampHi,
    accBound,
    output: out,
  };
  if (layer.shuffle && layer.shuffle > 1) {
    if (outC % layer.shuffle !== 0) throw new IntegerModelError(`${name}: shuffle ${layer.shuffle} must divide outC ${outC}`);
    return { ...result, permutation: shufflePermutation(outC, layer.shuffle) };
  }
  return result;
}

function buildFc(layer: LayerSpec, weights: WeightSource, input: QuantTensor, out: QuantTensor | null, inSize: number): FcLayerQ {
  const { name, inC, outC } = layer;
  if (inSize !== inC) throw new IntegerModelError(`${name}: fc takes ${inC} inputs, its producer gives ${inSize}`);
  const w = readWeight(weights, `${name}/kernel`, [inC, outC]);
  const bias = readWeight(weights, `${name}/bias`, [outC]);
  const { codes, scales } = quantiseWeights(w, outC, (c, i) => i * outC + c, inC, layer.bits, name);
  const inMax = maxMagnitude(input);
  const bounds: number[] = [];
  for (let c = 0; c < outC; c++) {
    let l1 = 0;
    for (let i = 0; i < inC; i++) l1 += Math.abs(codes[c * inC + i]);
    checkAccumulator(`${name}: channel ${c}`, inMax * l1);
    bounds.push(inMax * l1);
  }
  const accBound = Math.max(...bounds);
  const base = {
    kind: 'fc' as const,
    name,
    input: layer.inputs[0],
    inC,
    outC,
    weights: codes,
    weightBits: layer.bits,
    weightScale: scales,
    accBound,
  };
  if (out === null) {
    // float logits s_in·s_w[c]·acc + bias[c], on one fixed-point grid for all classes
    const fixed = fixedPoint(
      scales.map((s) => input.scale * s),
      Array.from(bias),
      bounds,
      undefined,
      `${name} (logits)`,
    );
    const requant: Requant = { multiplier: fixed.multiplier, shift: fixed.multiplier.map(() => fixed.shift), bias: fixed.bias };
    return { ...base, requant, clampLo: 0, clampHi: 0, output: null };
  }
  // the fc applies no activation in model.ts: ReLU/ReLU6 only make the output unsigned
  const { clampLo, clampHi } = clampOf(layer, out);
  const H = Math.max(Math.abs(clampLo), Math.abs(clampHi));
  const requant: Requant = { multiplier: [], shift: [], bias: [] };
  for (let c = 0; c < outC; c++) {
    const fixed = fixedPoint([(input.scale * scales[c]) / out.scale], [bias[c] / out.scale], [bounds[c]], H, `${name}: channel ${c}`);
    requant.multiplier.push(fixed.multiplier[0]);
    requant.shift.push(fixed.shift);
    requant.bias.push(fixed.bias[0]);
  }
  return { ...base, requant, clampLo, clampHi, output: out };
}

function buildAdd(layer: LayerSpec, a: QuantTensor, b: QuantTensor, out: QuantTensor): AddLayerQ {
  const { clampLo, clampHi } = clampOf(layer, out);
  const M = [a.scale / out.scale, b.scale / out.scale];
  const maxA = maxMagnitude(a);
  const maxB = maxMagnitude(b);
  for (let n = SHIFT_MAX; n >= 0; n--) {
    const m = M.map((v) => roundHalfEven(v * 2 ** n));
    if (m.some((v) => Math.abs(v) > MULTIPLIER_MAX)) continue;
    if (maxA * m[0] + maxB * m[1] > PRODUCT_MAX) continue;
    return {
      kind: 'add',
      name: layer.name,
      inputs: [layer.inputs[0], layer.inputs[1]],
      height: layer.outH,
      width: layer.outW,
      channels: layer.outC,
      multiplier: [m[0], m[1]],
      shift: n,
      clampLo,
      clampHi,
      output: out,
    };
  }
  throw new IntegerModelError(`${layer.name}: input/output scale ratios ${M[0]}, ${M[1]} do not fit a ${MULTIPLIER_BITS}-bit multiplier`);
}

/** Window sizes of an average pool, padding excluded (tf.avgPool counts only real pixels). */
export function poolDivisors(w: Window): number[] {
  return poolWindowPixels(w);
}

function buildPool(layer: LayerSpec, input: QuantTensor, out: QuantTensor): PoolLayerQ {
  expectWindow(layer);
  const win = window(layer);
  const divisors = poolDivisors(win);
  if (divisors.some((d) => d < 1)) throw new IntegerModelError(`${layer.name}: a pooling window covers no input pixel`);
  const { clampLo, clampHi } = clampOf(layer, out);
  const H = Math.max(Math.abs(clampLo), Math.abs(clampHi));
  const multiplier: number[] = [];
  const shift: number[] = [];
  for (const d of divisors) {
    const sumMax = d * maxMagnitude(input);
    checkAccumulator(`${layer.name}: window of ${d}`, sumMax);
    const fixed = fixedPoint([input.scale / (d * out.scale)], [0], [sumMax], H, `${layer.name}: window of ${d}`);
    multiplier.push(fixed.multiplier[0]);
    shift.push(fixed.shift);
  }
  return { kind: 'pool', name: layer.name, input: layer.inputs[0], ...win, divisors, multiplier, shift, clampLo, clampHi, output: out };
}

/**
 * Build the integer model of a trained network from its weights: the TF.js variables by name
 * (`<layer>/kernel`, `/gamma`, `/beta`, `/moving_mean`, `/moving_variance`, `/bias`,
 * `<tensor>/amax`, `input/amax`) as `loadWeights` returns them or as plain arrays. Throws
 * IntegerModelError when a weight is missing or a bound of the scheme is exceeded.
 */
export function buildIntegerModel(network: NetworkSpec, weights: WeightSource): IntegerModel {
  const tensors = new Map<string, QuantTensor>();
  const sizes = new Map<string, number>();
  const unsigned = new Map<string, boolean>([['input', false]]);
  const { height, width, channels } = network.input;
  const inputQuant = quantTensor(weights, 'input', INPUT_BITS, true);
  tensors.set('input', inputQuant);
  sizes.set('input', height * width * channels);
  const layers: IntegerLayer[] = [];
  network.layers.forEach((layer, i) => {
    const last = i === network.layers.length - 1;
    const where = `${layer.name} (layer ${i})`;
    const inputs = layer.inputs.map((name) => {
      const t = tensors.get(name);
      if (!t) throw new IntegerModelError(`${where}: input "${name}" is not an earlier quantised tensor`);
      return t;
    });
    if (layer.kind === 'conv' || layer.kind === 'dwconv' || layer.kind === 'fc') checkBits(where, 'bits', layer.bits);
    const positive = isUnsigned(layer, unsigned);
    unsigned.set(layer.name, positive);
    let out: QuantTensor | null = null;
    if (layer.outBits >= 32) {
      if (!last || layer.kind !== 'fc') {
        throw new IntegerModelError(`${where}: outBits ${layer.outBits} (a float output) is supported only for the final fc (the logits)`);
      }
    } else {
      checkBits(where, 'outBits', layer.outBits);
      out = quantTensor(weights, layer.name, layer.outBits, !positive);
      tensors.set(layer.name, out);
    }
    sizes.set(layer.name, layer.outH * layer.outW * layer.outC);
    const kind: LayerKind = layer.kind;
    switch (kind) {
      case 'conv':
      case 'dwconv':
        layers.push(buildConv(layer, weights, inputs[0], out as QuantTensor));
        break;
      case 'fc':
        layers.push(buildFc(layer, weights, inputs[0], out, sizes.get(layer.inputs[0]) ?? -1));
        break;
      case 'add':
        if (inputs.length !== 2) throw new IntegerModelError(`${where}: add takes two inputs`);
        layers.push(buildAdd(layer, inputs[0], inputs[1], out as QuantTensor));
        break;
      case 'pool':
        layers.push(buildPool(layer, inputs[0], out as QuantTensor));
        break;
      default:
        throw new IntegerModelError(`${where}: unknown layer kind ${String(kind)}`);
    }
  });
  if (layers.length === 0) throw new IntegerModelError(`${network.name}: no layers`);
  return {
    format: 'trips-hw-integer-model',
    version: 1,
    name: network.name,
    classes: network.classes,
    scheme: {
      rounding: 'half-even',
      multiplierBits: MULTIPLIER_BITS,
      accumulatorBits: ACCUMULATOR_BITS,
      productBits: PRODUCT_BITS,
      shiftMax: SHIFT_MAX,
    },
    input: { height, width, channels, quant: inputQuant },
    layers,
  };
}
