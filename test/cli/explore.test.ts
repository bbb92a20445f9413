import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { CostReport, DesignPoint } from '../../src/accel/types.js';
import { validateArtifact } from '../../src/core/schema.js';
import { FIXTURE_GENOTYPE, ROOT, runCli, stderrLines } from './run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'trips-hw-explore-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const FAST = ['--samples', '500'];

function exploreArgs(out: string, ...extra: string[]): string[] {
  return ['explore', '--genotype', FIXTURE_GENOTYPE, '--board', 'zc706', ...FAST, '--out', out, ...extra];
}

async function expectFailure(args: string[], exitCode: number, out: string, fragment: string): Promise<void> {
  const r = await runCli(args);
  expect(r.exitCode).toBe(exitCode);
  const lines = stderrLines(r);
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^trips-hw: /);
  expect(lines[0]).toContain(fragment);
  expect(existsSync(out)).toBe(false);
}

describe('trips-hw explore', () => {
  it('writes a schema-valid design whose estimate agrees with the summary', async () => {
    const out = join(dir, 'runs', 'design.json');
    const r = await runCli(exploreArgs(out, '--json'));
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    const summary = validateArtifact<Record<string, unknown>>('explore-summary', JSON.parse(r.stdout), 'stdout');
    expect(summary).toMatchObject({ design: out, feasible: true, samples: 500, strategy: 'differentiable' });
    expect(Object.keys(summary).sort()).toEqual([
      'bram18',
      'design',
      'dsp',
      'feasible',
      'fps',
      'latencyCycles',
      'lut',
      'samples',
      'spaceSize',
      'strategy',
    ]);
    expect(summary.spaceSize).toBeGreaterThan(1e6);

    const design = validateArtifact<DesignPoint>('design', JSON.parse(readFileSync(out, 'utf8')), out);
    expect(design.name).toBe('cifar22-mixed');
    expect(design.board.name).toBe('zc706');
    expect(design.explore).toMatchObject({ strategy: 'differentiable', samples: 500, seed: 1, refine: 0.5 });
    expect(design.explore?.logits).toBeDefined();
    expect(design.provenance.command).toContain('trips-hw explore');

    const estimate = await runCli(['estimate', '--design', out, '--json']);
    expect(estimate.exitCode, estimate.stderr).toBe(0);
    const report = JSON.parse(estimate.stdout) as CostReport;
    expect(report.feasible).toBe(true);
    expect(report.fps).toBe(summary.fps);
  });

  it('prints a text summary; the same seed gives the same design', async () => {
    const a = join(dir, 'a.json');
    const b = join(dir, 'b.json');
    const ra = await runCli(exploreArgs(a, '--strategy', 'random', '--seed', '7'));
    expect(ra.exitCode, ra.stderr).toBe(0);
    for (const label of ['strategy', 'samples', 'space', 'FPS', 'latency', 'DSP', 'BRAM18', 'LUT']) {
      expect(ra.stdout).toMatch(new RegExp(`^${label}\\s`, 'm'));
    }
    expect(ra.stdout).toMatch(new RegExp(`^design\\s+${a.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm'));
    const rb = await runCli(exploreArgs(b, '--strategy', 'random', '--seed', '7'));
    expect(rb.exitCode, rb.stderr).toBe(0);
    const accel = (f: string) => (JSON.parse(readFileSync(f, 'utf8')) as DesignPoint).accelerator;
    expect(accel(b)).toEqual(accel(a));
  });

  it('warm-starts from the logits of an earlier design, at another clock', async () => {
    const first = join(dir, 'first.json');
    const second = join(dir, 'second.json');
    expect((await runCli(exploreArgs(first))).exitCode).toBe(0);
    const r = await runCli(exploreArgs(second, '--warm-start', first, '--clock', '150'));
    expect(r.exitCode, r.stderr).toBe(0);
    expect((JSON.parse(readFileSync(second, 'utf8')) as DesignPoint).accelerator.clockMhz).toBe(150);
  });

  it('takes a network file as well as a genotype', async () => {
    const first = join(dir, 'for-network.json');
    expect((await runCli(exploreArgs(first))).exitCode).toBe(0);
    const networkFile = join(dir, 'network.json');
    writeFileSync(networkFile, JSON.stringify((JSON.parse(readFileSync(first, 'utf8')) as DesignPoint).network));
    const out = join(dir, 'from-network.json');
    const r = await runCli([
      'explore',
      '--network',
      networkFile,
      '--board',
      join(ROOT, 'hw', 'boards', 'zcu102.json'),
      ...FAST,
      '--out',
      out,
    ]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect((JSON.parse(readFileSync(out, 'utf8')) as DesignPoint).board.name).toBe('zcu102');
  });

  it('an unknown board is bad input (exit 2) and writes nothing', async () => {
    const out = join(dir, 'unknown-board.json');
    await expectFailure(['explore', '--genotype', FIXTURE_GENOTYPE, '--board', 'nosuchboard', '--out', out], 2, out, 'nosuchboard');
  });

  it('flags that cannot be honoured are bad input and write nothing', async () => {
    const out = join(dir, 'bad-flags.json');
    await expectFailure(['explore', '--board', 'zc706', '--out', out], 2, out, '--genotype');
    await expectFailure(exploreArgs(out, '--strategy', 'tabu'), 2, out, 'tabu');
    await expectFailure(exploreArgs(out, '--clock', 'fast'), 2, out, '--clock');
    await expectFailure(exploreArgs(out, '--strategy', 'random', '--warm-start', out), 2, out, '--warm-start');
    await expectFailure(exploreArgs(out, '--samples', '0'), 2, out, '--samples');
    await expectFailure(exploreArgs(out, '--refine', '1.5'), 2, out, '--refine');
    await expectFailure(exploreArgs(out, '--strategy', 'annealing', '--refine', '0.5'), 2, out, '--refine');
  }, 20_000);

  it('no feasible design on a tiny board is a failed run (exit 1) and writes nothing', async () => {
    const board = JSON.parse(readFileSync(join(ROOT, 'hw', 'boards', 'zc706.json'), 'utf8')) as Record<string, any>;
    board.name = 'tiny';
    board.resources = { dsp: 1, bram18: 1, lut: 100, ff: 100 };
    const boardFile = join(dir, 'tiny.json');
    writeFileSync(boardFile, JSON.stringify(board));
    const out = join(dir, 'tiny-design.json');
    await expectFailure(
      ['explore', '--genotype', FIXTURE_GENOTYPE, '--board', boardFile, '--samples', '50', '--out', out],
      1,
      out,
      'no feasible accelerator',
    );
  });
});
