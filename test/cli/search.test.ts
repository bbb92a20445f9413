import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateArtifact } from '../../src/core/schema.js';
import { selectBackend } from '../../src/nn/backend.js';
import { loadWeights } from '../../src/nn/weights.js';
import { ROOT, runCli } from './run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'trips-hw-search-cli-'));
beforeAll(async () => {
  await selectBackend('cpu');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const args = (out: string) => ['search', '--preset', 'smoke', '--dataset', 'synthetic', '--epochs', '8', '--out', out];
const lines = (out: string) =>
  existsSync(join(out, 'search.jsonl')) ? readFileSync(join(out, 'search.jsonl'), 'utf8').trim().split('\n') : [];
/** An epoch record without its wall time. */
const timeless = (line: string) => {
  const { seconds: _, ...rest } = JSON.parse(line) as Record<string, unknown>;
  return rest;
};

describe('trips-hw search', () => {
  it('--preset smoke writes a valid design, search.jsonl and weights, and --json summarises them', async () => {
    const out = join(dir, 'plain');
    const r = await runCli([...args(out), '--json']);
    expect(r.exitCode, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout) as {
      accuracy: number;
      fps: number;
      design: string;
      genotype: string;
      epochs: number;
      backend: string;
    };
    expect(summary.epochs).toBe(8);
    expect(summary.fps).toBeGreaterThan(0);
    expect(summary.accuracy).toBeGreaterThanOrEqual(0);
    expect(summary.design).toBe(join(out, 'design.json'));
    const design = validateArtifact<{
      search: { genotype: { cells: { op: string; bits: number }[] } };
      provenance: { backend: string; seed: number };
    }>('design', JSON.parse(readFileSync(summary.design, 'utf8')), summary.design);
    expect(design.search.genotype.cells.map((c) => `${c.op}@${c.bits}`).join(' ')).toBe(summary.genotype);
    expect(design.provenance).toMatchObject({ backend: summary.backend, seed: 1 });
    const records = lines(out).map((l) => JSON.parse(l) as Record<string, number>);
    expect(records).toHaveLength(8);
    for (const key of ['accuracy', 'fps', 'lambda', 'temperature', 'entropyAlpha', 'entropyBeta', 'seconds'])
      expect(records[7][key], key).toBeTypeOf('number');
    expect(records[7].temperature).toBeLessThan(records[0].temperature);
    expect(Object.keys(loadWeights(join(out, 'weights')))).toEqual(
      expect.arrayContaining(['alpha', 'beta', 'stem/kernel', 'c1/skip/skip/kernel']),
    );
  }, 120_000);

  it('stopped by SIGINT and resumed, it ends exactly where the uninterrupted run did', async () => {
    const out = join(dir, 'stopped');
    const child = execa('node', [join(ROOT, 'bin', 'run.js'), ...args(out)], { cwd: ROOT, reject: false });
    while (lines(out).length < 2 && child.exitCode === null) await new Promise((r) => setTimeout(r, 20));
    child.kill('SIGINT');
    const stopped = await child;
    expect(stopped.exitCode, String(stopped.stderr)).toBe(1);
    expect(String(stopped.stderr)).toMatch(/interrupted after \d+ finished epochs; continue with --resume/);
    expect(lines(out).length).toBeLessThan(8);
    const resumed = await runCli([...args(out), '--resume', '--json']);
    expect(resumed.exitCode, resumed.stderr).toBe(0);
    const plain = join(dir, 'plain');
    expect(lines(out).map(timeless)).toEqual(lines(plain).map(timeless));
    const a = loadWeights(join(plain, 'weights'));
    const b = loadWeights(join(out, 'weights'));
    for (const name of Object.keys(a)) expect(Array.from(b[name].dataSync()), name).toEqual(Array.from(a[name].dataSync()));
    const design = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as { network: unknown; accelerator: unknown };
    expect(design(join(out, 'design.json')).accelerator).toEqual(design(join(plain, 'design.json')).accelerator);
  }, 120_000);

  it('a bad --fps-window is a one-line usage error (exit 2) and writes nothing', async () => {
    const out = join(dir, 'bad');
    const r = await runCli([...args(out), '--fps-window', '9:3']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/--fps-window/);
    expect(existsSync(out)).toBe(false);
  });
});

describe('trips-hw search modes', () => {
  const records = (out: string) =>
    lines(out).map((l) => JSON.parse(l) as { lambda: number; hwSearches: number; phase: string; fps: number });

  it('--hw-search once keeps the first accelerator: one DAS run for the whole search', async () => {
    const out = join(dir, 'once');
    const r = await runCli(['search', '--preset', 'smoke', '--epochs', '4', '--hw-search', 'once', '--out', out, '--json']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(records(out).map((e) => e.hwSearches)).toEqual([1, 1, 1, 1]);
    const design = JSON.parse(readFileSync(join(out, 'design.json'), 'utf8')) as { search: { hwSearch: string } };
    expect(design.search.hwSearch).toBe('once');
  }, 60_000);

  it('--lambda 0 searches for accuracy alone: λ stays 0 whatever the FPS', async () => {
    const out = join(dir, 'lambda0');
    const r = await runCli(['search', '--preset', 'smoke', '--epochs', '4', '--lambda', '0', '--out', out, '--json']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(records(out).every((e) => e.lambda === 0)).toBe(true);
  }, 60_000);

  it.each(['hard', 'soft'])(
    '--sampling %s (the ablations) runs to a valid design',
    async (sampling) => {
      const out = join(dir, `sampling-${sampling}`);
      const r = await runCli(['search', '--preset', 'smoke', '--epochs', '3', '--sampling', sampling, '--out', out, '--json']);
      expect(r.exitCode, r.stderr).toBe(0);
      const design = validateArtifact<{ search: { sampling: string } }>(
        'design',
        JSON.parse(readFileSync(join(out, 'design.json'), 'utf8')),
        out,
      );
      expect(design.search.sampling).toBe(sampling);
    },
    60_000,
  );
});
