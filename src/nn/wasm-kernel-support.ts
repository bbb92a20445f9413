/**
 * What the project's wasm kernels (wasm-conv-kernels.ts) share: the strategy switches, scratch
 * buffers from the backend's own allocator, the block sizes of the GEMMs, and the stock kernels
 * they fall back to. In: the TF.js wasm backend. What stays true: every scratch buffer taken
 * is freed, and a stock kernel is called only if it is not one of the project's own.
 */
import * as tf from '@tensorflow/tfjs-core';
import { type backend_util, type KernelConfig, type KernelFunc, type TensorInfo, util } from '@tensorflow/tfjs-core';
import { tensorOffset as ptr, type WasmBackendLike } from './wasm-module.js';

// ---------------------------------------------------------------------------------------------
// Strategy switches. The defaults are the fastest measured on the 2-core x86 machine (see
// `npm run bench:kernels`); the alternatives stay selectable so the bench can compare them.
// ---------------------------------------------------------------------------------------------
export interface WasmKernelOptions {
  /** 1×1 stride-1 weight gradient xᵀ·dy: own SIMD GEMM reading x in place, or transpose x and
   *  run the backend's XNNPACK `BatchMatMul`. */
  conv1x1Filter: 'simd' | 'xnnpack';
  /** 1×1 stride-1 input gradient dy·Wᵀ: own SIMD GEMM, the backend's XNNPACK `BatchMatMul`
   *  on dy and the transposed filter, or the stock scalar kernel. */
  conv1x1Input: 'simd' | 'xnnpack' | 'stock';
  /** k×k stride-1 input gradient: the backend's XNNPACK `Conv2D` on dy with the flipped filter,
   *  own chunked GEMM + col2im, or the stock scalar kernel. 'auto' takes XNNPACK when the
   *  input has at least 8 channels (it is slow with few output channels) and the GEMM below. */
  convInputStride1: 'auto' | 'xnnpack' | 'simd' | 'stock';
  /** Strided (or otherwise irregular) input gradient: own chunked GEMM + col2im, or stock. */
  convInputStrided: 'simd' | 'stock';
  /** Floats of scratch per im2col / col2im chunk (the chunk holds P pixels × KH·KW·Cin). */
  scratchFloats: number;
  /** Rows of the K (pixel) dimension per cache block of the weight-gradient GEMM; 0 = by
   *  size, so that a block of dy (kc × Cout floats) stays within ~128 KiB. */
  kc: number;
}

const DEFAULTS: WasmKernelOptions = {
  conv1x1Filter: 'simd',
  conv1x1Input: 'simd',
  convInputStride1: 'auto',
  convInputStrided: 'simd',
  scratchFloats: 1 << 15,
  kc: 0,
};
/** The switches in force (read by the kernels). */
export const options: WasmKernelOptions = { ...DEFAULTS };

/** Change strategy switches (for benchmarks and tests); returns the previous settings. */
export function setWasmKernelOptions(next: Partial<WasmKernelOptions>): WasmKernelOptions {
  const previous = { ...options };
  Object.assign(options, next);
  return previous;
}

// ---------------------------------------------------------------------------------------------
// Helpers

// ---------------------------------------------------------------------------------------------
export function requireFloat32(kernel: string, ...ts: TensorInfo[]): void {
  for (const t of ts) {
    if (t.dtype !== 'float32') throw new Error(`${kernel} (project wasm kernel): float32 only, got ${t.dtype}`);
  }
}

export function requireNhwc(kernel: string, dataFormat: string | undefined): void {
  if (dataFormat !== undefined && dataFormat !== 'NHWC') {
    throw new Error(`${kernel} (project wasm kernel): dataFormat ${dataFormat} unsupported; use NHWC`);
  }
}

/** Run `f` with a scratch buffer of `floats` floats from the backend's allocator. */
export function withScratch<T>(backend: WasmBackendLike, floats: number, f: (p: number) => T): T {
  const p = backend.wasm._malloc(Math.max(16, floats * 4)) >>> 0;
  if (p === 0) throw new Error(`wasm heap: could not allocate ${floats * 4} bytes of scratch`);
  try {
    return f(p);
  } finally {
    backend.wasm._free(p);
  }
}

export function zeroFill(backend: WasmBackendLike, t: TensorInfo): void {
  const memory = backend.wasm.asm?.memory as WebAssembly.Memory;
  new Float32Array(memory.buffer, ptr(backend, t), util.sizeFromShape(t.shape)).fill(0);
}

/** K-block rows for a weight-gradient GEMM with an M×N result (measured: 32 for N ≈ 1000, 128–256
 *  for N ≤ 100; larger blocks push the dy panel out of L2). */
export function kcFor(M: number, N: number): number {
  if (options.kc > 0) return options.kc;
  const rows = 32768 / Math.max(M, N, 1);
  return Math.max(32, Math.min(256, 2 ** Math.floor(Math.log2(rows))));
}

/** Pixels per im2col chunk for a patch of M floats. */
export function chunkRows(M: number, total: number): number {
  return Math.max(1, Math.min(total, Math.max(8, Math.floor(options.scratchFloats / M))));
}

export type ConvInfo = backend_util.Conv2DInfo;

/** Stock kernels the project's replaced (kept for fallbacks and for `unregisterWasmKernels`), and the project's own. */
export const stockKernels = new Map<string, KernelConfig>();
export const ownKernelFuncs = new Map<string, KernelFunc>();

/** Run the stock wasm kernel `name` (a fallback, or the XNNPACK kernel a strategy calls). */
export function callStock(name: string, args: Parameters<KernelFunc>[0]): TensorInfo {
  const stock = stockKernels.get(name) ?? tf.getKernel(name, 'wasm');
  if (!stock || stock.kernelFunc === ownKernelFuncs.get(name)) {
    throw new Error(`stock wasm kernel ${name} is not available`);
  }
  return stock.kernelFunc(args) as TensorInfo;
}

// ---------------------------------------------------------------------------------------------
// Conv2DBackpropFilter
