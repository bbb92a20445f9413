/**
 * Kernels of the mixed-precision ops (see mixed.ts), registered for the `cpu` and `wasm`
 * backends like the fused kernels (fused-kernels.ts): y = Σ_j c_j·Q_j(z) over J bitwidths of
 * one tensor, computed in one pass with no per-level tensor, and the coefficient gradient
 * Σ dy·Q_j(z) in one pass that recomputes z from the saved input. The gradient with respect to
 * the input reuses the fused kernels (TripsBnActQuantGrad, TripsMaskGrad) through the one-byte
 * mask these forward kernels write.
 *
 * Arithmetic matches the single-bitwidth kernels of the same backend exactly, so one level with
 * coefficient 1 reproduces TripsBnActQuant / TripsActQuant bit for bit: on cpu
 * z = fround(x·scale + shift) (one rounding, as fused-kernels.ts's cpu kernel); on wasm the SIMD
 * module's fround(fround(x·scale) + shift).
 */
import { ACTIVATION_RANGE_FLOOR } from '../core/numerics.js';
import { registerFusedKernels } from './fused-kernels.js';
import { activeReplica, combineMoments, combinePeak } from './replica.js';
import * as tf from './tf.js';
import {
  activate,
  blendRange,
  LEVEL_BYTES,
  writeLevelTable,
  channelMoments,
  cpuIo,
  type CpuBackendLike,
  type Info,
  rangeFromExtremes,
  roundHalfEven,
  type TensorIo,
  type WasmHeapBackend,
} from './kernel-io.js';
import { tensorOffset, wasmKernelExports } from './wasm-module.js';

export const MIX_BN_ACT_QUANT = 'TripsMixBnActQuant';
export const MIX_BN_COEF_GRAD = 'TripsMixBnActQuantCoefGrad';
export const MIX_ACT_QUANT = 'TripsMixActQuant';
export const MIX_ACT_COEF_GRAD = 'TripsMixActQuantCoefGrad';

/**
 * TripsMixBnActQuant: inputs {x, gamma, beta, amax, coef?}; outputs [y, mean, variance, range,
 * mask, rows]. bits = [] (and no coef): no quantisation, y = act(BN(x)), range = amax.
 * TripsMixBnActQuantCoefGrad: inputs {dy, x, gamma, beta, mean, variance, range}; output [J].
 */
export interface MixBnAttrs {
  readonly epsilon: number;
  /** 0 none, 1 relu, 2 relu6. */
  readonly activation: number;
  readonly signed: boolean;
  readonly rangeMomentum: number;
  readonly bits: number[];
}

/**
 * TripsMixActQuant: inputs {x, amax, coef}; outputs [y, range, mask]. update: blend this
 * batch's range into amax (the first batch takes its own); otherwise use amax as it is.
 * TripsMixActQuantCoefGrad: inputs {dy, x, range}; output [J].
 */
export interface MixActAttrs {
  readonly signed: boolean;
  readonly rangeMomentum: number;
  readonly update: boolean;
  readonly bits: number[];
}

/** Quantisation levels of a bitwidth: unsigned 0 … 2^q − 1, signed ±(2^(q−1) − 1). */
export function mixLevels(bits: readonly number[], signed: boolean): { lo: number; hi: number }[] {
  return bits.map((q) => (signed ? { lo: -(2 ** (q - 1) - 1), hi: 2 ** (q - 1) - 1 } : { lo: 0, hi: 2 ** q - 1 }));
}

/** The level with the most bits (the first of equals): its range is where gradients pass. */
export function widestLevel(bits: readonly number[]): number {
  let best = 0;
  for (let j = 1; j < bits.length; j++) if (bits[j] > bits[best]) best = j;
  return best;
}

const sizeOf = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

/** The per-level constants for a range: step_j = fround(max(range, ACTIVATION_RANGE_FLOOR) / hi_j). */
interface Levels {
  readonly step: Float64Array;
  readonly lo: Float64Array;
  readonly hi: Float64Array;
  readonly coef: Float64Array;
  /** Where the gradient passes: [lo·step, hi·step] of the widest level (f32). */
  readonly low: number;
  readonly high: number;
}

function levelsFor(bits: readonly number[], signed: boolean, range: number, coef?: ArrayLike<number>): Levels {
  const table = mixLevels(bits, signed);
  const step = Float64Array.from(table, (t) => Math.fround(Math.max(range, ACTIVATION_RANGE_FLOOR) / t.hi));
  const lo = Float64Array.from(table, (t) => t.lo);
  const hi = Float64Array.from(table, (t) => t.hi);
  const w = widestLevel(bits);
  return {
    step,
    lo,
    hi,
    coef: Float64Array.from(table, (_, j) => (coef ? coef[j] : 0)),
    low: Math.fround(lo[w] * step[w]),
    high: Math.fround(hi[w] * step[w]),
  };
}

/** One level's fake quantisation of z (float32 arithmetic, as the single-bit kernel). */
function quantiseLevel(z: number, step: number, lo: number, hi: number): number {
  const q = roundHalfEven(Math.fround(z / step));
  return Math.fround((q < lo ? lo : q > hi ? hi : q) * step);
}

/** Σ_j c_j·Q_j(z) in level order, in float32, starting from the first product. */
function mixValue(z: number, l: Levels, J: number): number {
  let acc = Math.fround(l.coef[0] * quantiseLevel(z, l.step[0], l.lo[0], l.hi[0]));
  for (let j = 1; j < J; j++) acc = Math.fround(acc + Math.fround(l.coef[j] * quantiseLevel(z, l.step[j], l.lo[j], l.hi[j])));
  return acc;
}

/** scale = γ/√(σ² + ε), shift = β − μ·scale, in f32 arrays (as the fused kernels). */
function affine(
  g: Float32Array,
  b: Float32Array,
  mean: Float32Array,
  variance: Float32Array,
  epsilon: number,
  scale: Float32Array,
  shift: Float32Array,
): void {
  for (let c = 0; c < scale.length; c++) {
    scale[c] = g[c] / Math.sqrt(variance[c] + epsilon);
    shift[c] = b[c] - mean[c] * scale[c];
  }
}

function activeAt(z: number, activation: number): boolean {
  return activation === 0 ? true : activation === 1 ? z > 0 : z > 0 && z < 6;
}

// ---- cpu ----

function mixBnForwardCpu(io: TensorIo, inputs: Info[], a: MixBnAttrs): Info[] {
  const [x, gamma, beta, amax, coef] = inputs;
  const channels = x.shape[x.shape.length - 1];
  const outs = [
    io.alloc(x.shape, 'float32'),
    io.alloc([channels], 'float32'),
    io.alloc([channels], 'float32'),
    io.alloc([], 'float32'),
    io.alloc(x.shape, 'bool'),
    io.alloc([], 'float32'),
  ];
  const [xv, old] = [io.f32(x), io.f32(amax)[0]];
  const [y, mean, variance, range, mask] = [io.f32(outs[0]), io.f32(outs[1]), io.f32(outs[2]), io.f32(outs[3]), io.u8(outs[4])];
  channelMoments(xv, channels, mean, variance);
  const replica = activeReplica();
  const rows = xv.length / channels;
  io.f32(outs[5])[0] = replica
    ? combineMoments(replica, rows, mean, variance, new Float32Array(channels), new Float32Array(channels))
    : rows;
  const scale = new Float32Array(channels);
  const shift = new Float32Array(channels);
  affine(io.f32(gamma), io.f32(beta), mean, variance, a.epsilon, scale, shift);
  const activation = Number(a.activation);
  const signed = Boolean(a.signed);
  const J = a.bits.length;
  // z = act(BN(x)) into y, and its peak
  let peak = 0;
  for (let i = 0; i < xv.length; i += channels) {
    for (let c = 0; c < channels; c++) {
      const z = activate(Math.fround(xv[i + c] * scale[c] + shift[c]), activation);
      y[i + c] = z;
      const m = signed ? Math.abs(z) : z;
      if (m > peak) peak = m;
    }
  }
  if (J === 0) {
    range[0] = old;
    for (let i = 0; i < y.length; i++) mask[i] = activeAt(y[i], activation) ? 1 : 0;
    return outs;
  }
  if (replica) peak = combinePeak(replica, peak);
  range[0] = blendRange(old, peak, a.rangeMomentum);
  const l = levelsFor(a.bits, signed, range[0], io.f32(coef));
  for (let i = 0; i < y.length; i++) {
    const z = y[i];
    y[i] = mixValue(z, l, J);
    mask[i] = activeAt(z, activation) && z >= l.low && z <= l.high ? 1 : 0;
  }
  return outs;
}

function mixBnCoefGradCpu(io: TensorIo, inputs: Info[], a: MixBnAttrs): Info[] {
  const [dy, x, gamma, beta, mean, variance, range] = inputs;
  const channels = x.shape[x.shape.length - 1];
  const J = a.bits.length;
  const out = io.alloc([J], 'float32');
  const [dyv, xv] = [io.f32(dy), io.f32(x)];
  const scale = new Float32Array(channels);
  const shift = new Float32Array(channels);
  affine(io.f32(gamma), io.f32(beta), io.f32(mean), io.f32(variance), a.epsilon, scale, shift);
  const activation = Number(a.activation);
  const l = levelsFor(a.bits, Boolean(a.signed), io.f32(range)[0]);
  const sums = new Float64Array(J);
  for (let i = 0; i < xv.length; i += channels) {
    for (let c = 0; c < channels; c++) {
      const z = activate(Math.fround(xv[i + c] * scale[c] + shift[c]), activation);
      const d = dyv[i + c];
      for (let j = 0; j < J; j++) sums[j] += d * quantiseLevel(z, l.step[j], l.lo[j], l.hi[j]);
    }
  }
  io.f32(out).set(sums);
  return [out];
}

function mixActForwardCpu(io: TensorIo, inputs: Info[], a: MixActAttrs): Info[] {
  const [x, amax, coef] = inputs;
  const outs = [io.alloc(x.shape, 'float32'), io.alloc([], 'float32'), io.alloc(x.shape, 'bool')];
  const xv = io.f32(x);
  const old = io.f32(amax)[0];
  let range = old;
  if (a.update) {
    const signed = Boolean(a.signed);
    let peak = -Infinity;
    for (let i = 0; i < xv.length; i++) peak = Math.max(peak, signed ? Math.abs(xv[i]) : xv[i]);
    const replica = activeReplica();
    if (replica) peak = combinePeak(replica, peak);
    range = blendRange(old, peak, a.rangeMomentum);
  }
  io.f32(outs[1])[0] = range;
  const J = a.bits.length;
  const l = levelsFor(a.bits, Boolean(a.signed), io.f32(outs[1])[0], io.f32(coef));
  const [y, mask] = [io.f32(outs[0]), io.u8(outs[2])];
  for (let i = 0; i < xv.length; i++) {
    const z = xv[i];
    y[i] = mixValue(z, l, J);
    mask[i] = z >= l.low && z <= l.high ? 1 : 0;
  }
  return outs;
}

function mixActCoefGradCpu(io: TensorIo, inputs: Info[], a: MixActAttrs): Info[] {
  const [dy, x, range] = inputs;
  const J = a.bits.length;
  const out = io.alloc([J], 'float32');
  const [dyv, xv] = [io.f32(dy), io.f32(x)];
  const l = levelsFor(a.bits, Boolean(a.signed), io.f32(range)[0]);
  const sums = new Float64Array(J);
  for (let i = 0; i < xv.length; i++) {
    const d = dyv[i];
    for (let j = 0; j < J; j++) sums[j] += d * quantiseLevel(xv[i], l.step[j], l.lo[j], l.hi[j]);
  }
  io.f32(out).set(sums);
  return [out];
}

// ---- wasm: the SIMD module in place on the backend's heap ----

/** Bytes per level in the module's level table: step, lo, hi, coefficient, each ×4 lanes. */
/** Write the level table (J × LEVEL_BYTES) at `at`. */
function writeLevels(heap: ArrayBufferLike, at: number, l: Levels): void {
  writeLevelTable(heap, at, l.step, l.lo, l.hi, l.coef);
}

function mixBnForwardWasm(backend: WasmHeapBackend, inputs: Info[], a: MixBnAttrs): Info[] {
  const k = wasmKernelExports(backend);
  const [x, gamma, beta, amax, coef] = inputs;
  const channels = x.shape[x.shape.length - 1];
  const rows = sizeOf(x.shape) / channels;
  const J = a.bits.length;
  const outs = [
    backend.makeOutput(x.shape, 'float32'),
    backend.makeOutput([channels], 'float32'),
    backend.makeOutput([channels], 'float32'),
    backend.makeOutput([], 'float32'),
    backend.makeOutput(x.shape, 'bool'),
    backend.makeOutput([], 'float32'),
  ];
  // scratch: 2·C f64 sums, then scale, shift, lowest, highest (C f32 each), then the levels
  const levels = channels * 32;
  const scratch = backend.wasm._malloc(levels + J * LEVEL_BYTES);
  try {
    const p = (t: Info) => tensorOffset(backend, t);
    const [y, mean, variance, range, mask, count] = outs.map(p);
    const at = (i: number) => scratch + channels * (16 + 4 * i);
    // the scale vector's space doubles as the moments' block accumulator (written after)
    k.bn_moments(p(x), rows, channels, mean, variance, at(2), at(3), scratch, at(0));
    const heap = backend.wasm.HEAPU8.buffer;
    const f32 = (ptr: number, n = channels) => new Float32Array(heap, ptr, n);
    const [mu, v] = [f32(mean), f32(variance)];
    const [scale, shift] = [f32(at(0)), f32(at(1))];
    const replica = activeReplica();
    f32(count, 1)[0] = replica ? combineMoments(replica, rows, mu, v, f32(at(2)), f32(at(3))) : rows;
    affine(f32(p(gamma)), f32(p(beta)), mu, v, a.epsilon, scale, shift);
    const activation = Number(a.activation);
    const old = f32(p(amax), 1)[0];
    if (J === 0) {
      f32(range, 1)[0] = old;
      k.bn_apply_mix(p(x), y, mask, rows, channels, at(0), at(1), activation, scratch, 0, -Infinity, Infinity);
      return outs;
    }
    // with replicas the extremes are the whole batch's already
    const peak = rangeFromExtremes(scale, shift, f32(at(2)), f32(at(3)), activation, Boolean(a.signed));
    f32(range, 1)[0] = blendRange(old, peak, a.rangeMomentum);
    const l = levelsFor(a.bits, Boolean(a.signed), f32(range, 1)[0], f32(p(coef), J));
    writeLevels(heap, scratch + levels, l);
    k.bn_apply_mix(p(x), y, mask, rows, channels, at(0), at(1), activation, scratch + levels, J, l.low, l.high);
  } finally {
    backend.wasm._free(scratch);
  }
  return outs;
}

function mixBnCoefGradWasm(backend: WasmHeapBackend, inputs: Info[], a: MixBnAttrs): Info[] {
  const k = wasmKernelExports(backend);
  const [dy, x, gamma, beta, mean, variance, range] = inputs;
  const channels = x.shape[x.shape.length - 1];
  const rows = sizeOf(x.shape) / channels;
  const J = a.bits.length;
  const out = backend.makeOutput([J], 'float32');
  // scratch: J f64 sums, J f32x4 blocks, the level table, then scale and shift (C f32 each)
  const [sums, block, levels, scaleAt] = [0, J * 8, J * 24, J * (24 + LEVEL_BYTES)];
  const scratch = backend.wasm._malloc(scaleAt + channels * 8);
  try {
    const p = (t: Info) => tensorOffset(backend, t);
    const heap = backend.wasm.HEAPU8.buffer;
    const f32 = (ptr: number, n = channels) => new Float32Array(heap, ptr, n);
    affine(
      f32(p(gamma)),
      f32(p(beta)),
      f32(p(mean)),
      f32(p(variance)),
      a.epsilon,
      f32(scratch + scaleAt),
      f32(scratch + scaleAt + channels * 4),
    );
    writeLevels(heap, scratch + levels, levelsFor(a.bits, Boolean(a.signed), f32(p(range), 1)[0]));
    k.bn_mix_coef_grad(
      p(dy),
      p(x),
      rows,
      channels,
      scratch + scaleAt,
      scratch + scaleAt + channels * 4,
      Number(a.activation),
      scratch + levels,
      J,
      scratch + sums,
      scratch + block,
    );
    f32(p(out), J).set(new Float64Array(heap, scratch + sums, J));
  } finally {
    backend.wasm._free(scratch);
  }
  return [out];
}

function mixActForwardWasm(backend: WasmHeapBackend, inputs: Info[], a: MixActAttrs): Info[] {
  const k = wasmKernelExports(backend);
  const [x, amax, coef] = inputs;
  const n = sizeOf(x.shape);
  const J = a.bits.length;
  const outs = [backend.makeOutput(x.shape, 'float32'), backend.makeOutput([], 'float32'), backend.makeOutput(x.shape, 'bool')];
  const scratch = backend.wasm._malloc(J * LEVEL_BYTES);
  try {
    const p = (t: Info) => tensorOffset(backend, t);
    const [y, range, mask] = outs.map(p);
    const heap = backend.wasm.HEAPU8.buffer;
    const old = new Float32Array(heap, p(amax), 1)[0];
    let blended = old;
    if (a.update) {
      const localPeak = k.peak_of(p(x), n, a.signed ? 1 : 0);
      const replica = activeReplica();
      blended = blendRange(old, replica ? combinePeak(replica, localPeak) : localPeak, a.rangeMomentum);
    }
    const r = new Float32Array(heap, range, 1);
    r[0] = blended;
    const l = levelsFor(a.bits, Boolean(a.signed), r[0], new Float32Array(heap, p(coef), J));
    writeLevels(heap, scratch, l);
    k.mix_quant(p(x), y, mask, n, scratch, J, l.low, l.high);
  } finally {
    backend.wasm._free(scratch);
  }
  return outs;
}

function mixActCoefGradWasm(backend: WasmHeapBackend, inputs: Info[], a: MixActAttrs): Info[] {
  const k = wasmKernelExports(backend);
  const [dy, x, range] = inputs;
  const J = a.bits.length;
  const out = backend.makeOutput([J], 'float32');
  const [sums, block, levels] = [0, J * 8, J * 24];
  const scratch = backend.wasm._malloc(levels + J * LEVEL_BYTES);
  try {
    const p = (t: Info) => tensorOffset(backend, t);
    const heap = backend.wasm.HEAPU8.buffer;
    writeLevels(heap, scratch + levels, levelsFor(a.bits, Boolean(a.signed), new Float32Array(heap, p(range), 1)[0]));
    k.mix_coef_grad(p(dy), p(x), sizeOf(x.shape), scratch + levels, J, scratch + sums, scratch + block);
    new Float32Array(heap, p(out), J).set(new Float64Array(heap, scratch + sums, J));
  } finally {
    backend.wasm._free(scratch);
  }
  return [out];
}

let registered = false;

/** Register the mixed-precision kernels (and the fused ones they reuse) for cpu and wasm. */
export function registerMixKernels(): void {
  registerFusedKernels();
  if (registered) return;
  registered = true;
  const cpu = (f: (io: TensorIo, inputs: Info[], attrs: never) => Info[]) =>
    (({ inputs, attrs, backend }) =>
      f(cpuIo(backend as unknown as CpuBackendLike), Object.values(inputs) as Info[], attrs as never)) as tf.KernelFunc;
  const wasm = (f: (b: WasmHeapBackend, inputs: Info[], attrs: never) => Info[]) =>
    (({ inputs, attrs, backend }) =>
      f(backend as unknown as WasmHeapBackend, Object.values(inputs) as Info[], attrs as never)) as tf.KernelFunc;
  const kernels: [string, tf.KernelFunc, tf.KernelFunc][] = [
    [MIX_BN_ACT_QUANT, cpu(mixBnForwardCpu), wasm(mixBnForwardWasm)],
    [MIX_BN_COEF_GRAD, cpu(mixBnCoefGradCpu), wasm(mixBnCoefGradWasm)],
    [MIX_ACT_QUANT, cpu(mixActForwardCpu), wasm(mixActForwardWasm)],
    [MIX_ACT_COEF_GRAD, cpu(mixActCoefGradCpu), wasm(mixActCoefGradWasm)],
  ];
  for (const [kernelName, onCpu, onWasm] of kernels) {
    tf.registerKernel({ kernelName, backendName: 'cpu', kernelFunc: onCpu });
    tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc: onWasm });
  }
}
