/**
 * The gradient kernels the project adds to the TF.js wasm backend (registered by
 * wasm-kernels.ts): Conv2DBackpropFilter, Conv2DBackpropInput and both depthwise backprops, on
 * the AssemblyScript SIMD kernels of src/nn/kernels/assembly, each strategy selectable by
 * `setWasmKernelOptions`. In: float32 NHWC tensors in the backend's heap; out: a new tensor
 * there. What stays true: the same results as the stock (or cpu) kernels to float rounding.
 */
import type * as tf from '@tensorflow/tfjs-core';
import {
  backend_util,
  type Conv2DBackpropFilterAttrs,
  type Conv2DBackpropInputAttrs,
  type DepthwiseConv2dNativeBackpropFilterAttrs,
  type DepthwiseConv2dNativeBackpropInputAttrs,
  type KernelFunc,
  type NamedAttrMap,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import {
  callStock,
  chunkRows,
  type ConvInfo,
  kcFor,
  options,
  requireFloat32,
  requireNhwc,
  withScratch,
  zeroFill,
} from './wasm-kernel-support.js';
import { type KernelExports, kernelsFor, tensorOffset as ptr, type WasmBackendLike } from './wasm-module.js';

// ---------------------------------------------------------------------------------------------
export function conv2DBackpropFilter(args: { inputs: tf.NamedTensorInfoMap; backend: object; attrs?: NamedAttrMap }): TensorInfo {
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
export function conv2DBackpropInput(args: { inputs: tf.NamedTensorInfoMap; backend: object; attrs?: NamedAttrMap }): TensorInfo {
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

export function depthwiseBackpropFilter(args: { inputs: tf.NamedTensorInfoMap; backend: object; attrs?: NamedAttrMap }): TensorInfo {
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

export function depthwiseBackpropInput(args: { inputs: tf.NamedTensorInfoMap; backend: object; attrs?: NamedAttrMap }): TensorInfo {
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
