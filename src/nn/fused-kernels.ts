/**
 * Kernels of the fused training ops (see fused.ts), registered for the `cpu` and `wasm`
 * backends. One JavaScript implementation serves both: each backend only supplies how to view
 * a tensor's Float32Array / Uint8Array and how to allocate an output. On wasm the views are
 * windows on the backend's own heap, so nothing is copied.
 */
import * as tf from './tf.js';

export const BN_ACT_QUANT = 'TripsBnActQuant';
export const BN_ACT_QUANT_GRAD = 'TripsBnActQuantGrad';

type Info = tf.TensorInfo;
type Dtype = 'float32' | 'bool';

/** How a backend exposes tensor memory to JavaScript. */
interface TensorIo {
  /** Allocate every output first (wasm may grow its heap), then take views. */
  alloc(shape: number[], dtype: Dtype): Info;
  f32(t: Info): Float32Array;
  u8(t: Info): Uint8Array;
}

interface CpuBackendLike {
  data: { get(id: object): { values: ArrayLike<number> } };
  makeTensorInfo(shape: number[], dtype: Dtype, values?: Float32Array | Uint8Array): Info;
}

interface WasmBackendLike {
  wasm: { HEAPU8: Uint8Array };
  dataIdMap: { get(id: object): { memoryOffset: number } | undefined };
  makeOutput(shape: number[], dtype: Dtype): Info;
}

function cpuIo(backend: CpuBackendLike): TensorIo {
  return {
    alloc: (shape, dtype) => {
      const size = shape.reduce((a, b) => a * b, 1);
      return backend.makeTensorInfo(shape, dtype, dtype === 'bool' ? new Uint8Array(size) : new Float32Array(size));
    },
    f32: (t) => backend.data.get(t.dataId).values as Float32Array,
    u8: (t) => backend.data.get(t.dataId).values as Uint8Array,
  };
}

function wasmIo(backend: WasmBackendLike): TensorIo {
  const offset = (t: Info) => (backend.dataIdMap.get(t.dataId) as { memoryOffset: number }).memoryOffset;
  const size = (t: Info) => t.shape.reduce((a, b) => a * b, 1);
  return {
    alloc: (shape, dtype) => backend.makeOutput(shape, dtype),
    f32: (t) => new Float32Array(backend.wasm.HEAPU8.buffer, offset(t), size(t)),
    u8: (t) => new Uint8Array(backend.wasm.HEAPU8.buffer, offset(t), size(t)),
  };
}

/** Round half to even, as tf.round does. */
function roundHalfEven(v: number): number {
  const f = Math.floor(v);
  const d = v - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
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

/** Per-channel batch mean and biased variance of NHWC data (float64 accumulation). */
function channelMoments(x: Float32Array, channels: number, mean: Float32Array, variance: Float32Array): void {
  const n = x.length / channels;
  const sum = new Float64Array(channels);
  for (let i = 0; i < x.length; i += channels) for (let c = 0; c < channels; c++) sum[c] += x[i + c];
  for (let c = 0; c < channels; c++) mean[c] = sum[c] / n;
  sum.fill(0);
  for (let i = 0; i < x.length; i += channels) {
    for (let c = 0; c < channels; c++) {
      const d = x[i + c] - mean[c];
      sum[c] += d * d;
    }
  }
  for (let c = 0; c < channels; c++) variance[c] = sum[c] / n;
}

/**
 * Forward: y = fakeQuant(act(γ·(x − μ_B)/√(σ²_B + ε) + β)) with the running range blended from
 * this batch's range. Outputs [y, mean, variance, amax', mask]; mask marks where the gradient
 * passes (activation active and inside the quantisation range).
 */
function bnActQuantForward(io: TensorIo, inputs: Info[], a: BnActQuantAttrs): Info[] {
  const [x, gamma, beta, amax] = inputs;
  const channels = x.shape[x.shape.length - 1];
  const outs = [io.alloc(x.shape, 'float32'), io.alloc([channels], 'float32'), io.alloc([channels], 'float32'), io.alloc([], 'float32'), io.alloc(x.shape, 'bool')];
  const [xv, g, b, old] = [io.f32(x), io.f32(gamma), io.f32(beta), io.f32(amax)[0]];
  const [y, mean, variance, range, mask] = [io.f32(outs[0]), io.f32(outs[1]), io.f32(outs[2]), io.f32(outs[3]), io.u8(outs[4])];
  channelMoments(xv, channels, mean, variance);
  const scale = new Float32Array(channels);
  const shift = new Float32Array(channels);
  for (let c = 0; c < channels; c++) {
    scale[c] = g[c] / Math.sqrt(variance[c] + a.epsilon);
    shift[c] = b[c] - mean[c] * scale[c];
  }
  let peak = 0;
  const cap = a.activation === 2 ? 6 : Infinity;
  for (let i = 0; i < xv.length; i += channels) {
    for (let c = 0; c < channels; c++) {
      let z = Math.fround(xv[i + c] * scale[c] + shift[c]);
      if (a.activation !== 0) z = z < 0 ? 0 : z > cap ? cap : z;
      y[i + c] = z;
      const m = a.signed ? Math.abs(z) : z;
      if (m > peak) peak = m;
    }
  }
  const blended = old === 0 ? peak : Math.fround((1 - a.rangeMomentum) * old + a.rangeMomentum * peak);
  range[0] = blended;
  const step = Math.fround(Math.max(blended, 1e-8) / a.hi);
  for (let i = 0; i < y.length; i++) {
    const z = y[i];
    const q = roundHalfEven(Math.fround(z / step));
    y[i] = Math.fround((q < a.lo ? a.lo : q > a.hi ? a.hi : q) * step);
    const active = a.activation === 0 ? true : a.activation === 1 ? z > 0 : z > 0 && z < 6;
    mask[i] = active && z >= a.lo * step && z <= a.hi * step ? 1 : 0;
  }
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
  for (let i = 0; i < xv.length; i += channels) {
    for (let c = 0; c < channels; c++) {
      const dz = m[i + c] === 0 ? 0 : dyv[i + c];
      const xhat = (xv[i + c] - mu[c]) * inv[c];
      dx[i + c] = k[c] * (dz - sumDz[c] / n - (xhat * sumDzXhat[c]) / n);
    }
  }
  return outs;
}

let registered = false;

/** Register the fused kernels for the cpu and wasm backends (idempotent). */
export function registerFusedKernels(): void {
  if (registered) return;
  registered = true;
  const ioOf = (backend: object, name: string): TensorIo =>
    name === 'wasm' ? wasmIo(backend as unknown as WasmBackendLike) : cpuIo(backend as unknown as CpuBackendLike);
  for (const backendName of ['cpu', 'wasm']) {
    tf.registerKernel({
      kernelName: BN_ACT_QUANT,
      backendName,
      kernelFunc: ({ inputs, attrs, backend }) =>
        bnActQuantForward(ioOf(backend, backendName), Object.values(inputs) as Info[], attrs as unknown as BnActQuantAttrs),
    });
    tf.registerKernel({
      kernelName: BN_ACT_QUANT_GRAD,
      backendName,
      kernelFunc: ({ inputs, attrs, backend }) =>
        bnActQuantBackward(ioOf(backend, backendName), Object.values(inputs) as Info[], attrs as unknown as { epsilon: number }),
    });
  }
}
