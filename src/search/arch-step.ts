/**
 * The arch step of the joint search (method.md §4–5): one validation batch through the top-2
 * path, cross-entropy plus the hardware penalty of the current single path, gradients to α
 * and β only (combined over replicas), Adam, then the offset correction of the active logits.
 */
import { Rng } from '../core/random.js';
import { deriveSeed, STREAM } from '../core/seed.js';
import type { Batch } from '../data/index.js';
import { combineGradients, crossEntropy } from '../nn/optimizer.js';
import { withReplica } from '../nn/replica.js';
import * as tf from '../nn/tf.js';
import { batchTensors, chargePath, type LoopContext } from './context.js';
import { correctOffsets } from './sampling.js';
import { expectedHardwareCost, hardwareCost } from './hardware-cost.js';
import { archForward, type Supernet } from './supernet.js';
import { choicesOf, derivedGenotype, type Logits, readLogits, sampleArchPath } from './paths.js';

/** One arch step on a validation batch; returns the whole batch's loss. */
export function archStep(ctx: LoopContext, batch: Batch, epoch: number, step: number, temperature: number): number | undefined {
  const { job, net: supernet, replica } = ctx;
  const tensors = batchTensors(batch, ctx.archSplit, replica);
  if (!tensors) return undefined;
  const before = readLogits(supernet);
  const path = sampleArchPath(before, new Rng(deriveSeed(job.seed, STREAM.archPath, epoch, step)), job.sampling);
  const lambda = ctx.s.lambda.value;
  const charged = lambda > 0 ? chargePath(ctx, derivedGenotype(supernet, before)) : undefined;
  const choices = charged ? choicesOf(supernet, derivedGenotype(supernet, before)) : [];
  let updates: readonly [tf.Variable, tf.Tensor][] = [];
  const { value, grads } = withReplica(replica, () =>
    tf.variableGrads(() => {
      const pass = archForward(supernet, tensors.x, path, temperature);
      updates = pass.updates;
      const ce = crossEntropy(pass.logits, tensors.y, supernet.space.classes);
      if (!charged) return ce;
      const hardware = charged.candidates
        ? expectedHardwareCost(supernet, charged.candidates, charged.total)
        : hardwareCost(supernet, choices, charged.latencies, charged.total);
      return tf.add(ce, tf.mul(hardware, lambda)) as tf.Scalar;
    }, [supernet.alpha, supernet.beta]),
  );
  tf.dispose(updates.map(([, t]) => t));
  let loss = value.dataSync()[0];
  let list = [supernet.alpha, supernet.beta].map((v) => grads[v.name] ?? tf.zerosLike(v));
  tf.dispose(value);
  if (replica && replica.size > 1) {
    const combined = combineGradients(replica, list, tensors.y.shape[0], loss, 0);
    tf.dispose(list);
    ({ grads: list, loss } = combined);
  }
  const params = new Float32Array(supernet.alpha.size + supernet.beta.size);
  params.set(supernet.alpha.dataSync() as Float32Array, 0);
  params.set(supernet.beta.dataSync() as Float32Array, supernet.alpha.size);
  const g = new Float32Array(params.length);
  g.set(list[0].dataSync() as Float32Array, 0);
  g.set(list[1].dataSync() as Float32Array, supernet.alpha.size);
  tf.dispose(list);
  tf.dispose([tensors.x, tensors.y]);
  ctx.adam.step(params, g);
  applyOffsets(supernet, before, params, path);
  supernet.alpha.assign(tf.tensor(params.subarray(0, supernet.alpha.size), supernet.alpha.shape));
  supernet.beta.assign(tf.tensor(params.subarray(supernet.alpha.size), supernet.beta.shape));
  ctx.s.archSteps++;
  return loss;
}

/** Offset correction (method.md §4) of the active ops' α and, inside each, the active bits' β. */
function applyOffsets(net: Supernet, before: Logits, params: Float32Array, path: ReturnType<typeof sampleArchPath>): void {
  const ops = net.ops.length;
  const bits = net.bits.length;
  const betaAt = net.alpha.size;
  path.cells.forEach((cell, i) => {
    const row = params.subarray(i * ops, (i + 1) * ops);
    correctOffsets(before.alpha[i], row, cell.ops);
    cell.ops.forEach((op, k) => {
      const at = betaAt + (i * ops + op) * bits;
      correctOffsets(before.beta[i][op], params.subarray(at, at + bits), cell.bits[k].top);
    });
  });
}
