/**
 * `trips-hw sim` as a user runs it (the built CLI): the table and the --json result of a
 * fixture project, and the one-line error when Verilator is missing.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../cli/run-cli.js';
import { loadFixture, programOf, verilatorMissing, writeProject } from './helpers.js';

const missing = await verilatorMissing();
const dir = mkdtempSync(join(tmpdir(), 'trips-hw-sim-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const cache = process.env.TRIPS_HW_SIM_CACHE;

async function sim(args: string[], path = process.env.PATH ?? '') {
  const env: NodeJS.ProcessEnv = { ...process.env, PATH: path, FORCE_COLOR: '0', NO_COLOR: '1' };
  delete env.TRIPS_HW_DEBUG;
  const r = await execa(
    process.execPath,
    [join(ROOT, 'bin', 'run.js'), 'sim', '--project', join(dir, 'p'), ...(cache ? ['--cache', cache] : []), ...args],
    { reject: false, env, extendEnv: false },
  );
  return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
}

beforeAll(async () => {
  writeProject(join(dir, 'p'), await programOf(loadFixture('tiny-chain.design.json')));
}, 120_000);

describe('trips-hw sim', () => {
  it.skipIf(missing !== undefined)(
    `prints the per-layer table, and --json the result ${missing ?? ''}`,
    async () => {
      const text = await sim([]);
      expect(text.exitCode, text.stderr).toBe(0);
      expect(text.stdout).toMatch(/5\/5 layers bit-exact/);
      expect(text.stdout).toMatch(/MAPE \d+\.\d+%, max \d+\.\d+%/);
      const json = await sim(['--json', '--layers', 'c1,fc']);
      expect(json.exitCode, json.stderr).toBe(0);
      const result = JSON.parse(json.stdout) as {
        bitExact: boolean;
        cycles: { mapePct: number; maxPct: number };
        layers: { name: string }[];
      };
      expect(result.bitExact).toBe(true);
      expect(result.cycles.mapePct).toBeLessThanOrEqual(10);
      expect(result.layers.map((l) => l.name)).toEqual(['c1', 'fc']);
    },
    240_000,
  );

  it.skipIf(missing !== undefined)(
    `--system streams images through the whole accelerator; its DRAM flags are checked ${missing ?? ''}`,
    async () => {
      const text = await sim(['--system', '--images', '3', '--dram-latency', '12', '--stalls', '0.2', '--seed', '5']);
      expect(text.exitCode, text.stderr).toBe(0);
      expect(text.stdout).toMatch(/15\/15 layer runs checked over 3 images, every one bit-exact/);
      expect(text.stdout).toMatch(/answers a read after 12 cycles, .* stalls 20 % of cycles \(seed 5\)/);
      expect(text.stdout).toMatch(/waiting for DRAM/);
      const json = await sim(['--system', '--images', '2', '--json']);
      expect(json.exitCode, json.stderr).toBe(0);
      const result = JSON.parse(json.stdout) as { bitExact: boolean; images: number; registers: { imagesDone: number } };
      expect(result).toMatchObject({ bitExact: true, images: 2, registers: { imagesDone: 2 } });
      for (const [args, message] of [
        [['--system', '--layers', 'c1'], /--layers: the system runs every layer/],
        [['--system', '--stalls', '2'], /--stalls: expected a probability from 0 to 0.95, found "2"/],
        [['--system', '--stalls', 'often'], /--stalls: expected a probability from 0 to 0.95, found "often"/],
        [['--system', '--dram-bandwidth', '-1'], /--dram-bandwidth: expected bits per cycle ≥ 0/],
      ] as const) {
        const bad = await sim([...args]);
        expect(bad.exitCode, args.join(' ')).toBe(2);
        expect(bad.stderr.trim().split('\n')).toEqual([expect.stringMatching(message)]);
      }
    },
    240_000,
  );

  it('without verilator: one line that says how to install it, exit 1', async () => {
    const bin = join(dir, 'bin');
    mkdirSync(bin, { recursive: true });
    symlinkSync(process.execPath, join(bin, 'node'));
    const r = await sim([], bin);
    expect(r.exitCode).toBe(1);
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^trips-hw: verilator not found.*apt-get install verilator/)]);
  }, 60_000);

  it('a folder without a project is bad input (exit 2)', async () => {
    const r = await execa(process.execPath, [join(ROOT, 'bin', 'run.js'), 'sim', '--project', join(dir, 'none')], { reject: false });
    expect(r.exitCode).toBe(2);
    expect(String(r.stderr)).toMatch(/none: \/: folder not found \(expected a project folder written by `trips-hw generate`\)/);
  }, 60_000);
});
