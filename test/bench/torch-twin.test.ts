/**
 * bench:step's PyTorch twin (src/bench/torch_step.py) is the TF.js model: same parameter count,
 * same output shape, and — from the TF.js model's initial weights on the same batch — the same
 * losses over three SGD steps (forward, gradients, clipping, weight decay, momentum). The
 * numerical check uses a 24-bit copy of the bench network so that rounding flips between the two
 * engines stay at float noise; the cpu backend, batch 2. Skipped, saying why, when
 * /usr/bin/python3 cannot import torch.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkNetwork } from '../../src/core/network-check.js';
import {
  BENCH_GENOTYPE,
  PYTHON,
  TORCH_SCRIPT,
  benchNetwork,
  nearFloatNetwork,
  runTfjs,
  runTorch,
  torchArgs,
} from '../../src/bench/step-twin.js';

function torchMissing(): string | undefined {
  const probe = spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8' });
  if (probe.error) return `${PYTHON} cannot run (${probe.error.message})`;
  if (probe.status !== 0) return `${PYTHON} cannot import torch (${probe.stderr.trim().split('\n').pop()})`;
  return undefined;
}

const missing = torchMissing();
const skipNote = missing ? ` — SKIPPED: ${missing}` : '';
if (missing) console.warn(`test/bench/torch-twin.test.ts: PyTorch twin tests skipped: ${missing}`);

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'trips-hw-torch-twin-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('bench:step network', () => {
  it('is the fmnist space with eight quantised MBConv cells, no skip, bits 4/6/8', () => {
    const net = benchNetwork();
    expect(checkNetwork(net, '<bench>')).toBeDefined();
    expect(net.input).toEqual({ height: 28, width: 28, channels: 1 });
    expect(BENCH_GENOTYPE.cells).toHaveLength(8);
    expect(BENCH_GENOTYPE.cells.every((c) => c.op !== 'skip')).toBe(true);
    expect(new Set(BENCH_GENOTYPE.cells.map((c) => c.bits))).toEqual(new Set([4, 6, 8]));
    for (let i = 0; i < 8; i++) {
      expect(net.layers.filter((l) => l.cell === i).map((l) => l.name)).toEqual(
        expect.arrayContaining([`c${i}_expand`, `c${i}_dw`, `c${i}_project`]),
      );
    }
    expect(net.layers.some((l) => l.shuffle === 2)).toBe(true);
    expect(net.layers.filter((l) => l.outBits < 32).map((l) => l.outBits)).not.toContain(32);
  });
});

describe(`PyTorch twin${skipNote}`, () => {
  it.skipIf(missing !== undefined)(
    "has the TF.js model's trainable parameter count and output shape",
    async () => {
      const net = benchNetwork();
      const file = join(dir, 'network.json');
      writeFileSync(file, JSON.stringify(net));
      const run = spawnSync(PYTHON, [TORCH_SCRIPT, '--network', file, '--check', '--batch', '2'], { encoding: 'utf8' });
      expect(run.status, run.stderr).toBe(0);
      const check = JSON.parse(run.stdout.trim().split('\n').pop() as string) as { params: number; outputShape: number[] };

      const tf = await import('../../src/nn/tf.js');
      const { selectBackend } = await import('../../src/nn/backend.js');
      const { createModel, disposeModel } = await import('../../src/nn/model.js');
      await selectBackend('cpu');
      const model = createModel(net, 1);
      const params = [...model.trainable.values()].reduce((n, v) => n + v.size, 0);
      disposeModel(model);
      expect(tf.getBackend()).toBe('cpu');
      expect(check.params).toBe(params);
      expect(check.outputShape).toEqual([2, net.classes]);
    },
    60_000,
  );

  it.skipIf(missing !== undefined)(
    'trains like the TF.js model from the same weights on the same batch',
    async () => {
      const { selectBackend } = await import('../../src/nn/backend.js');
      const { setFusedMode } = await import('../../src/nn/model.js');
      await selectBackend('cpu');
      // the stock-op reference path (the fused kernels are held to it in test/nn/fused*.test.ts)
      setFusedMode('composite');
      try {
        const opts = { batch: 2, steps: 3, warmup: 0 };
        const tfjs = await runTfjs(nearFloatNetwork(benchNetwork()), { ...opts, dir });
        expect(tfjs.leaked).toBe(0);
        const torch = await runTorch(torchArgs(tfjs, { ...opts, threads: 1, lr: 0.025 }), { quiet: true });
        expect(torch.error).toBeUndefined();
        expect(torch.losses).toHaveLength(3);
        const losses = torch.losses as number[];
        tfjs.losses.forEach((loss, i) => {
          expect(Math.abs(losses[i] - loss) / loss, `step ${i + 1}: tfjs ${loss}, torch ${losses[i]}`).toBeLessThan(1e-5);
        });
        // the steps learn: a twin that ignored the update would repeat the first loss
        expect(tfjs.losses[2]).toBeLessThan(tfjs.losses[0]);
      } finally {
        setFusedMode('auto');
      }
    },
    300_000,
  );
});
