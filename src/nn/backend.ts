/**
 * TF.js backend selection: `tensorflow` (the optional @tensorflow/tfjs-node binding, used when
 * it loads), else `wasm` with the project's own kernels for what the stock wasm backend lacks,
 * else the pure-JS `cpu` backend as a last resort. The choice is printed and recorded.
 */
import * as tf from './tf.js';
import { UsageError } from '../core/diagnostics.js';

export type BackendName = 'tensorflow' | 'wasm' | 'cpu';
export const BACKENDS: readonly BackendName[] = ['tensorflow', 'wasm', 'cpu'];

interface BackendInfo {
  readonly name: BackendName;
  /** Why a preferred backend was passed over, for the log. */
  readonly notes: readonly string[];
}

let active: BackendInfo | undefined;

async function tryTensorflow(): Promise<string | undefined> {
  try {
    // the optional dependency registers the 'tensorflow' backend on import
    await import('@tensorflow/tfjs-node' as string);
    return (await tf.setBackend('tensorflow')) ? undefined : 'tfjs-node loaded but its backend did not initialise';
  } catch (error) {
    return `tfjs-node unavailable (${(error as Error).message.split('\n')[0]})`;
  }
}

async function tryWasm(): Promise<string | undefined> {
  try {
    await import('@tensorflow/tfjs-backend-wasm');
    if (!(await tf.setBackend('wasm'))) return 'wasm backend did not initialise';
    const { registerWasmKernels } = await import('./wasm-kernels.js');
    await registerWasmKernels();
    return undefined;
  } catch (error) {
    return `wasm backend unavailable (${(error as Error).message.split('\n')[0]})`;
  }
}

async function tryCpu(): Promise<string | undefined> {
  await import('@tensorflow/tfjs-backend-cpu');
  return (await tf.setBackend('cpu')) ? undefined : 'cpu backend did not initialise';
}

const ATTEMPTS: Record<BackendName, () => Promise<string | undefined>> = {
  tensorflow: tryTensorflow,
  wasm: tryWasm,
  cpu: tryCpu,
};

/**
 * Initialise TF.js once per process. With `preferred`, only that backend is tried and its
 * failure is an error; without, the first of tensorflow → wasm → cpu that works is used.
 */
export async function selectBackend(preferred?: BackendName): Promise<BackendInfo> {
  if (active && (preferred === undefined || preferred === active.name)) return active;
  // production mode: no debug checks, and no "install tfjs-node" banner from the cpu backend
  tf.enableProdMode();
  const order = preferred ? [preferred] : BACKENDS;
  const notes: string[] = [];
  for (const name of order) {
    const failure = await ATTEMPTS[name]();
    if (failure === undefined) {
      await tf.ready();
      active = { name, notes };
      return active;
    }
    notes.push(failure);
  }
  throw new UsageError(`--backend ${preferred}: ${notes.join('; ')}`);
}
