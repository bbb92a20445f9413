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
import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { conv2DBackpropFilter, conv2DBackpropInput, depthwiseBackpropFilter, depthwiseBackpropInput } from './wasm-conv-kernels.js';
import { ownKernelFuncs, stockKernels } from './wasm-kernel-support.js';
import { kernelsFor, type WasmBackendLike } from './wasm-module.js';

export { setWasmKernelOptions, type WasmKernelOptions } from './wasm-kernel-support.js';

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
for (const [name, func] of Object.entries(KERNELS)) ownKernelFuncs.set(name, func);

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
