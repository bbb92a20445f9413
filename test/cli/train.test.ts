import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, runCli } from './run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'trips-hw-train-cli-'));
const design = join(dir, 'design.json');
const run = join(dir, 'run');
const trainArgs = [
  'train',
  '--design',
  design,
  '--dataset',
  'synthetic',
  '--epochs',
  '12',
  '--batch-size',
  '32',
  '--limit-train',
  '640',
  '--backend',
  'wasm',
  '--out',
  run,
];

beforeAll(async () => {
  const network = join(ROOT, 'test', 'fixtures', 'tiny-qat.network.json');
  const r = await runCli(['explore', '--network', network, '--board', 'zc706', '--samples', '200', '--out', design]);
  expect(r.exitCode, r.stderr).toBe(0);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const epochsDone = () =>
  existsSync(join(run, 'train.jsonl')) ? readFileSync(join(run, 'train.jsonl'), 'utf8').trim().split('\n').length : 0;

describe('trips-hw train', () => {
  it('stops on SIGINT between steps, keeps the finished epochs, and --resume completes the run', async () => {
    const child = execa('node', [join(ROOT, 'bin', 'run.js'), ...trainArgs], { cwd: ROOT, reject: false });
    while (epochsDone() < 1) {
      if (child.exitCode !== null) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    child.kill('SIGINT');
    const stopped = await child;
    expect(stopped.exitCode, String(stopped.stderr)).toBe(1);
    expect(String(stopped.stderr)).toMatch(/interrupted after \d+ finished epochs; continue with --resume/);
    const done = epochsDone();
    expect(done).toBeGreaterThanOrEqual(1);
    expect(done).toBeLessThan(12);

    const resumed = await runCli([...trainArgs, '--resume', '--json']);
    expect(resumed.exitCode, resumed.stderr).toBe(0);
    const summary = JSON.parse(resumed.stdout) as {
      accuracy: number;
      integerAccuracy: number;
      agreement: number;
      epochs: number;
      backend: string;
      weights: string;
    };
    expect(summary).toMatchObject({ epochs: 12, backend: 'wasm' });
    // the integer model the hardware computes predicts as the fake-quantised one
    expect(summary.agreement).toBeGreaterThanOrEqual(0.995);
    expect(Math.abs(summary.integerAccuracy - summary.accuracy)).toBeLessThanOrEqual(0.005);
    expect(summary.accuracy).toBeGreaterThan(0.5); // the synthetic classes are easy
    expect(epochsDone()).toBe(12);
    expect(existsSync(join(summary.weights, 'weights_manifest.json'))).toBe(true);
    const record = JSON.parse(readFileSync(join(run, 'train.json'), 'utf8')) as { backend: string; history: unknown[] };
    expect(record.backend).toBe('wasm');
    expect(record.history).toHaveLength(12);
  }, 120_000);

  it('a missing dataset is bad input', async () => {
    const r = await runCli(['train', '--design', design, '--dataset', 'cifar10', '--data', dir, '--out', join(dir, 'x')]);
    expect(r.exitCode).toBe(2);
  });
});
