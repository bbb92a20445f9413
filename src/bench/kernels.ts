/**
 * bench:kernels — the project's WebAssembly SIMD kernels (src/nn/wasm-kernels.ts) on the layers
 * that dominate a MobileNetV2-style training step, at batch 64:
 *   1×1 conv    64×14×14, 96→32          (expand / project)
 *   3×3 depthwise 64×14×14×96, stride 1 and 2
 *   3×3 conv    64×28×28, 1→16           (stem; only the filter gradient is needed)
 * For each: forward, forward + backward (tf.grads with a given dy), and each backward kernel
 * alone under every strategy the module can use (own SIMD, XNNPACK through the backend's stock
 * kernels, the stock scalar kernel), so the defaults can be checked against the alternatives.
 * Then the stock Conv2DBackpropInput (replaced by the module) against the module's strategies on
 * a 3×3 16→16 conv at 28×28, stride 1 and 2. For reference, the pure-JS cpu backend on the
 * same layers at a small batch (BENCH_KERNELS_CPU_BATCH, default 4).
 * Median of BENCH_KERNELS_REPS (default 9) runs after two warm-ups; single thread.
 * Last line: {"wasm": {layer: fwdBwdMs}, "cpu": {layer: fwdBwdMs}, "cpuBatch", "speedups": {...}}.
 */
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '../nn/tf.js';
import { registerWasmKernels, setWasmKernelOptions, type WasmKernelOptions } from '../nn/wasm-kernels.js';
import { machineLine } from './machine.js';

const REPS = Number(process.env.BENCH_KERNELS_REPS ?? 9);
const BATCH = 64;
const CPU_BATCH = Number(process.env.BENCH_KERNELS_CPU_BATCH ?? 4);

const round = (x: number, d = 2): number => Number(x.toFixed(d));

/** Median wall time of `f` (its outputs are disposed), in ms. */
function time(f: () => tf.Tensor | tf.Tensor[], reps = REPS): number {
  for (let i = 0; i < 2; i++) tf.dispose(f());
  const ts: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    // wasm and cpu kernels run synchronously: the outputs are complete when f returns
    const out = f();
    ts.push(performance.now() - t0);
    tf.dispose(out);
  }
  ts.sort((a, b) => a - b);
  return ts[Math.floor(ts.length / 2)];
}

interface Layer {
  name: string;
  x: number[];
  w: number[];
  stride: number;
  depthwise: boolean;
  /** the gradients a training step needs: x is not needed for the stem (it is the image) */
  gradX: boolean;
}

const LAYERS: Layer[] = [
  { name: 'conv1x1 14x14 96->32', x: [BATCH, 14, 14, 96], w: [1, 1, 96, 32], stride: 1, depthwise: false, gradX: true },
  { name: 'dw3x3 14x14x96 s1', x: [BATCH, 14, 14, 96], w: [3, 3, 96, 1], stride: 1, depthwise: true, gradX: true },
  { name: 'dw3x3 14x14x96 s2', x: [BATCH, 14, 14, 96], w: [3, 3, 96, 1], stride: 2, depthwise: true, gradX: true },
  { name: 'conv3x3 28x28 1->16', x: [BATCH, 28, 28, 1], w: [3, 3, 1, 16], stride: 1, depthwise: false, gradX: false },
];

function forward(l: Layer, x: tf.Tensor, w: tf.Tensor): tf.Tensor {
  return l.depthwise
    ? tf.depthwiseConv2d(x as tf.Tensor4D, w as tf.Tensor4D, l.stride, 'same')
    : tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, l.stride, 'same');
}

/** Forward + backward of one layer, as the training step runs it (tf.grads with a given dy). */
function fwdBwd(l: Layer, x: tf.Tensor, w: tf.Tensor, dy: tf.Tensor): tf.Tensor[] {
  if (l.gradX) return tf.grads((a: tf.Tensor, b: tf.Tensor) => forward(l, a, b))([x, w], dy);
  return [tf.grad((b: tf.Tensor) => forward(l, x, b))(w, dy)];
}

function tensors(l: Layer, batch: number): { x: tf.Tensor; w: tf.Tensor; dy: tf.Tensor } {
  const xShape = [batch, ...l.x.slice(1)];
  const x = tf.randomUniform(xShape, -1, 1, 'float32', 1);
  const w = tf.randomUniform(l.w, -1, 1, 'float32', 2);
  const yShape = tf.tidy(() => forward(l, tf.zeros(xShape), w).shape);
  const dy = tf.randomUniform(yShape, -1, 1, 'float32', 3);
  return { x, w, dy };
}

const runKernel = (name: string, inputs: Record<string, tf.Tensor>, attrs: object): tf.Tensor =>
  tf.engine().runKernel(name, inputs, attrs as unknown as tf.NamedAttrMap) as tf.Tensor;

function backwardKernels(l: Layer, x: tf.Tensor, w: tf.Tensor, dy: tf.Tensor): Record<string, number> {
  const out: Record<string, number> = {};
  const conv = { strides: [l.stride, l.stride], pad: 'same', dataFormat: 'NHWC' };
  const dw = { strides: [l.stride, l.stride], pad: 'same', dilations: [1, 1] };
  const withOptions = (opts: Partial<WasmKernelOptions>, f: () => number): number => {
    const previous = setWasmKernelOptions(opts);
    try {
      return f();
    } finally {
      setWasmKernelOptions(previous);
    }
  };
  if (l.depthwise) {
    out['bpFilter simd'] = time(() => runKernel('DepthwiseConv2dNativeBackpropFilter', { x, dy }, { ...dw, filterShape: l.w }));
    out['bpInput simd'] = time(() => runKernel('DepthwiseConv2dNativeBackpropInput', { dy, filter: w }, { ...dw, inputShape: x.shape }));
    return out;
  }
  const pointwise = l.w[0] === 1 && l.w[1] === 1 && l.stride === 1;
  const bpF = (): tf.Tensor => runKernel('Conv2DBackpropFilter', { x, dy }, { ...conv, filterShape: l.w });
  const bpI = (): tf.Tensor => runKernel('Conv2DBackpropInput', { dy, filter: w }, { ...conv, inputShape: x.shape });
  if (pointwise) {
    for (const m of ['simd', 'xnnpack'] as const) out[`bpFilter ${m}`] = withOptions({ conv1x1Filter: m }, () => time(bpF));
    for (const m of ['simd', 'xnnpack', 'stock'] as const) {
      out[`bpInput ${m}`] = withOptions({ conv1x1Input: m }, () => time(bpI, m === 'stock' ? 3 : REPS));
    }
  } else {
    out['bpFilter simd'] = time(bpF);
    for (const m of ['xnnpack', 'simd', 'stock'] as const) {
      out[`bpInput ${m}${l.gradX ? '' : ' (not needed)'}`] = withOptions(
        { convInputStride1: m, convInputStrided: m === 'xnnpack' ? 'simd' : m },
        () => time(bpI, m === 'stock' ? 3 : REPS),
      );
    }
  }
  return out;
}

async function main(): Promise<void> {
  console.log(`bench:kernels on ${JSON.stringify(machineLine())}, ${REPS} reps, median ms`);
  await tf.setBackend('wasm');
  await registerWasmKernels();
  const wasm: Record<string, number> = {};
  const speedups: Record<string, number> = {};
  for (const l of LAYERS) {
    const { x, w, dy } = tensors(l, BATCH);
    const fwd = time(() => forward(l, x, w));
    const both = time(() => fwdBwd(l, x, w, dy));
    wasm[l.name] = round(both);
    console.log(
      `wasm B=${BATCH} ${l.name}: forward ${round(fwd)} ms, forward+backward ${round(both)} ms` +
        `${l.gradX ? '' : ' (filter gradient only)'}`,
    );
    const kernels = backwardKernels(l, x, w, dy);
    for (const [k, ms] of Object.entries(kernels)) console.log(`    ${k.padEnd(28)} ${round(ms)} ms`);
    const stock = Object.entries(kernels).find(([k]) => k.startsWith('bpInput stock'))?.[1];
    const best = Math.min(
      ...Object.entries(kernels)
        .filter(([k]) => k.startsWith('bpInput') && !k.includes('stock'))
        .map(([, v]) => v),
    );
    if (stock !== undefined) speedups[`${l.name} bpInput vs stock`] = round(stock / best, 1);
    tf.dispose([x, w, dy]);
  }

  // the stock Conv2DBackpropInput, which the module replaces, on a k×k conv (stride 1 and 2)
  {
    const x = tf.randomUniform([BATCH, 28, 28, 16], -1, 1, 'float32', 1);
    const w = tf.randomUniform([3, 3, 16, 16], -1, 1, 'float32', 2);
    for (const s of [1, 2]) {
      const dy = tf.randomUniform([BATCH, 28 / s, 28 / s, 16], -1, 1, 'float32', 3);
      const attrs = { strides: [s, s], pad: 'same', dataFormat: 'NHWC', inputShape: x.shape };
      const line: string[] = [];
      const ms: Record<string, number> = {};
      for (const m of ['auto', 'xnnpack', 'simd', 'stock'] as const) {
        if (s === 2 && m === 'xnnpack') continue;
        const previous = setWasmKernelOptions(s === 1 ? { convInputStride1: m } : { convInputStrided: m === 'stock' ? 'stock' : 'simd' });
        ms[m] = time(() => runKernel('Conv2DBackpropInput', { dy, filter: w }, attrs), m === 'stock' ? 3 : REPS);
        setWasmKernelOptions(previous);
        line.push(`${m} ${round(ms[m])} ms`);
      }
      speedups[`conv3x3 28x28 16->16 s${s} bpInput vs stock`] = round(ms.stock / ms.auto, 1);
      console.log(`wasm B=${BATCH} conv3x3 28x28 16->16 s${s} Conv2DBackpropInput: ${line.join(', ')}`);
      dy.dispose();
    }
    tf.dispose([x, w]);
  }

  await tf.setBackend('cpu');
  const cpu: Record<string, number> = {};
  for (const l of LAYERS) {
    const { x, w, dy } = tensors(l, CPU_BATCH);
    const both = time(() => fwdBwd(l, x, w, dy), 3);
    cpu[l.name] = round(both);
    console.log(
      `cpu  B=${CPU_BATCH} ${l.name}: forward+backward ${round(both)} ms` +
        ` (≈ ${round((both * BATCH) / CPU_BATCH, 0)} ms at B=${BATCH} if linear; wasm is ${round((both * BATCH) / CPU_BATCH / wasm[l.name], 0)}× faster)`,
    );
    tf.dispose([x, w, dy]);
  }
  console.log(JSON.stringify({ batch: BATCH, wasm, cpuBatch: CPU_BATCH, cpu, speedups }));
}

await main();
