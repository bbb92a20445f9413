/**
 * Data-parallel replicas of one training program on shared memory.
 *
 * The wasm backend runs every kernel on one thread (Node has no wasm threads upstream), so a
 * 2-core machine trains at half speed. Replicas are worker threads that each run the same
 * program on their own slice of every batch, in lockstep, and meet where the batch couples its
 * samples:
 *  - batch norm in training mode: the per-channel moments (forward) and the two gradient sums
 *    (backward) are combined over all replicas — synchronised batch norm, so the statistics
 *    are those of the whole batch, as in one process;
 *  - the activation ranges: the batch's peak is the maximum over all replicas;
 *  - the weight gradients: summed with weights n_r / N before the optimizer step.
 * Every combination adds the replicas' contributions in rank order, so every replica gets the
 * same bits and the weights stay identical everywhere without being broadcast.
 *
 * The meeting place is one SharedArrayBuffer: a control block (barrier counter, generation,
 * abort and stop flags) and one slot of doubles per replica. A barrier spins briefly, then
 * sleeps with Atomics.wait; a replica that fails raises the abort flag, and every waiting
 * replica then throws instead of waiting forever.
 */

const COUNT = 0;
const GENERATION = 1;
const ABORT = 2;
const STOP = 3;
const CONTROL_INTS = 16;
/** Doubles per replica slot: larger exchanges go in pieces. */
const SLOT_DOUBLES = 1 << 17;
const SPINS = 20000;

export class ReplicaAborted extends Error {
  constructor() {
    super('another replica failed; this one stopped');
    this.name = 'ReplicaAborted';
  }
}

/** The shared memory of a replica group of `size`. */
export function createReplicaMemory(size: number): SharedArrayBuffer {
  return new SharedArrayBuffer(CONTROL_INTS * 4 + size * SLOT_DOUBLES * 8);
}

/** Flags the main thread sets on the group's memory. */
export function raiseAbort(memory: SharedArrayBuffer): void {
  const control = new Int32Array(memory, 0, CONTROL_INTS);
  Atomics.store(control, ABORT, 1);
  Atomics.notify(control, GENERATION);
}

export function requestStop(memory: SharedArrayBuffer): void {
  Atomics.store(new Int32Array(memory, 0, CONTROL_INTS), STOP, 1);
}

export class Replica {
  readonly rank: number;
  readonly size: number;
  private readonly control: Int32Array;
  private readonly slots: Float64Array[];
  private readonly combined = new Float64Array(SLOT_DOUBLES);

  constructor(memory: SharedArrayBuffer, rank: number, size: number) {
    if (!Number.isInteger(size) || size < 1 || !Number.isInteger(rank) || rank < 0 || rank >= size) {
      throw new Error(`internal: replica rank ${rank} of ${size}`);
    }
    if (memory.byteLength < CONTROL_INTS * 4 + size * SLOT_DOUBLES * 8) throw new Error('internal: replica memory too small for the group');
    this.rank = rank;
    this.size = size;
    this.control = new Int32Array(memory, 0, CONTROL_INTS);
    this.slots = Array.from({ length: size }, (_, r) => new Float64Array(memory, CONTROL_INTS * 4 + r * SLOT_DOUBLES * 8, SLOT_DOUBLES));
  }

  /** Wait until every replica has arrived. */
  barrier(): void {
    const c = this.control;
    const generation = Atomics.load(c, GENERATION);
    if (Atomics.add(c, COUNT, 1) === this.size - 1) {
      Atomics.store(c, COUNT, 0);
      Atomics.add(c, GENERATION, 1);
      Atomics.notify(c, GENERATION);
      return;
    }
    let spins = 0;
    while (Atomics.load(c, GENERATION) === generation) {
      if (Atomics.load(c, ABORT) !== 0) throw new ReplicaAborted();
      if (spins++ < SPINS) continue;
      Atomics.wait(c, GENERATION, generation, 200);
    }
  }

  /** Mark the group failed (this replica is about to throw). */
  abort(): void {
    Atomics.store(this.control, ABORT, 1);
    Atomics.notify(this.control, GENERATION);
  }

  /**
   * Combine `values` over all replicas in place: entries before `maxFrom` are summed, the rest
   * take the maximum. Every replica must call it with the same length and split.
   */
  allReduce(values: Float64Array, maxFrom = values.length): void {
    if (this.size === 1) return;
    for (let start = 0; start < values.length; start += SLOT_DOUBLES) {
      const end = Math.min(values.length, start + SLOT_DOUBLES);
      const n = end - start;
      this.slots[this.rank].set(values.subarray(start, end));
      this.barrier();
      const out = this.combined;
      out.set(this.slots[0].subarray(0, n));
      for (let r = 1; r < this.size; r++) {
        const slot = this.slots[r];
        for (let i = 0; i < n; i++) {
          out[i] = start + i < maxFrom ? out[i] + slot[i] : Math.max(out[i], slot[i]);
        }
      }
      // everyone has read every slot before any is overwritten
      this.barrier();
      values.set(out.subarray(0, n), start);
    }
  }

  /** True on every replica once any asked the group to stop (all agree at the same call). */
  agreeStop(localRequest: boolean): boolean {
    const flag = new Float64Array([localRequest || Atomics.load(this.control, STOP) !== 0 ? 1 : 0]);
    this.allReduce(flag, 0);
    return flag[0] !== 0;
  }
}

let active: Replica | undefined;

/** The replica the batch-coupled kernels combine through, while a training step runs. */
export function activeReplica(): Replica | undefined {
  return active;
}

/** Run `fn` with `replica` active for the batch-coupled kernels (none: single process). */
export function withReplica<T>(replica: Replica | undefined, fn: () => T): T {
  const before = active;
  active = replica && replica.size > 1 ? replica : undefined;
  try {
    return fn();
  } finally {
    active = before;
  }
}

/**
 * The combined batch moments of synchronised batch norm. In: this replica's row count, and per
 * channel its mean, biased variance, smallest and largest value (f32 arrays, overwritten).
 * Out: the whole batch's mean, variance and extremes; returns the whole batch's row count.
 * Sums travel as n·mean and M2 + n·mean² in doubles, so the variance is the exact pooled one.
 */
export function combineMoments(
  replica: Replica,
  rows: number,
  mean: Float32Array,
  variance: Float32Array,
  lowest: Float32Array,
  highest: Float32Array,
): number {
  const C = mean.length;
  const v = new Float64Array(1 + 4 * C);
  v[0] = rows;
  for (let c = 0; c < C; c++) {
    v[1 + c] = rows * mean[c];
    v[1 + C + c] = rows * variance[c] + rows * mean[c] * mean[c];
    v[1 + 2 * C + c] = -lowest[c];
    v[1 + 3 * C + c] = highest[c];
  }
  replica.allReduce(v, 1 + 2 * C);
  const total = v[0];
  for (let c = 0; c < C; c++) {
    const m = v[1 + c] / total;
    mean[c] = m;
    variance[c] = Math.max(0, v[1 + C + c] / total - m * m);
    lowest[c] = -v[1 + 2 * C + c];
    highest[c] = v[1 + 3 * C + c];
  }
  return total;
}

/**
 * The two gradient sums of synchronised batch norm. Each replica's dy is the gradient of its
 * own mean loss, i.e. N/n_r times its share of the whole batch's; so the sums travel weighted
 * by n_r, and the returned correction factor turns a combined sum S into this replica's term
 * S / (n_r · N) (single process: sum / n). `sums` (2·C doubles) holds the combined sums after.
 */
export function combineGradSums(replica: Replica, rows: number, sums: Float64Array): number {
  const v = new Float64Array(1 + sums.length);
  v[0] = rows;
  for (let i = 0; i < sums.length; i++) v[1 + i] = rows * sums[i];
  replica.allReduce(v);
  sums.set(v.subarray(1));
  return 1 / (rows * v[0]);
}

/** The batch's peak activation over every replica. */
export function combinePeak(replica: Replica, peak: number): number {
  const v = new Float64Array([peak]);
  replica.allReduce(v, 0);
  return v[0];
}
