import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CostReport, DesignPoint } from '../../src/accel/types.js';
import { validateArtifact } from '../../src/core/schema.js';
import { FIXTURE_GENOTYPE, runCli, stderrLines } from './run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'trips-hw-estimate-'));
const designFile = join(dir, 'design.json');
let design: DesignPoint;

beforeAll(async () => {
  const r = await runCli(['explore', '--genotype', FIXTURE_GENOTYPE, '--board', 'zc706', '--samples', '500', '--out', designFile]);
  expect(r.exitCode, r.stderr).toBe(0);
  design = JSON.parse(readFileSync(designFile, 'utf8')) as DesignPoint;
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A copy of the design with one change, written to its own file. */
function writeVariant(name: string, change: (d: Record<string, any>) => void): string {
  const copy = structuredClone(design) as unknown as Record<string, any>;
  change(copy);
  const file = join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify(copy));
  return file;
}

async function expectBadInput(args: string[], ...fragments: string[]): Promise<void> {
  const r = await runCli(args);
  expect(r.exitCode).toBe(2);
  expect(r.stdout).toBe('');
  const lines = stderrLines(r);
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^trips-hw: /);
  for (const fragment of fragments) expect(lines[0]).toContain(fragment);
  expect(lines[0]).not.toMatch(/\bat .*\.js:\d+/);
}

describe('trips-hw estimate', () => {
  it('prints per-layer, per-chunk and total cost of a design', async () => {
    const r = await runCli(['estimate', '--design', designFile]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^design\s+cifar22-mixed$/m);
    expect(r.stdout).toMatch(/^status\s+feasible$/m);
    expect(r.stdout).toMatch(/^stem\s+conv\s+conv_large_b8\s+[\d,]+\s+442,368\s+[\d.]+ %$/m);
    expect(r.stdout).toMatch(/(mn|mp)\/(os|ws) T\(\d+,\d+,\d+,\d+\) PE \d+x\d+ port \d+/);
    expect(r.stdout).toMatch(/^DSP\s+[\d,]+ \/ 900 \([\d.]+ %\)$/m);
    expect(r.stdout).toMatch(/^latency\s+[\d,]+ cycles \([\d.]+ ms\)$/m);
  });

  it('--json gives the whole cost report, matching what explore predicted', async () => {
    const r = await runCli(['estimate', '--design', designFile, '--json']);
    expect(r.exitCode, r.stderr).toBe(0);
    const report = validateArtifact<CostReport>('cost-report', JSON.parse(r.stdout), 'stdout');
    expect(report.feasible).toBe(true);
    expect(report.fps).toBe(design.predicted.fps);
    expect(report.latencyCycles).toBe(design.predicted.latencyCycles);
    expect(report.layers).toHaveLength(design.network.layers.length);
    expect(report.chunks.map((c) => c.id)).toEqual(design.accelerator.chunks.map((c) => c.id));
  });

  it('an empty file (/dev/null) is bad input: exit 2, one line naming it', async () => {
    await expectBadInput(['estimate', '--design', '/dev/null'], '/dev/null');
  });

  it('--json still reports the error on stderr, and as JSON on stdout', async () => {
    const r = await runCli(['estimate', '--design', '/dev/null', '--json']);
    expect(r.exitCode).toBe(2);
    expect(stderrLines(r)).toHaveLength(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ error: { exitCode: 2, file: '/dev/null', pointer: '' } });
  });

  it.each([
    ['tile-zero', (d: Record<string, any>) => (d.accelerator.chunks[0].params.tileM = 0), '/accelerator/chunks/0/params/tileM'],
    ['loop-order', (d: Record<string, any>) => (d.accelerator.chunks[1].params.loopOrder = 'xx'), '/accelerator/chunks/1/params/loopOrder'],
    ['unknown-field', (d: Record<string, any>) => (d.predicted.watts = 3), 'unknown property "watts"'],
    ['no-version', (d: Record<string, any>) => delete d.version, 'missing required property "version"'],
    ['board-dsp', (d: Record<string, any>) => (d.board.resources.dsp = -1), '/board/resources/dsp'],
    ['network-shape', (d: Record<string, any>) => (d.network.layers[1].inC += 1), '/network/layers/1/inC'],
    ['chunk-layer', (d: Record<string, any>) => (d.accelerator.chunks[0].layers[0] = 'nope'), '/accelerator/chunks/0/layers/0'],
  ])('a design with a bad field (%s) is bad input naming the file and the pointer', async (name, change, fragment) => {
    const file = writeVariant(name, change);
    await expectBadInput(['estimate', '--design', file], file, fragment);
  });

  it('a missing --design is bad input', async () => {
    await expectBadInput(['estimate'], 'design');
  });

  it('--calibration changes the cycles; a bad coefficient is bad input with its pointer', async () => {
    const ones = { overlap: 1, prologue: 1, weightLoad: 1, output: 1, params: 1, steps: 1, tiles: 1, fixed: 1000 };
    const good = join(dir, 'calibration.json');
    writeFileSync(good, JSON.stringify({ version: 1, coefficients: { 'conv/os': ones, 'conv/ws': ones }, source: 'test' }));
    const r = await runCli(['estimate', '--design', designFile, '--calibration', good, '--json']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as CostReport).latencyCycles).not.toBe(design.predicted.latencyCycles);

    const bad = join(dir, 'calibration-bad.json');
    writeFileSync(bad, JSON.stringify({ version: 1, coefficients: { 'dw/ws': { ...ones, tiles: -1 } } }));
    await expectBadInput(['estimate', '--design', designFile, '--calibration', bad], bad, '/coefficients/dw~1ws/tiles');
  });
});
