/**
 * Entry of a replica worker thread (see replicas.ts): import the program's module, run its
 * export with this replica's context, post the result or the error, and on failure raise the
 * group's abort flag so the other replicas stop waiting for this one.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Replica, ReplicaAborted } from './replica.js';
import { type ReplicaContext, serializeError, type WorkerMessage } from './replicas.js';

interface WorkerInput {
  readonly moduleUrl: string;
  readonly exportName: string;
  readonly job: unknown;
  readonly rank: number;
  readonly size: number;
  readonly memory: SharedArrayBuffer;
}

const input = workerData as WorkerInput;
const post = (message: WorkerMessage) => parentPort?.postMessage(message);

async function main(): Promise<void> {
  const module = (await import(input.moduleUrl)) as Record<string, unknown>;
  const program = module[input.exportName];
  if (typeof program !== 'function') throw new Error(`internal: ${input.moduleUrl} has no function ${input.exportName}`);
  const context: ReplicaContext = {
    rank: input.rank,
    size: input.size,
    memory: input.memory,
    emit: (event) => post({ type: 'event', event }),
  };
  const value = await (program as (job: unknown, context: ReplicaContext) => Promise<unknown>)(input.job, context);
  post({ type: 'result', value });
}

main().catch((error: unknown) => {
  if (!(error instanceof ReplicaAborted)) new Replica(input.memory, input.rank, input.size).abort();
  post({ type: 'error', error: serializeError(error) });
});
