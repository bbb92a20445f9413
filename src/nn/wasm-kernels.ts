/**
 * The project's own WebAssembly SIMD kernels for the TF.js `wasm` backend.
 *
 * The stock wasm backend has no `Conv2DBackpropFilter`, `DepthwiseConv2dNativeBackpropFilter`
 * or `DepthwiseConv2dNativeBackpropInput`, and its `Conv2DBackpropInput` is a plain scalar loop.
 * The kernels here are written in AssemblyScript (src/nn/kernels/assembly, built by
 * `npm run build:kernels` into dist/nn/kernels.wasm) and instantiated against the backend's own
 * `WebAssembly.Memory`, so they read their inputs and write their outputs in place, with no
 * copies between JS and the wasm heap.
 *
 * The module is checked when it is loaded (see `inspectKernelModule`): its only import is the
 * memory, it has no data segments, globals, tables or start function, so instantiating it cannot
 * write anything into the backend's heap; it touches memory only through the pointers passed to
 * its exported functions (tensor offsets from `backend.dataIdMap` and scratch buffers taken from
 * the backend's own `_malloc`).
 */
import * as tf from '@tensorflow/tfjs-core';
import {
  backend_util,
  util,
  type Conv2DBackpropFilterAttrs,
  type Conv2DBackpropInputAttrs,
  type DepthwiseConv2dNativeBackpropFilterAttrs,
  type DepthwiseConv2dNativeBackpropInputAttrs,
  type KernelConfig,
  type KernelFunc,
  type NamedAttrMap,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { type KernelExports, kernelsFor, tensorOffset as ptr, type WasmBackendLike } from './wasm-module.js';

export { inspectKernelModule, kernelModulePaths, wasmKernelExports, type KernelExports, type KernelModuleReport } from './wasm-module.js';

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
const options: WasmKernelOptions = { ...DEFAULTS };

/** Change strategy switches (for benchmarks and tests); returns the previous settings. */
export function setWasmKernelOptions(next: Partial<WasmKernelOptions>): WasmKernelOptions {
  const previous = { ...options };
  Object.assign(options, next);
  return previous;
}

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------
function requireFloat32(kernel: string, ...ts: TensorInfo[]): void {
  for (const t of ts) {
    if (t.dtype !== 'float32') throw new Error(`${kernel} (project wasm kernel): float32 only, got ${t.dtype}`);
  }
}

function requireNhwc(kernel: string, dataFormat: string | undefined): void {
  if (dataFormat !== undefined && dataFormat !== 'NHWC') {
    throw new Error(`${kernel} (project wasm kernel): dataFormat ${dataFormat} unsupported; use NHWC`);
  }
}

/** Run `f` with a scratch buffer of `floats` floats from the backend's allocator. */
function withScratch<T>(backend: WasmBackendLike, floats: number, f: (p: number) => T): T {
  const p = backend.wasm._malloc(Math.max(16, floats * 4)) >>> 0;
  if (p === 0) throw new Error(`wasm heap: could not allocate ${floats * 4} bytes of scratch`);
  try {
    return f(p);
  } finally {
    backend.wasm._free(p);
  }
}

function zeroFill(backend: WasmBackendLike, t: TensorInfo): void {
  const memory = backend.wasm.asm?.memory as WebAssembly.Memory;
  new Float32Array(memory.buffer, ptr(backend, t), util.sizeFromShape(t.shape)).fill(0);
}

/** K-block rows for a weight-gradient GEMM with an M×N result (measured: 32 for N ≈ 1000, 128–256
 *  for N ≤ 100; larger blocks push the dy panel out of L2). */
function kcFor(M: number, N: number): number {
  if (options.kc > 0) return options.kc;
  const rows = 32768 / Math.max(M, N, 1);
  return Math.max(32, Math.min(256, 2 ** Math.floor(Math.log2(rows))));
}

/** Pixels per im2col chunk for a patch of M floats. */
function chunkRows(M: number, total: number): number {
  return Math.max(1, Math.min(total, Math.max(8, Math.floor(options.scratchFloats / M))));
}

type ConvInfo = backend_util.Conv2DInfo;

function callStock(name: string, args: Parameters<KernelFunc>[0]): TensorInfo {
  const stock = stockKernels.get(name) ?? tf.getKernel(name, 'wasm');
  if (!stock || stock.kernelFunc === ourKernelFuncs.get(name)) {
    throw new Error(`stock wasm kernel ${name} is not available`);
  }
  return stock.kernelFunc(args) as TensorInfo;
}

// ---------------------------------------------------------------------------------------------
// Conv2DBackpropFilter
// ---------------------------------------------------------------------------------------------
function conv2DBackpropFilter(args: { inputs: tf.NamedTensorInfoMap; backend: object; attrs?: NamedAttrMap }): TensorInfo {
  const backend = args.backend as unknown as WasmBackendLike;
  const { x, dy } = args.inputs as { x: TensorInfo; dy: TensorInfo };
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = args.attrs as unknown as Conv2DBackpropFilterAttrs;
  const name = 'Conv2DBackpropFilter';
  requireFloat32(name, x, dy);
  requireNhwc(name, dataFormat);
  const ci = backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filterShape,
    strides,
    1,
    pad,
    dimRoundingMode,
    false,
    'channelsLast',
  );
  const k = kernelsFor(backend);
  const total = ci.batchSize * ci.outHeight * ci.outWidth;
  const M = ci.filterHeight * ci.filterWidth * ci.inChannels;
  const pointwise = isPointwise(ci) && total > 0 && M * ci.outChannels > 0;
  if (pointwise && options.conv1x1Filter === 'xnnpack') return conv1x1FilterXnnpack(backend, k, x, dy, ci, total);
  const out = backend.makeOutput(ci.filterShape, 'float32');
  if (total === 0 || M * ci.outChannels === 0) {
    zeroFill(backend, out);
    return out;
  }
  if (pointwise) {
    const N = total;
    k.gemm_atb(
      ptr(backend, x),
      ci.inChannels,
      ptr(backend, dy),
      ci.outChannels,
      ptr(backend, out),
      ci.outChannels,
      ci.inChannels,
      ci.outChannels,
      N,
      0,
      kcFor(ci.inChannels, ci.outChannels),
    );
    return out;
  }
  const P = chunkRows(M, total);
  withScratch(backend, P * M, (scratch) => {
    k.conv2d_bp_filter(
      ptr(backend, x),
      ptr(backend, dy),
      ptr(backend, out),
      scratch,
      P,
      ci.batchSize,
      ci.inHeight,
      ci.inWidth,
      ci.inChannels,
      ci.outHeight,
      ci.outWidth,
      ci.outChannels,
      ci.filterHeight,
      ci.filterWidth,
      ci.strideHeight,
      ci.strideWidth,
      ci.padInfo.top,
      ci.padInfo.left,
      kcFor(M, ci.outChannels),
    );
  });
  return out;
}

function isPointwise(ci: ConvInfo): boolean {
  return (
    ci.filterHeight === 1 &&
    ci.filterWidth === 1 &&
    ci.strideHeight === 1 &&
    ci.strideWidth === 1 &&
    ci.padInfo.top === 0 &&
    ci.padInfo.left === 0 &&
    ci.padInfo.bottom === 0 &&
    ci.padInfo.right === 0 &&
    ci.dilationHeight === 1 &&
    ci.dilationWidth === 1
  );
}

function conv1x1FilterXnnpack(
  backend: WasmBackendLike,
  k: KernelExports,
  x: TensorInfo,
  dy: TensorInfo,
  ci: ConvInfo,
  N: number,
): TensorInfo {
  const xt = backend.makeOutput([1, ci.inChannels, N], 'float32');
  k.transpose2d(ptr(backend, x), ptr(backend, xt), N, ci.inChannels);
  try {
    const res = callStock('BatchMatMul', {
      inputs: { a: xt, b: { dataId: dy.dataId, shape: [1, N, ci.outChannels], dtype: 'float32' } },
      backend: backend as unknown as tf.KernelBackend,
      attrs: { transposeA: false, transposeB: false },
    });
    res.shape = [...ci.filterShape];
    return res;
  } finally {
    backend.disposeData(xt.dataId);
  }
}

// ---------------------------------------------------------------------------------------------
// Conv2DBackpropInput (replaces the stock kernel)
// ---------------------------------------------------------------------------------------------
function conv2DBackpropInput(args: { inputs: tf.NamedTensorInfoMap; backend: object; attrs?: NamedAttrMap }): TensorInfo {
  const backend = args.backend as unknown as WasmBackendLike;
  const { dy, filter } = args.inputs as { dy: TensorInfo; filter: TensorInfo };
  const { strides, pad, dataFormat, dimRoundingMode, inputShape } = args.attrs as unknown as Conv2DBackpropInputAttrs;
  const name = 'Conv2DBackpropInput';
  requireFloat32(name, dy, filter);
  requireNhwc(name, dataFormat);
  const ci = backend_util.computeConv2DInfo(
    inputShape,
    filter.shape as [number, number, number, number],
    strides,
    1,
    pad,
    dimRoundingMode,
    false,
    'channelsLast',
  );
  const k = kernelsFor(backend);
  const total = ci.batchSize * ci.outHeight * ci.outWidth;
  const M = ci.filterHeight * ci.filterWidth * ci.inChannels;
  const stride1 = ci.strideHeight === 1 && ci.strideWidth === 1;
  if (total === 0 || M * ci.outChannels === 0) {
    const out = backend.makeOutput(ci.inShape, 'float32');
    zeroFill(backend, out);
    return out;
  }
  if (isPointwise(ci)) {
    if (options.conv1x1Input === 'stock') return callStock(name, args as Parameters<KernelFunc>[0]);
    if (options.conv1x1Input === 'xnnpack') return conv1x1InputXnnpack(backend, k, dy, filter, ci, total);
    const out = backend.makeOutput(ci.inShape, 'float32');
    withScratch(backend, ci.inChannels * ci.outChannels, (wt) => {
      k.transpose2d(ptr(backend, filter), wt, ci.inChannels, ci.outChannels);
      k.gemm_ab(
        ptr(backend, dy),
        ci.outChannels,
        wt,
        ci.inChannels,
        ptr(backend, out),
        ci.inChannels,
        total,
        ci.inChannels,
        ci.outChannels,
        0,
      );
    });
    return out;
  }
  let strategy = stride1 ? options.convInputStride1 : options.convInputStrided;
  if (strategy === 'auto') strategy = ci.inChannels >= 8 ? 'xnnpack' : 'simd';
  if (strategy === 'stock') return callStock(name, args as Parameters<KernelFunc>[0]);
  if (strategy === 'xnnpack') {
    const flipped = conv2DInputAsConv(backend, k, dy, filter, ci);
    if (flipped) return flipped;
  }
  const out = backend.makeOutput(ci.inShape, 'float32');
  const P = chunkRows(M, total);
  withScratch(backend, P * M + M * ci.outChannels, (scratch) => {
    const wt = scratch + P * M * 4;
    k.transpose2d(ptr(backend, filter), wt, M, ci.outChannels);
    k.conv2d_bp_input(
      ptr(backend, dy),
      wt,
      ptr(backend, out),
      scratch,
      P,
      ci.batchSize,
      ci.inHeight,
      ci.inWidth,
      ci.inChannels,
      ci.outHeight,
      ci.outWidth,
      ci.outChannels,
      ci.filterHeight,
      ci.filterWidth,
      ci.strideHeight,
      ci.strideWidth,
      ci.padInfo.top,
      ci.padInfo.left,
    );
  });
  return out;
}

function conv1x1InputXnnpack(
  backend: WasmBackendLike,
  k: KernelExports,
  dy: TensorInfo,
  filter: TensorInfo,
  ci: ConvInfo,
  N: number,
): TensorInfo {
  const wt = backend.makeOutput([1, ci.outChannels, ci.inChannels], 'float32');
  k.transpose2d(ptr(backend, filter), ptr(backend, wt), ci.inChannels, ci.outChannels);
  try {
    const res = callStock('BatchMatMul', {
      inputs: { a: { dataId: dy.dataId, shape: [1, N, ci.outChannels], dtype: 'float32' }, b: wt },
      backend: backend as unknown as tf.KernelBackend,
      attrs: { transposeA: false, transposeB: false },
    });
    res.shape = [...ci.inShape];
    return res;
  } finally {
    backend.disposeData(wt.dataId);
  }
}

/**
 * Stride 1: dx is the ordinary convolution of dy with the filter flipped in space and with its
 * channel axes swapped, padded by K-1-p on each side — which the backend's XNNPACK Conv2D runs
 * fast. Returns undefined when a padding would be negative (then the GEMM path is used).
 */
function conv2DInputAsConv(
  backend: WasmBackendLike,
  k: KernelExports,
  dy: TensorInfo,
  filter: TensorInfo,
  ci: ConvInfo,
): TensorInfo | undefined {
  const { top, bottom, left, right } = ci.padInfo;
  const KH = ci.filterHeight;
  const KW = ci.filterWidth;
  const pads = [KH - 1 - top, KH - 1 - bottom, KW - 1 - left, KW - 1 - right];
  if (pads.some((p) => p < 0)) return undefined;
  const wf = backend.makeOutput([KH, KW, ci.outChannels, ci.inChannels], 'float32');
  k.flip_filter(ptr(backend, filter), ptr(backend, wf), KH, KW, ci.inChannels, ci.outChannels);
  try {
    return callStock('Conv2D', {
      inputs: { x: dy, filter: wf },
      backend: backend as unknown as tf.KernelBackend,
      attrs: {
        strides: [1, 1],
        pad: [
          [0, 0],
          [pads[0], pads[1]],
          [pads[2], pads[3]],
          [0, 0],
        ],
        dataFormat: 'NHWC',
        dilations: [1, 1],
        dimRoundingMode: undefined as unknown as string,
      },
    });
  } finally {
    backend.disposeData(wf.dataId);
  }
}

// ---------------------------------------------------------------------------------------------
// Depthwise gradients (channel multiplier 1)
// ---------------------------------------------------------------------------------------------
function depthwiseInfo(
  name: string,
  inShape: number[],
  filterShape: number[],
  attrs: {
    strides: [number, number] | number;
    dilations: [number, number] | number;
    pad: 'valid' | 'same' | number | backend_util.ExplicitPadding;
    dimRoundingMode?: 'floor' | 'round' | 'ceil';
  },
): ConvInfo {
  if (filterShape[3] !== 1) {
    throw new Error(`${name} (project wasm kernel): channel multiplier ${filterShape[3]} unsupported; only 1`);
  }
  const ci = backend_util.computeConv2DInfo(
    inShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    attrs.strides,
    attrs.dilations,
    attrs.pad,
    attrs.dimRoundingMode,
    true,
  );
  if (ci.dilationHeight !== 1 || ci.dilationWidth !== 1) {
    throw new Error(`${name} (project wasm kernel): dilations ${ci.dilationHeight}×${ci.dilationWidth} unsupported; only 1`);
  }
  return ci;
}

/** The shape arguments both depthwise kernels take, in their order. */
type DepthwiseShape = [number, number, number, number, number, number, number, number, number, number, number, number];
function depthwiseShape(ci: ConvInfo): DepthwiseShape {
  return [
    ci.batchSize,
    ci.inHeight,
    ci.inWidth,
    ci.inChannels,
    ci.outHeight,
    ci.outWidth,
    ci.filterHeight,
    ci.filterWidth,
    ci.strideHeight,
    ci.strideWidth,
    ci.padInfo.top,
    ci.padInfo.left,
  ];
}

function depthwiseBackpropFilter(args: { inputs: tf.NamedTensorInfoMap; backend: object; attrs?: NamedAttrMap }): TensorInfo {
  const backend = args.backend as unknown as WasmBackendLike;
  const { x, dy } = args.inputs as { x: TensorInfo; dy: TensorInfo };
  const attrs = args.attrs as unknown as DepthwiseConv2dNativeBackpropFilterAttrs;
  const name = 'DepthwiseConv2dNativeBackpropFilter';
  requireFloat32(name, x, dy);
  const ci = depthwiseInfo(name, x.shape, attrs.filterShape, attrs);
  const out = backend.makeOutput(ci.filterShape, 'float32');
  kernelsFor(backend).dw_bp_filter(ptr(backend, x), ptr(backend, dy), ptr(backend, out), ...depthwiseShape(ci));
  return out;
}

function depthwiseBackpropInput(args: { inputs: tf.NamedTensorInfoMap; backend: object; attrs?: NamedAttrMap }): TensorInfo {
  const backend = args.backend as unknown as WasmBackendLike;
  const { dy, filter } = args.inputs as { dy: TensorInfo; filter: TensorInfo };
  const attrs = args.attrs as unknown as DepthwiseConv2dNativeBackpropInputAttrs;
  const name = 'DepthwiseConv2dNativeBackpropInput';
  requireFloat32(name, dy, filter);
  const ci = depthwiseInfo(name, attrs.inputShape, filter.shape, attrs);
  const out = backend.makeOutput(ci.inShape, 'float32');
  kernelsFor(backend).dw_bp_input(ptr(backend, dy), ptr(backend, filter), ptr(backend, out), ...depthwiseShape(ci));
  return out;
}

// ---------------------------------------------------------------------------------------------
// Registration
// ---------------------------------------------------------------------------------------------
/**
 * Identity that shares the input's buffer by reference count instead of copying it (as the cpu
 * backend does). TF.js clones every tensor a custom gradient saves for the backward pass; the
 * stock wasm Identity copies each one.
 */
function sharedIdentity(args: { inputs: { x: TensorInfo }; backend: unknown }): TensorInfo {
  const { x } = args.inputs;
  (args.backend as { incRef(dataId: object): void }).incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

const KERNELS: Record<string, KernelFunc> = {
  Identity: sharedIdentity as unknown as KernelFunc,
  Conv2DBackpropFilter: conv2DBackpropFilter as unknown as KernelFunc,
  Conv2DBackpropInput: conv2DBackpropInput as unknown as KernelFunc,
  DepthwiseConv2dNativeBackpropFilter: depthwiseBackpropFilter as unknown as KernelFunc,
  DepthwiseConv2dNativeBackpropInput: depthwiseBackpropInput as unknown as KernelFunc,
};
const ourKernelFuncs = new Map<string, KernelFunc>(Object.entries(KERNELS));
/** Stock kernels this module replaced (kept for fallbacks and for `unregisterWasmKernels`). */
const stockKernels = new Map<string, KernelConfig>();

/** Names of the kernels `registerWasmKernels` registers on the wasm backend. */
export const WASM_KERNEL_NAMES: readonly string[] = Object.keys(KERNELS);

/**
 * Register the project's kernels on the `wasm` backend. Call after `tf.setBackend('wasm')`.
 * Stock kernels of the same name are unregistered first (and remembered); calling it again is a
 * no-op.
 */
export async function registerWasmKernels(): Promise<void> {
  if (tf.getBackend() !== 'wasm') {
    throw new Error(`registerWasmKernels: the active backend is ${tf.getBackend()}; call tf.setBackend('wasm') first`);
  }
  kernelsFor(tf.backend() as unknown as WasmBackendLike); // load, check and instantiate now
  for (const [kernelName, kernelFunc] of Object.entries(KERNELS)) {
    const current = tf.getKernel(kernelName, 'wasm');
    if (current?.kernelFunc === kernelFunc) continue;
    if (current) {
      stockKernels.set(kernelName, current);
      tf.unregisterKernel(kernelName, 'wasm');
    }
    tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc });
  }
  // the stock kernels the fallbacks call
  for (const name of ['BatchMatMul', 'Conv2D']) {
    const config = tf.getKernel(name, 'wasm');
    if (config && !stockKernels.has(name)) stockKernels.set(name, config);
  }
}

/** Undo `registerWasmKernels`: drop the project's kernels and restore the stock ones. */
export function unregisterWasmKernels(): void {
  for (const [kernelName, kernelFunc] of Object.entries(KERNELS)) {
    if (tf.getKernel(kernelName, 'wasm')?.kernelFunc !== kernelFunc) continue;
    tf.unregisterKernel(kernelName, 'wasm');
    const stock = stockKernels.get(kernelName);
    if (stock) tf.registerKernel(stock);
  }
}
