/**
 * The project's WebAssembly module (src/nn/kernels/assembly, built by `npm run build:kernels`
 * into dist/nn/kernels.wasm): its exports, loading, and the check made before it is
 * instantiated against the wasm backend's own `WebAssembly.Memory`. The only import may be that
 * memory, and there may be no data segments, globals, tables or start function, so
 * instantiating it cannot write anything into the backend's heap; it touches memory only
 * through the pointers passed to its exported functions.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { TensorInfo } from '@tensorflow/tfjs-core';

// ---------------------------------------------------------------------------------------------
// The parts of the wasm backend used here (tfjs-backend-wasm's BackendWasm, structurally).
// ---------------------------------------------------------------------------------------------
export interface WasmBackendLike {
  wasm: {
    asm?: { memory?: WebAssembly.Memory };
    _malloc(bytes: number): number;
    _free(ptr: number): void;
  };
  dataIdMap: { get(dataId: object): { memoryOffset: number } | undefined };
  makeOutput(shape: number[], dtype: 'float32'): TensorInfo;
  disposeData(dataId: object, force?: boolean): boolean;
}

/** Byte offset of a tensor's data in the wasm backend's heap: what every kernel passes on. */
export function tensorOffset(backend: { dataIdMap: WasmBackendLike['dataIdMap'] }, t: TensorInfo): number {
  const data = backend.dataIdMap.get(t.dataId);
  if (!data) throw new Error('tensor is not on the wasm backend');
  return data.memoryOffset;
}

/** Signatures of the module's exports (pointers are byte offsets into the backend's memory). */
export interface KernelExports {
  gemm_atb(
    a: number,
    lda: number,
    b: number,
    ldb: number,
    c: number,
    ldc: number,
    M: number,
    N: number,
    K: number,
    accumulate: number,
    kc: number,
  ): void;
  gemm_ab(
    a: number,
    lda: number,
    b: number,
    ldb: number,
    c: number,
    ldc: number,
    M: number,
    N: number,
    K: number,
    accumulate: number,
  ): void;
  transpose2d(src: number, dst: number, R: number, C: number): void;
  flip_filter(w: number, wf: number, KH: number, KW: number, Cin: number, Cout: number): void;
  conv2d_bp_filter(
    x: number,
    dy: number,
    dw: number,
    scratch: number,
    P: number,
    B: number,
    H: number,
    W: number,
    Cin: number,
    OH: number,
    OW: number,
    Cout: number,
    KH: number,
    KW: number,
    sh: number,
    sw: number,
    pt: number,
    pl: number,
    kc: number,
  ): void;
  conv2d_bp_input(
    dy: number,
    wt: number,
    dx: number,
    scratch: number,
    P: number,
    B: number,
    H: number,
    W: number,
    Cin: number,
    OH: number,
    OW: number,
    Cout: number,
    KH: number,
    KW: number,
    sh: number,
    sw: number,
    pt: number,
    pl: number,
  ): void;
  dw_bp_filter(
    x: number,
    dy: number,
    dw: number,
    B: number,
    H: number,
    W: number,
    C: number,
    OH: number,
    OW: number,
    KH: number,
    KW: number,
    sh: number,
    sw: number,
    pt: number,
    pl: number,
  ): void;
  bn_moments(
    x: number,
    rows: number,
    C: number,
    mean: number,
    variance: number,
    lowest: number,
    highest: number,
    acc: number,
    block: number,
  ): void;
  sum_squares(x: number, n: number): number;
  peak_of(x: number, n: number, signed: number): number;
  mask_grad(dy: number, mask: number, dx: number, n: number): void;
  sgd_momentum(
    w: number,
    g: number,
    v: number,
    wOut: number,
    vOut: number,
    n: number,
    clip: number,
    decay: number,
    momentum: number,
    lr: number,
  ): void;
  bn_grad_sums(dy: number, x: number, mask: number, rows: number, C: number, mean: number, inv: number, sums: number, block: number): void;
  bn_grad_dx(
    dy: number,
    x: number,
    mask: number,
    dx: number,
    rows: number,
    C: number,
    mean: number,
    inv: number,
    k: number,
    a: number,
    b: number,
  ): void;
  bn_apply_mix(
    x: number,
    y: number,
    mask: number,
    rows: number,
    C: number,
    scale: number,
    shift: number,
    act: number,
    levels: number,
    J: number,
    low: number,
    high: number,
  ): void;
  bn_mix_coef_grad(
    dy: number,
    x: number,
    rows: number,
    C: number,
    scale: number,
    shift: number,
    act: number,
    levels: number,
    J: number,
    sums: number,
    block: number,
  ): void;
  mix_quant(x: number, y: number, mask: number, n: number, levels: number, J: number, low: number, high: number): void;
  mix_coef_grad(dy: number, x: number, n: number, levels: number, J: number, sums: number, block: number): void;
  dw_bp_input(
    dy: number,
    w: number,
    dx: number,
    B: number,
    H: number,
    W: number,
    C: number,
    OH: number,
    OW: number,
    KH: number,
    KW: number,
    sh: number,
    sw: number,
    pt: number,
    pl: number,
  ): void;
}

const EXPORTS: readonly (keyof KernelExports)[] = [
  'gemm_atb',
  'gemm_ab',
  'transpose2d',
  'flip_filter',
  'conv2d_bp_filter',
  'conv2d_bp_input',
  'dw_bp_filter',
  'dw_bp_input',
  'bn_moments',
  'bn_grad_sums',
  'bn_grad_dx',
  'sum_squares',
  'sgd_momentum',
  'peak_of',
  'mask_grad',
  'bn_apply_mix',
  'bn_mix_coef_grad',
  'mix_quant',
  'mix_coef_grad',
];

// ---------------------------------------------------------------------------------------------
// Loading and checking the module
// ---------------------------------------------------------------------------------------------
export interface KernelModuleReport {
  imports: { module: string; name: string; kind: string }[];
  exports: string[];
  /** Section ids present in the binary (0 = custom, 1 type, 2 import, 3 function, 5 memory,
   *  6 global, 7 export, 8 start, 9 element, 10 code, 11 data, 12 data count). */
  sectionIds: number[];
  /** Names of the custom sections (debug names, source maps, …). */
  customSections: string[];
  /** The compiled module. */
  module: WebAssembly.Module;
}

function readLeb(bytes: Uint8Array, at: number): [value: number, next: number] {
  let value = 0;
  let shift = 0;
  let pos = at;
  for (;;) {
    const byte = bytes[pos++];
    value += (byte & 0x7f) * 2 ** shift;
    if ((byte & 0x80) === 0) return [value, pos];
    shift += 7;
  }
}

/**
 * Describe a kernel module and throw if it could touch memory outside the pointers it is
 * given: anything imported besides `env.memory`, or any data, global, table, element or start
 * section, is refused.
 */
export function inspectKernelModule(bytes: Uint8Array<ArrayBuffer>): KernelModuleReport {
  const module = new WebAssembly.Module(bytes);
  const sectionIds: number[] = [];
  const customSections: string[] = [];
  let pos = 8; // magic + version
  while (pos < bytes.length) {
    const id = bytes[pos++];
    const [size, next] = readLeb(bytes, pos);
    sectionIds.push(id);
    if (id === 0) {
      const [nameLength, nameAt] = readLeb(bytes, next);
      customSections.push(new TextDecoder().decode(bytes.subarray(nameAt, nameAt + nameLength)));
    }
    pos = next + size;
  }
  const report: KernelModuleReport = {
    imports: WebAssembly.Module.imports(module).map((i) => ({ ...i })),
    exports: WebAssembly.Module.exports(module).map((e) => e.name),
    sectionIds,
    customSections,
    module,
  };
  const problems: string[] = [];
  const forbidden: Record<number, string> = {
    4: 'table',
    6: 'global',
    8: 'start',
    9: 'element',
    11: 'data',
    12: 'data count',
  };
  for (const id of sectionIds) if (forbidden[id]) problems.push(`has a ${forbidden[id]} section`);
  const imports = report.imports;
  if (imports.length !== 1 || imports[0].module !== 'env' || imports[0].name !== 'memory' || imports[0].kind !== 'memory') {
    problems.push(`imports ${JSON.stringify(imports)} instead of just env.memory`);
  }
  for (const name of EXPORTS) {
    if (!report.exports.includes(name)) problems.push(`does not export ${name}`);
  }
  if (problems.length > 0) throw new Error(`kernels.wasm: ${problems.join('; ')}`);
  return report;
}

/** Where the built module is looked for: next to this file (dist/nn) or in dist/nn from src/nn. */
export function kernelModulePaths(): string[] {
  return [fileURLToPath(new URL('./kernels.wasm', import.meta.url)), fileURLToPath(new URL('../../dist/nn/kernels.wasm', import.meta.url))];
}

let compiled: WebAssembly.Module | undefined;

function loadKernelModule(): WebAssembly.Module {
  if (compiled) return compiled;
  const tried: string[] = [];
  for (const path of kernelModulePaths()) {
    let bytes: Uint8Array<ArrayBuffer>;
    try {
      bytes = new Uint8Array(readFileSync(path));
    } catch {
      tried.push(path);
      continue;
    }
    compiled = inspectKernelModule(bytes).module;
    return compiled;
  }
  throw new Error(`kernels.wasm not found (looked in ${tried.join(', ')}); run \`npm run build:kernels\``);
}

const instances = new WeakMap<object, KernelExports>();

/** The module's exports instantiated on `backend`'s memory (for other project kernels). */
export function wasmKernelExports(backend: object): KernelExports {
  return kernelsFor(backend as WasmBackendLike);
}

export function kernelsFor(backend: WasmBackendLike): KernelExports {
  let k = instances.get(backend);
  if (k) return k;
  const memory = backend.wasm.asm?.memory;
  if (!(memory instanceof WebAssembly.Memory)) {
    throw new Error('wasm backend exposes no WebAssembly.Memory at backend.wasm.asm.memory');
  }
  const instance = new WebAssembly.Instance(loadKernelModule(), { env: { memory } });
  k = instance.exports as unknown as KernelExports;
  instances.set(backend, k);
  return k;
}
