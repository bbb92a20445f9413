/**
 * The project's WebAssembly SIMD kernels (src/nn/wasm-kernels.ts) against the pure-JS `cpu`
 * backend: the same kernel on the same data on both backends, compared with a relative
 * tolerance; plus a gradient check through a conv → depthwise → conv chain, and checks that the
 * kernel module cannot touch the backend's memory except through the pointers it is given.
 */
import { readFileSync } from 'node:fs';
import binaryen from 'binaryen';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '../../src/nn/tf.js';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import {
  WASM_KERNEL_NAMES,
  registerWasmKernels,
  setWasmKernelOptions,
  unregisterWasmKernels,
  type WasmKernelOptions,
} from '../../src/nn/wasm-kernels.js';
import { inspectKernelModule, kernelModulePaths } from '../../src/nn/wasm-module.js';

type Pad = 'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]];
type Backend = 'cpu' | 'wasm';

let defaults: WasmKernelOptions;

beforeAll(async () => {
  tf.env().set('PROD', true);
  expect(await tf.setBackend('wasm')).toBe(true);
  await registerWasmKernels();
  defaults = setWasmKernelOptions({});
});

afterAll(() => {
  setWasmKernelOptions(defaults);
});

/** Deterministic values in [-1, 1). */
function values(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = (seed * 2654435761) >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    out[i] = (s / 2 ** 32) * 2 - 1;
  }
  return out;
}

interface Data {
  shape: number[];
  values: Float32Array;
}
const data = (shape: number[], seed: number): Data => ({
  shape,
  values: values(
    shape.reduce((a, b) => a * b, 1),
    seed,
  ),
});

/** Run `f` on a backend, with its inputs created there, and read every output back. */
async function runOn(backend: Backend, inputs: Data[], f: (...ts: tf.Tensor[]) => tf.Tensor | tf.Tensor[]): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  const ts = inputs.map((d) => tf.tensor(d.values, d.shape));
  const out = f(...ts);
  const outs = Array.isArray(out) ? out : [out];
  const result = outs.map((t) => t.dataSync() as Float32Array);
  tf.dispose([...ts, ...outs]);
  return result;
}

/** max |a - b| / max |b|: relative to the scale of the reference. */
function relError(actual: Float32Array, expected: Float32Array): number {
  expect(actual.length).toBe(expected.length);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) {
    diff = Math.max(diff, Math.abs(actual[i] - expected[i]));
    scale = Math.max(scale, Math.abs(expected[i]));
  }
  return diff / (scale || 1);
}

async function compare(inputs: Data[], f: (...ts: tf.Tensor[]) => tf.Tensor | tf.Tensor[], tol = 1e-4): Promise<void> {
  const want = await runOn('cpu', inputs, f);
  const got = await runOn('wasm', inputs, f);
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) expect(relError(got[i], want[i])).toBeLessThan(tol);
}

const t4 = (d: Data): tf.Tensor4D => tf.tensor4d(d.values, d.shape as [number, number, number, number]);

async function outShape(f: () => tf.Tensor): Promise<number[]> {
  await tf.setBackend('cpu');
  return tf.tidy(() => f().shape);
}

const runKernel = (name: string, inputs: Record<string, tf.Tensor>, attrs: object): tf.Tensor =>
  tf.engine().runKernel(name, inputs, attrs as unknown as tf.NamedAttrMap) as tf.Tensor;

// ---------------------------------------------------------------------------------------------
// The case grid: odd sizes, channel counts that are not multiples of 4, batch 1 and 3,
// kernels 1/3/5, strides 1/2, padding same/valid/explicit.
// ---------------------------------------------------------------------------------------------
interface Case {
  B: number;
  H: number;
  W: number;
  Cin: number;
  Cout: number;
  K: number;
  s: number;
  pad: Pad;
}
const SHAPES: [number, number, number, number, number][] = [
  // B, H, W, Cin, Cout
  [1, 7, 9, 3, 5],
  [3, 7, 9, 13, 5],
  [3, 6, 5, 5, 13],
  [1, 8, 8, 8, 16],
];
const PADS: Pad[] = [
  'same',
  'valid',
  [
    [0, 0],
    [1, 0],
    [2, 1],
    [0, 0],
  ],
];
const CASES: Case[] = [];
for (const [B, H, W, Cin, Cout] of SHAPES) {
  for (const K of [1, 3, 5]) {
    for (const s of [1, 2]) {
      for (const pad of PADS) {
        if (pad === 'valid' && (K > H || K > W)) continue;
        CASES.push({ B, H, W, Cin, Cout, K, s, pad });
      }
    }
  }
}
const label = (c: Case): string =>
  `B${c.B} ${c.H}×${c.W} ${c.Cin}→${c.Cout} k${c.K} s${c.s} ${typeof c.pad === 'string' ? c.pad : 'explicit'}`;

// depthwise: one channel count per shape (Cout is not used)
const dwLabel = (c: Case): string => `B${c.B} ${c.H}×${c.W}×${c.Cin} k${c.K} s${c.s} ${typeof c.pad === 'string' ? c.pad : 'explicit'}`;

describe('kernel module', () => {
  const path = kernelModulePaths().find((p) => {
    try {
      readFileSync(p);
      return true;
    } catch {
      return false;
    }
  });

  it('is built', () => {
    expect(path).toBeDefined();
  });

  it('imports only the memory and has no data, globals, tables or start function', () => {
    const bytes = new Uint8Array(readFileSync(path!));
    const report = inspectKernelModule(bytes);
    expect(report.imports).toEqual([{ module: 'env', name: 'memory', kind: 'memory' }]);
    for (const id of [4, 6, 8, 9, 11, 12]) expect(report.sectionIds).not.toContain(id);
    expect(report.customSections).toEqual([]);
    expect(report.sectionIds).toContain(10); // the parser did walk to the code section
  });

  it('the load-time check refuses a module with a data segment', () => {
    // (module (import "env" "memory" (memory 1)) (data (i32.const 0) "*"))
    const bytes = new Uint8Array([
      0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x02, 0x0f, 0x01, 0x03, 0x65, 0x6e, 0x76, 0x06, 0x6d, 0x65, 0x6d, 0x6f, 0x72, 0x79,
      0x02, 0x00, 0x01, 0x0b, 0x07, 0x01, 0x00, 0x41, 0x00, 0x0b, 0x01, 0x2a,
    ]);
    expect(() => inspectKernelModule(bytes)).toThrow(/has a data section/);
  });

  it('addresses memory only through computed pointers, never grows or queries it', () => {
    const text = binaryen.readBinary(new Uint8Array(readFileSync(path!))).emitText();
    expect(text).not.toMatch(/\(data\b|\(global\b|\(start\b|\(table\b|memory\.grow|memory\.size/);
    // no load / store / fill / copy whose address operand is a constant
    expect(text).not.toMatch(/\((?:[if]32|[if]64|v128)\.(?:load|store)\w*(?:\s+offset=\d+)?(?:\s+align=\d+)?\s*\((?:i32|i64)\.const/);
    expect(text).not.toMatch(/\(memory\.(?:fill|copy)\s*\((?:i32|i64)\.const/);
    expect(text).toMatch(/v128\.load/); // the check does look at SIMD code
  });

  it('registers all its kernels on the wasm backend', () => {
    const names = tf.getKernelsForBackend('wasm').map((k) => k.kernelName);
    for (const name of WASM_KERNEL_NAMES) expect(names).toContain(name);
    expect(WASM_KERNEL_NAMES).toEqual(
      expect.arrayContaining([
        'Conv2DBackpropFilter',
        'Conv2DBackpropInput',
        'DepthwiseConv2dNativeBackpropFilter',
        'DepthwiseConv2dNativeBackpropInput',
      ]),
    );
  });

  it('registering twice is harmless', async () => {
    await tf.setBackend('wasm');
    await registerWasmKernels();
    const count = tf.getKernelsForBackend('wasm').filter((k) => k.kernelName === 'Conv2DBackpropFilter').length;
    expect(count).toBe(1);
  });
});

describe('Conv2DBackpropFilter vs cpu', () => {
  it.each(CASES.map((c) => [label(c), c] as const))('%s', async (_, c) => {
    const x = data([c.B, c.H, c.W, c.Cin], 1);
    const w = data([c.K, c.K, c.Cin, c.Cout], 2);
    const dy = data(await outShape(() => tf.conv2d(t4(x), t4(w), c.s, c.pad)), 3);
    for (const conv1x1Filter of ['simd', 'xnnpack'] as const) {
      setWasmKernelOptions({ conv1x1Filter });
      await compare([x, dy], (xt, dyt) =>
        runKernel(
          'Conv2DBackpropFilter',
          { x: xt, dy: dyt },
          { strides: [c.s, c.s], pad: c.pad, dataFormat: 'NHWC', filterShape: [c.K, c.K, c.Cin, c.Cout] },
        ),
      );
    }
    setWasmKernelOptions(defaults);
  });
});

describe('Conv2DBackpropInput vs cpu', () => {
  it.each(CASES.map((c) => [label(c), c] as const))('%s', async (_, c) => {
    const x = data([c.B, c.H, c.W, c.Cin], 1);
    const w = data([c.K, c.K, c.Cin, c.Cout], 2);
    const dy = data(await outShape(() => tf.conv2d(t4(x), t4(w), c.s, c.pad)), 3);
    const strategies: Partial<WasmKernelOptions>[] = [
      defaults,
      { conv1x1Input: 'simd', convInputStride1: 'xnnpack', convInputStrided: 'simd' },
      { conv1x1Input: 'xnnpack', convInputStride1: 'simd', convInputStrided: 'stock' },
      { conv1x1Input: 'stock', convInputStride1: 'stock', convInputStrided: 'simd' },
    ];
    for (const strategy of strategies) {
      setWasmKernelOptions(strategy);
      await compare([dy, w], (dyt, wt) =>
        runKernel(
          'Conv2DBackpropInput',
          { dy: dyt, filter: wt },
          { strides: [c.s, c.s], pad: c.pad, dataFormat: 'NHWC', inputShape: x.shape },
        ),
      );
    }
    setWasmKernelOptions(defaults);
  });
});

describe('DepthwiseConv2dNativeBackpropFilter vs cpu', () => {
  it.each(CASES.map((c) => [dwLabel(c), c] as const))('%s', async (_, c) => {
    const x = data([c.B, c.H, c.W, c.Cin], 4);
    const w = data([c.K, c.K, c.Cin, 1], 5);
    const dy = data(await outShape(() => tf.depthwiseConv2d(t4(x), t4(w), c.s, c.pad)), 6);
    await compare([x, dy], (xt, dyt) =>
      runKernel(
        'DepthwiseConv2dNativeBackpropFilter',
        { x: xt, dy: dyt },
        { strides: [c.s, c.s], pad: c.pad, dilations: [1, 1], filterShape: [c.K, c.K, c.Cin, 1] },
      ),
    );
  });
});

describe('DepthwiseConv2dNativeBackpropInput vs cpu', () => {
  it.each(CASES.map((c) => [dwLabel(c), c] as const))('%s', async (_, c) => {
    const x = data([c.B, c.H, c.W, c.Cin], 4);
    const w = data([c.K, c.K, c.Cin, 1], 5);
    const dy = data(await outShape(() => tf.depthwiseConv2d(t4(x), t4(w), c.s, c.pad)), 6);
    await compare([dy, w], (dyt, wt) =>
      runKernel(
        'DepthwiseConv2dNativeBackpropInput',
        { dy: dyt, filter: wt },
        { strides: [c.s, c.s], pad: c.pad, dilations: [1, 1], inputShape: x.shape },
      ),
    );
  });
});

describe('larger shapes: GEMM cache blocks and im2col chunks with remainders', () => {
  const x = data([3, 20, 19, 13], 7);
  const w = data([3, 3, 13, 21], 8);
  it.each([
    ['default chunks', {}],
    ['tiny chunks', { scratchFloats: 700, kc: 37 }],
  ] as const)('%s', async (_, opts) => {
    setWasmKernelOptions(opts);
    for (const s of [1, 2]) {
      const dy = data(await outShape(() => tf.conv2d(t4(x), t4(w), s, 'same')), 9);
      await compare([x, dy], (xt, dyt) =>
        runKernel('Conv2DBackpropFilter', { x: xt, dy: dyt }, { strides: [s, s], pad: 'same', dataFormat: 'NHWC', filterShape: w.shape }),
      );
      await compare([dy, w], (dyt, wt) =>
        runKernel(
          'Conv2DBackpropInput',
          { dy: dyt, filter: wt },
          { strides: [s, s], pad: 'same', dataFormat: 'NHWC', inputShape: x.shape },
        ),
      );
    }
    // 1×1 over 3·20·19 = 1140 pixels: several K blocks plus a remainder
    const w1 = data([1, 1, 13, 21], 10);
    const dy1 = data([3, 20, 19, 21], 11);
    await compare([x, dy1], (xt, dyt) =>
      runKernel('Conv2DBackpropFilter', { x: xt, dy: dyt }, { strides: [1, 1], pad: 'valid', dataFormat: 'NHWC', filterShape: w1.shape }),
    );
    await compare([dy1, w1], (dyt, wt) =>
      runKernel('Conv2DBackpropInput', { dy: dyt, filter: wt }, { strides: [1, 1], pad: 'valid', dataFormat: 'NHWC', inputShape: x.shape }),
    );
    setWasmKernelOptions(defaults);
  });
});

describe('gradients through conv → depthwise → conv', () => {
  it.each([
    ['k3 s1 / dw k3 s2 / k1', 3, 1, 3, 2, 1],
    ['k5 s2 / dw k5 s1 / k3', 5, 2, 5, 1, 3],
  ] as const)('%s: tf.grads on wasm matches cpu', async (_, k1, s1, kd, sd, k2) => {
    const x = data([3, 9, 7, 3], 12);
    const w1 = data([k1, k1, 3, 13], 13);
    const wd = data([kd, kd, 13, 1], 14);
    const w2 = data([k2, k2, 13, 6], 15);
    const net = (xt: tf.Tensor, a: tf.Tensor, b: tf.Tensor, c: tf.Tensor): tf.Tensor => {
      const h1 = tf.relu(tf.conv2d(xt as tf.Tensor4D, a as tf.Tensor4D, s1, 'same'));
      const h2 = tf.depthwiseConv2d(h1, b as tf.Tensor4D, sd, 'same');
      const y = tf.conv2d(h2, c as tf.Tensor4D, 1, 'valid');
      return tf.sum(tf.mul(y, tf.sin(tf.reshape(tf.range(0, y.size), y.shape))));
    };
    await compare([x, w1, wd, w2], (xt, a, b, c) => {
      const { value, grads } = tf.valueAndGrads(net)([xt, a, b, c]);
      return [value, ...grads];
    });
  });
});

describe('errors and bookkeeping', () => {
  it('rejects a depthwise channel multiplier other than 1 clearly', async () => {
    await tf.setBackend('wasm');
    const x = tf.ones([1, 5, 5, 3]);
    const dy = tf.ones([1, 5, 5, 6]);
    expect(() =>
      runKernel(
        'DepthwiseConv2dNativeBackpropFilter',
        { x, dy },
        { strides: [1, 1], pad: 'same', dilations: [1, 1], filterShape: [3, 3, 3, 2] },
      ),
    ).toThrow(/channel multiplier 2/);
    expect(() =>
      runKernel(
        'DepthwiseConv2dNativeBackpropInput',
        { dy, filter: tf.ones([3, 3, 3, 2]) },
        { strides: [1, 1], pad: 'same', dilations: [1, 1], inputShape: [1, 5, 5, 3] },
      ),
    ).toThrow(/channel multiplier 2/);
    tf.dispose([x, dy]);
  });

  it('rejects NCHW', async () => {
    await tf.setBackend('wasm');
    const x = tf.ones([1, 3, 5, 5]);
    const dy = tf.ones([1, 4, 5, 5]);
    expect(() =>
      runKernel('Conv2DBackpropFilter', { x, dy }, { strides: [1, 1], pad: 'same', dataFormat: 'NCHW', filterShape: [3, 3, 3, 4] }),
    ).toThrow(/NHWC/);
    tf.dispose([x, dy]);
  });

  it('leaves no tensors or backend buffers behind, whatever the strategy', async () => {
    await tf.setBackend('wasm');
    const backend = tf.backend();
    const x = tf.ones([2, 6, 6, 5]);
    const w1 = tf.ones([1, 1, 5, 7]);
    const w3 = tf.ones([3, 3, 5, 7]);
    const before = { tensors: tf.memory().numTensors, ids: backend.numDataIds() };
    for (const mode of ['simd', 'xnnpack'] as const) {
      setWasmKernelOptions({ conv1x1Filter: mode, conv1x1Input: mode, convInputStride1: mode });
      tf.tidy(() => {
        tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, 'same')))([x, w1]);
        tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, 'same')))([x, w3]);
        tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 2, 'same')))([x, w3]);
      });
    }
    setWasmKernelOptions(defaults);
    expect(tf.memory().numTensors).toBe(before.tensors);
    expect(backend.numDataIds()).toBe(before.ids);
    tf.dispose([x, w1, w3]);
  });

  it('unregisterWasmKernels restores the stock kernels, and registering again replaces them', async () => {
    await tf.setBackend('wasm');
    const ours = tf.getKernel('Conv2DBackpropInput', 'wasm')?.kernelFunc;
    unregisterWasmKernels();
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeUndefined();
    const stock = tf.getKernel('Conv2DBackpropInput', 'wasm')?.kernelFunc;
    expect(stock).toBeDefined();
    expect(stock).not.toBe(ours);
    await registerWasmKernels();
    expect(tf.getKernel('Conv2DBackpropInput', 'wasm')?.kernelFunc).toBe(ours);
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeDefined();
  });
});
