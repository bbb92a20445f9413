/**
 * The whole optimizer step as one kernel, `TripsSgdStep`: global-norm clipping, weight decay,
 * momentum and the update for every variable at once — one kernel call where the composite
 * in optimizer.ts issues about ten TF.js ops per variable. Registered for cpu (JavaScript) and
 * wasm (the project's SIMD module, in place on the heap); other backends use the composite.
 */
import * as tf from './tf.js';
import { tensorOffset, wasmKernelExports } from './wasm-module.js';

export const SGD_STEP = 'TripsSgdStep';

export interface SgdStepAttrs {
  readonly count: number;
  /** 1 where the variable takes weight decay. */
  readonly decays: number[];
  readonly momentum: number;
  readonly learningRate: number;
  readonly weightDecay: number;
  readonly gradClipNorm: number;
}

type Info = tf.TensorInfo;

interface Backends {
  cpu: {
    data: { get(id: object): { values: ArrayLike<number> } };
    makeTensorInfo(shape: number[], dtype: 'float32', values: Float32Array): Info;
  };
  wasm: {
    dataIdMap: { get(id: object): { memoryOffset: number } | undefined };
    makeOutput(shape: number[], dtype: 'float32'): Info;
  };
}

/** Inputs arrive as w0…, g0…, v0… in that order; outputs are w'0…, v'0…. */
function split(inputs: Info[], count: number): [Info[], Info[], Info[]] {
  return [inputs.slice(0, count), inputs.slice(count, 2 * count), inputs.slice(2 * count, 3 * count)];
}

function clipFactor(sumSquares: number, a: SgdStepAttrs): number {
  return Math.fround(Math.min(1, a.gradClipNorm / Math.max(Math.sqrt(sumSquares), 1e-12)));
}

function sgdStepCpu(backend: Backends['cpu'], inputs: Info[], a: SgdStepAttrs): Info[] {
  const values = (t: Info) => backend.data.get(t.dataId).values as Float32Array;
  const [ws, gs, vs] = split(inputs, a.count);
  let total = 0;
  for (const g of gs) for (const x of values(g)) total += x * x;
  const clip = clipFactor(total, a);
  const newW: Info[] = [];
  const newV: Info[] = [];
  ws.forEach((w, i) => {
    const [wv, gv, vv] = [values(w), values(gs[i]), values(vs[i])];
    const decay = a.decays[i] ? a.weightDecay : 0;
    const wo = new Float32Array(wv.length);
    const vo = new Float32Array(wv.length);
    for (let j = 0; j < wv.length; j++) {
      const g = Math.fround(gv[j] * clip + wv[j] * decay);
      vo[j] = Math.fround(vv[j] * a.momentum + g);
      wo[j] = Math.fround(wv[j] - vo[j] * a.learningRate);
    }
    newW.push(backend.makeTensorInfo(w.shape, 'float32', wo));
    newV.push(backend.makeTensorInfo(w.shape, 'float32', vo));
  });
  return [...newW, ...newV];
}

function sgdStepWasm(backend: Backends['wasm'], inputs: Info[], a: SgdStepAttrs): Info[] {
  const k = wasmKernelExports(backend);
  const at = (t: Info) => tensorOffset(backend, t);
  const size = (t: Info) => t.shape.reduce((p, d) => p * d, 1);
  const [ws, gs, vs] = split(inputs, a.count);
  const outW = ws.map((w) => backend.makeOutput(w.shape, 'float32'));
  const outV = ws.map((w) => backend.makeOutput(w.shape, 'float32'));
  let total = 0;
  for (const g of gs) total += k.sum_squares(at(g), size(g));
  const clip = clipFactor(total, a);
  ws.forEach((w, i) => {
    const decay = a.decays[i] ? a.weightDecay : 0;
    k.sgd_momentum(at(w), at(gs[i]), at(vs[i]), at(outW[i]), at(outV[i]), size(w), clip, decay, a.momentum, a.learningRate);
  });
  return [...outW, ...outV];
}

let registered = false;

function registerSgdKernel(): void {
  if (registered) return;
  registered = true;
  const run = (f: (b: never, i: Info[], a: SgdStepAttrs) => Info[]) =>
    (({ inputs, attrs, backend }) =>
      f(backend as never, Object.values(inputs) as Info[], attrs as unknown as SgdStepAttrs)) as tf.KernelFunc;
  tf.registerKernel({ kernelName: SGD_STEP, backendName: 'cpu', kernelFunc: run(sgdStepCpu) });
  tf.registerKernel({ kernelName: SGD_STEP, backendName: 'wasm', kernelFunc: run(sgdStepWasm) });
}

export function sgdKernelAvailable(): boolean {
  registerSgdKernel();
  return tf.getKernel(SGD_STEP, tf.getBackend()) !== undefined;
}
