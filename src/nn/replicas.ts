/**
 * Running one program as data-parallel replicas in worker threads (see replica.ts for how
 * they stay in step). The main thread only orchestrates: it starts the workers, relays the
 * events rank 0 reports, turns a stop request into the group's stop flag, and settles with
 * rank 0's result or the first error — rebuilt with its class, so a bad input still exits 2.
 */
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { InputError, UsageError } from '../core/diagnostics.js';
import { PACKAGE_ROOT } from '../core/paths.js';
import { createReplicaMemory, raiseAbort, requestStop } from './replica.js';

/** What a replica program receives besides its job. */
export interface ReplicaContext {
  readonly rank: number;
  readonly size: number;
  readonly memory: SharedArrayBuffer;
  /** Report an event to the main thread (only rank 0's are relayed). */
  emit(event: unknown): void;
}

/** A program replicas run: a named export of a built module, `(job, context) => result`. */
interface ReplicaProgram {
  /** Path under dist/, e.g. 'nn/train.js' (workers always run the built code). */
  readonly module: string;
  readonly exportName: string;
}

interface ReplicatedRun<J> {
  readonly program: ReplicaProgram;
  /** Structured-cloneable: every replica gets the same job. */
  readonly job: J;
  readonly size: number;
  readonly onEvent?: (event: unknown) => void;
  /** Polled every 100 ms; true raises the group's stop flag (see Replica.agreeStop). */
  readonly shouldStop?: () => boolean;
}

export type WorkerMessage =
  | { readonly type: 'event'; readonly event: unknown }
  | { readonly type: 'result'; readonly value: unknown }
  | { readonly type: 'error'; readonly error: SerializedError };

export interface SerializedError {
  readonly name: string;
  readonly message: string;
  readonly file?: string;
  readonly pointer?: string;
  readonly expectation?: string;
}

export function serializeError(error: unknown): SerializedError {
  if (error instanceof InputError)
    return { name: error.name, message: error.message, file: error.file, pointer: error.pointer, expectation: error.expectation };
  if (error instanceof Error) return { name: error.name, message: error.message };
  return { name: 'Error', message: String(error) };
}

function rebuildError(e: SerializedError): Error {
  if (e.name === 'InputError' && e.file !== undefined && e.pointer !== undefined && e.expectation !== undefined)
    return new InputError(e.file, e.pointer, e.expectation);
  if (e.name === 'UsageError') return new UsageError(e.message);
  const error = new Error(e.message);
  error.name = e.name;
  return error;
}

/** Replicas by default: one per core the process may use. */
export function defaultReplicas(): number {
  return Math.max(1, availableParallelism());
}

const WORKER_ENTRY = join(PACKAGE_ROOT, 'dist', 'nn', 'replica-worker.js');

export async function runReplicated<J, R>(run: ReplicatedRun<J>): Promise<R> {
  const { size } = run;
  if (!Number.isInteger(size) || size < 1) throw new UsageError(`replicas: expected a positive integer, found ${size}`);
  const memory = createReplicaMemory(size);
  const moduleUrl = pathToFileURL(join(PACKAGE_ROOT, 'dist', run.program.module)).href;
  return new Promise<R>((resolve, reject) => {
    let firstError: Error | undefined;
    let result: { value: unknown } | undefined;
    let exited = 0;
    const fail = (error: Error) => {
      firstError ??= error;
      raiseAbort(memory);
    };
    const poll = setInterval(() => {
      if (run.shouldStop?.()) requestStop(memory);
    }, 100);
    for (let rank = 0; rank < size; rank++) {
      const worker = new Worker(WORKER_ENTRY, {
        workerData: { moduleUrl, exportName: run.program.exportName, job: run.job, rank, size, memory },
      });
      worker.on('message', (message: WorkerMessage) => {
        if (message.type === 'event') {
          if (rank === 0) run.onEvent?.(message.event);
        } else if (message.type === 'result') {
          if (rank === 0) result = { value: message.value };
        } else if (message.error.name !== 'ReplicaAborted') {
          // (a replica that stopped because another failed is not the cause)
          fail(rebuildError(message.error));
        }
      });
      worker.on('error', (error) => fail(error));
      worker.on('exit', (code) => {
        if (code !== 0) fail(new Error(`replica ${rank} of ${size} exited with code ${code}`));
        if (++exited < size) return;
        clearInterval(poll);
        if (firstError) reject(firstError);
        else if (result) resolve(result.value as R);
        else reject(new Error('internal: the replicas finished without a result'));
      });
    }
  });
}

/** A long run's callbacks: progress per step, a record per epoch, a stop request. */
interface Observed<P, E> {
  readonly onProgress?: (progress: P) => void;
  readonly onEpoch?: (record: E) => void;
  readonly shouldStop?: () => boolean;
}

export type Unobserved<J> = Omit<J, 'onProgress' | 'onEpoch' | 'shouldStop'>;

type ObservedEvent<P, E> = { readonly kind: 'progress'; readonly progress: P } | { readonly kind: 'epoch'; readonly record: E };

/** How many replicas a run on `backend` gets: as asked, else one per core on wasm, else 1. */
export function replicaCount(backend: string, requested?: number): number {
  const replicas = requested ?? (backend === 'wasm' ? defaultReplicas() : 1);
  if (!Number.isInteger(replicas) || replicas < 1) throw new UsageError(`--replicas: expected a positive integer, found ${replicas}`);
  if (replicas > 1 && backend !== 'wasm' && backend !== 'cpu') {
    throw new UsageError(
      `--replicas ${replicas}: data-parallel replicas run on the wasm and cpu backends; ${backend} uses every core by itself`,
    );
  }
  return replicas;
}

/**
 * Run an observed job as `size` replicas: the callbacks stay on this thread (rank 0's events
 * are relayed to them, the stop request goes to the group), the rest of the job travels.
 */
export function runObserved<R, J extends Observed<never, never> = Observed<never, never>>(
  program: ReplicaProgram,
  job: J,
  size: number,
): Promise<R> {
  const { onProgress, onEpoch, shouldStop, ...plain } = job;
  return runReplicated<Unobserved<J>, R>({
    program,
    job: plain as Unobserved<J>,
    size,
    shouldStop,
    onEvent: (event) => {
      // the events' types are the job's own: rank 0 ran the same job
      const e = event as ObservedEvent<never, never>;
      if (e.kind === 'progress') onProgress?.(e.progress);
      else onEpoch?.(e.record);
    },
  });
}

/** In a replica: the job's callbacks, reporting to the main thread. */
export function observedBy<P, E>(context: ReplicaContext): Observed<P, E> {
  return {
    onProgress: (progress) => context.emit({ kind: 'progress', progress } satisfies ObservedEvent<P, E>),
    onEpoch: (record) => context.emit({ kind: 'epoch', record } satisfies ObservedEvent<P, E>),
  };
}
