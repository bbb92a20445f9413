/**
 * Kernels of the fused training ops (see fused.ts), registered for the `cpu` and `wasm`
 * backends: plain JavaScript loops on the cpu backend's arrays, and on wasm the project's SIMD
 * module working in place on the backend's heap (JavaScript loops over heap views measured
 * ~50 ns per element there, the SIMD module a few).
 */
import { ACTIVATION_RANGE_FLOOR } from '../core/numerics.js';
import * as tf from './tf.js';
import {
  blendRange,
  channelMoments,
  LEVEL_BYTES,
  writeLevelTable,
  cpuIo,
  type CpuBackendLike,
  type Info,
  rangeFromExtremes,
  roundHalfEven,
  type TensorIo,
  type WasmHeapBackend,
} from './kernel-io.js';
import { activeReplica, combineGradSums, combineMoments, combinePeak } from './replica.js';
import { tensorOffset, wasmKernelExports } from './wasm-module.js';

export const BN_ACT_QUANT = 'TripsBnActQuant';
export const BN_ACT_QUANT_GRAD = 'TripsBnActQuantGrad';
export const ACT_QUANT = 'TripsActQuant';
export const MASK_GRAD = 'TripsMaskGrad';

export interface ActQuantAttrs {
  readonly lo: number;
  readonly hi: number;
  readonly signed: boolean;
  readonly rangeMomentum: number;
}

export interface BnActQuantAttrs {
  readonly epsilon: number;
  /** 0 none, 1 relu, 2 relu6. */
  readonly activation: number;
  readonly lo: number;
  readonly hi: number;
  readonly signed: boolean;
  readonly rangeMomentum: number;
}

/** y = act(x·scale[c] + shift[c]); returns the batch range (max, or max |·| when signed). */
function normalise(
  x: Float32Array,
  y: Float32Array,
  channels: number,
  scale: Float32Array,
  shift: Float32Array,
  activation: number,
  signed: boolean,
): number {
  let peak = 0;
  const cap = activation === 2 ? 6 : Infinity;
  for (let i = 0; i < x.length; i += channels) {
    for (let c = 0; c < channels; c++) {
      let z = Math.fround(x[i + c] * scale[c] + shift[c]);
      if (activation !== 0) z = z < 0 ? 0 : z > cap ? cap : z;
      y[i + c] = z;
      const m = signed ? Math.abs(z) : z;
      if (m > peak) peak = m;
    }
  }
  return peak;
}

/** y = clip(round(y/step), lo, hi)·step; mask = where the gradient passes. */
function quantiseInPlace(y: Float32Array, mask: Uint8Array, step: number, lo: number, hi: number, activation: number): void {
  // the range limits in float32, as the composite (tf.mul on float32 tensors) and the SIMD kernel
  const low = Math.fround(lo * step);
  const high = Math.fround(hi * step);
  for (let i = 0; i < y.length; i++) {
    const z = y[i];
    const q = roundHalfEven(Math.fround(z / step));
    y[i] = Math.fround((q < lo ? lo : q > hi ? hi : q) * step);
    const active = activation === 0 ? true : activation === 1 ? z > 0 : z > 0 && z < 6;
    mask[i] = active && z >= low && z <= high ? 1 : 0;
  }
}

/**
 * Forward: y = fakeQuant(act(γ·(x − μ_B)/√(σ²_B + ε) + β)) with the running range blended from
 * this batch's range. Outputs [y, mean, variance, amax', mask, rows]; mask marks where the
 * gradient passes (activation active and inside the quantisation range); rows is how many rows
 * the statistics cover (with replicas, the whole batch's).
 */
function bnActQuantForward(io: TensorIo, inputs: Info[], a: BnActQuantAttrs): Info[] {
  const [x, gamma, beta, amax] = inputs;
  const channels = x.shape[x.shape.length - 1];
  const outs = [
    io.alloc(x.shape, 'float32'),
    io.alloc([channels], 'float32'),
    io.alloc([channels], 'float32'),
    io.alloc([], 'float32'),
    io.alloc(x.shape, 'bool'),
    io.alloc([], 'float32'),
  ];
  const [xv, g, b, old] = [io.f32(x), io.f32(gamma), io.f32(beta), io.f32(amax)[0]];
  const [y, mean, variance, range, mask] = [io.f32(outs[0]), io.f32(outs[1]), io.f32(outs[2]), io.f32(outs[3]), io.u8(outs[4])];
  channelMoments(xv, channels, mean, variance);
  const replica = activeReplica();
  io.f32(outs[5])[0] = replica
    ? combineMoments(replica, xv.length / channels, mean, variance, new Float32Array(channels), new Float32Array(channels))
    : xv.length / channels;
  const scale = new Float32Array(channels);
  const shift = new Float32Array(channels);
  for (let c = 0; c < channels; c++) {
    scale[c] = g[c] / Math.sqrt(variance[c] + a.epsilon);
    shift[c] = b[c] - mean[c] * scale[c];
  }
  // attributes in locals: the attrs object is a dictionary, too slow to read per element
  const activation = Number(a.activation);
  const signed = Boolean(a.signed);
  const lo = Number(a.lo);
  const hi = Number(a.hi);
  const localPeak = normalise(xv, y, channels, scale, shift, activation, signed);
  const peak = replica ? combinePeak(replica, localPeak) : localPeak;
  const blended = old === 0 ? peak : Math.fround((1 - a.rangeMomentum) * old + a.rangeMomentum * peak);
  range[0] = blended;
  const step = Math.fround(Math.max(blended, ACTIVATION_RANGE_FLOOR) / hi);
  quantiseInPlace(y, mask, step, lo, hi, activation);
  return outs;
}

/**
 * Backward of batch norm in training mode through the mask:
 * dz = dy·mask; dβ = Σ dz; dγ = Σ dz·x̂; dx = γ/σ · (dz − dβ/N − x̂·dγ/N).
 */
function bnActQuantBackward(io: TensorIo, inputs: Info[], a: { epsilon: number }): Info[] {
  const [dy, x, gamma, mean, variance, mask] = inputs;
  const channels = x.shape[x.shape.length - 1];
  const outs = [io.alloc(x.shape, 'float32'), io.alloc([channels], 'float32'), io.alloc([channels], 'float32')];
  const [dyv, xv, g, mu, v, m] = [io.f32(dy), io.f32(x), io.f32(gamma), io.f32(mean), io.f32(variance), io.u8(mask)];
  const [dx, dgamma, dbeta] = [io.f32(outs[0]), io.f32(outs[1]), io.f32(outs[2])];
  const n = xv.length / channels;
  const inv = new Float64Array(channels);
  for (let c = 0; c < channels; c++) inv[c] = 1 / Math.sqrt(v[c] + a.epsilon);
  const sumDz = new Float64Array(channels);
  const sumDzXhat = new Float64Array(channels);
  for (let i = 0; i < xv.length; i += channels) {
    for (let c = 0; c < channels; c++) {
      if (m[i + c] === 0) continue;
      const dz = dyv[i + c];
      sumDz[c] += dz;
      sumDzXhat[c] += dz * (xv[i + c] - mu[c]) * inv[c];
    }
  }
  const k = new Float64Array(channels);
  for (let c = 0; c < channels; c++) {
    dbeta[c] = sumDz[c];
    dgamma[c] = sumDzXhat[c];
    k[c] = g[c] * inv[c];
  }
  // dγ, dβ stay this replica's own (the optimizer combines gradients); dx needs the whole batch's
  const sums = new Float64Array([...sumDz, ...sumDzXhat]);
  const replica = activeReplica();
  const per = replica ? combineGradSums(replica, n, sums) : 1 / n;
  for (let i = 0; i < xv.length; i += channels) {
    for (let c = 0; c < channels; c++) {
      const dz = m[i + c] === 0 ? 0 : dyv[i + c];
      const xhat = (xv[i + c] - mu[c]) * inv[c];
      dx[i + c] = k[c] * (dz - sums[c] * per - xhat * sums[channels + c] * per);
    }
  }
  return outs;
}

// ---- wasm: the same algorithm in the project's SIMD module, in place on the backend's heap ----

function bnActQuantForwardWasm(backend: WasmHeapBackend, inputs: Info[], a: BnActQuantAttrs): Info[] {
  const k = wasmKernelExports(backend);
  const [x, gamma, beta, amax] = inputs;
  const channels = x.shape[x.shape.length - 1];
  const rows = x.shape.reduce((p, d) => p * d, 1) / channels;
  const outs = [
    backend.makeOutput(x.shape, 'float32'),
    backend.makeOutput([channels], 'float32'),
    backend.makeOutput([channels], 'float32'),
    backend.makeOutput([], 'float32'),
    backend.makeOutput(x.shape, 'bool'),
    backend.makeOutput([], 'float32'),
  ];
  // scratch: 2·C f64 sums, then scale, shift, lowest, highest (C f32 each), then one level
  const scratch = backend.wasm._malloc(channels * 32 + LEVEL_BYTES);
  try {
    const [y, mean, variance, range, mask, count] = outs.map((t) => tensorOffset(backend, t));
    const at = (i: number) => scratch + channels * (16 + 4 * i);
    // the scale vector's space doubles as the moments' block accumulator (written after)
    k.bn_moments(tensorOffset(backend, x), rows, channels, mean, variance, at(2), at(3), scratch, at(0));
    const heap = backend.wasm.HEAPU8.buffer;
    const f32 = (p: number, n = channels) => new Float32Array(heap, p, n);
    const [g, b, mu, v] = [f32(tensorOffset(backend, gamma)), f32(tensorOffset(backend, beta)), f32(mean), f32(variance)];
    const [scale, shift] = [f32(at(0)), f32(at(1))];
    const replica = activeReplica();
    f32(count, 1)[0] = replica ? combineMoments(replica, rows, mu, v, f32(at(2)), f32(at(3))) : rows;
    for (let c = 0; c < channels; c++) {
      scale[c] = g[c] / Math.sqrt(v[c] + a.epsilon);
      shift[c] = b[c] - mu[c] * scale[c];
    }
    const activation = Number(a.activation);
    // with replicas the extremes are the whole batch's already
    const peak = rangeFromExtremes(scale, shift, f32(at(2)), f32(at(3)), activation, Boolean(a.signed));
    const old = f32(tensorOffset(backend, amax), 1)[0];
    const blended = old === 0 ? peak : Math.fround((1 - a.rangeMomentum) * old + a.rangeMomentum * peak);
    f32(range, 1)[0] = blended;
    const step = Math.fround(Math.max(blended, ACTIVATION_RANGE_FLOOR) / Number(a.hi));
    // one bitwidth is the mix of one level with coefficient 1 (the same bits: the sum starts at c₀·q₀)
    const [lo, hi] = [Number(a.lo), Number(a.hi)];
    writeLevelTable(heap, at(4), [step], [lo], [hi], [1]);
    k.bn_apply_mix(
      tensorOffset(backend, x),
      y,
      mask,
      rows,
      channels,
      at(0),
      at(1),
      activation,
      at(4),
      1,
      Math.fround(lo * step),
      Math.fround(hi * step),
    );
  } finally {
    backend.wasm._free(scratch);
  }
  return outs;
}

function bnActQuantBackwardWasm(backend: WasmHeapBackend, inputs: Info[], a: { epsilon: number }): Info[] {
  const k = wasmKernelExports(backend);
  const [dy, x, gamma, mean, variance, mask] = inputs;
  const channels = x.shape[x.shape.length - 1];
  const rows = x.shape.reduce((p, d) => p * d, 1) / channels;
  const outs = [
    backend.makeOutput(x.shape, 'float32'),
    backend.makeOutput([channels], 'float32'),
    backend.makeOutput([channels], 'float32'),
  ];
  // scratch: 2·C f64 sums, then inv, k, a, b (C f32 each)
  const scratch = backend.wasm._malloc(channels * 32);
  try {
    const p = (t: Info) => tensorOffset(backend, t);
    const inv = scratch + channels * 16;
    const heap = backend.wasm.HEAPU8.buffer;
    const f32 = (at: number) => new Float32Array(heap, at, channels);
    const [v, g] = [f32(p(variance)), f32(p(gamma))];
    const invs = f32(inv);
    for (let c = 0; c < channels; c++) invs[c] = 1 / Math.sqrt(v[c] + a.epsilon);
    // k and a (written after) double as the sums' two block accumulators
    k.bn_grad_sums(p(dy), p(x), p(mask), rows, channels, p(mean), inv, scratch, inv + channels * 4);
    const sums = new Float64Array(heap, scratch, 2 * channels);
    const [kk, ka, kb] = [f32(inv + channels * 4), f32(inv + channels * 8), f32(inv + channels * 12)];
    const [dgamma, dbeta] = [f32(p(outs[1])), f32(p(outs[2]))];
    for (let c = 0; c < channels; c++) {
      dbeta[c] = sums[c];
      dgamma[c] = sums[channels + c];
      kk[c] = g[c] * invs[c];
    }
    // dγ, dβ stay this replica's own (the optimizer combines gradients); dx needs the whole batch's
    const replica = activeReplica();
    const per = replica ? combineGradSums(replica, rows, sums) : 1 / rows;
    for (let c = 0; c < channels; c++) {
      ka[c] = sums[c] * per;
      kb[c] = sums[channels + c] * per;
    }
    k.bn_grad_dx(p(dy), p(x), p(mask), p(outs[0]), rows, channels, p(mean), inv, kk.byteOffset, ka.byteOffset, kb.byteOffset);
  } finally {
    backend.wasm._free(scratch);
  }
  return outs;
}

// ---- activation fake quantisation alone (input, add and pool outputs) ----

/** Outputs [y, range, mask]: the batch range blended into the running one, then quantisation. */
function actQuantCpu(io: TensorIo, inputs: Info[], a: ActQuantAttrs): Info[] {
  const [x, amax] = inputs;
  const outs = [io.alloc(x.shape, 'float32'), io.alloc([], 'float32'), io.alloc(x.shape, 'bool')];
  const xv = io.f32(x);
  let peak = -Infinity;
  for (let i = 0; i < xv.length; i++) peak = Math.max(peak, a.signed ? Math.abs(xv[i]) : xv[i]);
  const replica = activeReplica();
  if (replica) peak = combinePeak(replica, peak);
  const range = blendRange(io.f32(amax)[0], peak, a.rangeMomentum);
  io.f32(outs[1])[0] = range;
  const y = io.f32(outs[0]);
  y.set(xv);
  quantiseInPlace(y, io.u8(outs[2]), Math.fround(Math.max(range, ACTIVATION_RANGE_FLOOR) / a.hi), Number(a.lo), Number(a.hi), 0);
  return outs;
}

function maskGradCpu(io: TensorIo, inputs: Info[]): Info[] {
  const [dy, mask] = inputs;
  const out = io.alloc(dy.shape, 'float32');
  const [d, m, dx] = [io.f32(dy), io.u8(mask), io.f32(out)];
  for (let i = 0; i < d.length; i++) dx[i] = m[i] === 0 ? 0 : d[i];
  return [out];
}

function actQuantWasm(backend: WasmHeapBackend, inputs: Info[], a: ActQuantAttrs): Info[] {
  const k = wasmKernelExports(backend);
  const [x, amax] = inputs;
  const n = x.shape.reduce((p, d) => p * d, 1);
  const outs = [backend.makeOutput(x.shape, 'float32'), backend.makeOutput([], 'float32'), backend.makeOutput(x.shape, 'bool')];
  const [y, range, mask] = outs.map((t) => tensorOffset(backend, t));
  const localPeak = k.peak_of(tensorOffset(backend, x), n, a.signed ? 1 : 0);
  const replica = activeReplica();
  const peak = replica ? combinePeak(replica, localPeak) : localPeak;
  const heap = backend.wasm.HEAPU8.buffer;
  const blended = blendRange(new Float32Array(heap, tensorOffset(backend, amax), 1)[0], peak, a.rangeMomentum);
  new Float32Array(heap, range, 1)[0] = blended;
  const step = Math.fround(Math.max(blended, ACTIVATION_RANGE_FLOOR) / Number(a.hi));
  const [lo, hi] = [Number(a.lo), Number(a.hi)];
  const levels = backend.wasm._malloc(LEVEL_BYTES);
  try {
    writeLevelTable(backend.wasm.HEAPU8.buffer, levels, [step], [lo], [hi], [1]);
    k.mix_quant(tensorOffset(backend, x), y, mask, n, levels, 1, Math.fround(lo * step), Math.fround(hi * step));
  } finally {
    backend.wasm._free(levels);
  }
  return outs;
}

function maskGradWasm(backend: WasmHeapBackend, inputs: Info[]): Info[] {
  const [dy, mask] = inputs;
  const out = backend.makeOutput(dy.shape, 'float32');
  wasmKernelExports(backend).mask_grad(
    tensorOffset(backend, dy),
    tensorOffset(backend, mask),
    tensorOffset(backend, out),
    dy.shape.reduce((p, d) => p * d, 1),
  );
  return [out];
}

let registered = false;

/** Register the fused kernels for the cpu and wasm backends (idempotent). */
export function registerFusedKernels(): void {
  if (registered) return;
  registered = true;
  const cpu = (f: (io: TensorIo, inputs: Info[], attrs: never) => Info[]) =>
    (({ inputs, attrs, backend }) =>
      f(cpuIo(backend as unknown as CpuBackendLike), Object.values(inputs) as Info[], attrs as never)) as tf.KernelFunc;
  const wasm = (f: (b: WasmHeapBackend, inputs: Info[], attrs: never) => Info[]) =>
    (({ inputs, attrs, backend }) =>
      f(backend as unknown as WasmHeapBackend, Object.values(inputs) as Info[], attrs as never)) as tf.KernelFunc;
  tf.registerKernel({ kernelName: ACT_QUANT, backendName: 'cpu', kernelFunc: cpu(actQuantCpu) });
  tf.registerKernel({ kernelName: MASK_GRAD, backendName: 'cpu', kernelFunc: cpu(maskGradCpu) });
  tf.registerKernel({ kernelName: ACT_QUANT, backendName: 'wasm', kernelFunc: wasm(actQuantWasm) });
  tf.registerKernel({ kernelName: MASK_GRAD, backendName: 'wasm', kernelFunc: wasm(maskGradWasm) });
  tf.registerKernel({
    kernelName: BN_ACT_QUANT,
    backendName: 'cpu',
    kernelFunc: ({ inputs, attrs, backend }) =>
      bnActQuantForward(cpuIo(backend as unknown as CpuBackendLike), Object.values(inputs) as Info[], attrs as unknown as BnActQuantAttrs),
  });
  tf.registerKernel({
    kernelName: BN_ACT_QUANT_GRAD,
    backendName: 'cpu',
    kernelFunc: ({ inputs, attrs, backend }) =>
      bnActQuantBackward(
        cpuIo(backend as unknown as CpuBackendLike),
        Object.values(inputs) as Info[],
        attrs as unknown as { epsilon: number },
      ),
  });
  tf.registerKernel({
    kernelName: BN_ACT_QUANT,
    backendName: 'wasm',
    kernelFunc: ({ inputs, attrs, backend }) =>
      bnActQuantForwardWasm(backend as unknown as WasmHeapBackend, Object.values(inputs) as Info[], attrs as unknown as BnActQuantAttrs),
  });
  tf.registerKernel({
    kernelName: BN_ACT_QUANT_GRAD,
    backendName: 'wasm',
    kernelFunc: ({ inputs, attrs, backend }) =>
      bnActQuantBackwardWasm(
        backend as unknown as WasmHeapBackend,
        Object.values(inputs) as Info[],
        attrs as unknown as { epsilon: number },
      ),
  });
}
