/**
 * `trips-hw synth` as a user runs it (the built CLI, bin/run.js): the table and the --json result
 * of a fixture project, a chunk it does not have (exit 2), the system backend without a yosys on
 * PATH (exit 1, the way to install one) and a folder without a project (exit 2).
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../cli/run-cli.js';
import { loadFixture, programOf, writeProject } from '../sim/helpers.js';
import { defaultSynthCacheDir } from '../../src/synth/index.js';

const dir = mkdtempSync(join(tmpdir(), 'trips-hw-synth-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
// the cache every synthesis test shares (as the sim tests share Verilator's): a chunk is synthesised once
const cache = process.env.TRIPS_HW_SYNTH_CACHE ?? defaultSynthCacheDir();

async function synth(args: string[], path = process.env.PATH ?? '') {
  const env: NodeJS.ProcessEnv = { ...process.env, PATH: path, FORCE_COLOR: '0', NO_COLOR: '1' };
  delete env.TRIPS_HW_DEBUG;
  const r = await execa(process.execPath, [join(ROOT, 'bin', 'run.js'), 'synth', '--project', join(dir, 'p'), '--cache', cache, ...args], {
    reject: false,
    env,
    extendEnv: false,
  });
  return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
}

beforeAll(async () => {
  writeProject(join(dir, 'p'), await programOf(loadFixture('tiny-chain.design.json')));
}, 120_000);

describe('trips-hw synth', () => {
  it('prints model against synthesis per chunk, and --json the result', async () => {
    const text = await synth([]);
    expect(text.exitCode, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/^chunk\s+DSP\s+BRAM18\s+LUT\s+FF\s+LUTRAM\s+CARRY\s+depth\s+time$/m);
    expect(text.stdout).toMatch(/^conv_small_b8\s+\d+ \/ \d+/m);
    expect(text.stdout).toMatch(/tool {6}Yosys 0\.55.* \(npm\), synth_xilinx -family xc7/);
    const json = await synth(['--json', '--chunks', 'conv_small_b8']);
    expect(json.exitCode, json.stderr).toBe(0);
    const result = JSON.parse(json.stdout) as { family: string; chunks: { chunk: string; cached: boolean; measured: { dsp48: number } }[] };
    expect(result.family).toBe('xc7');
    expect(result.chunks.map((c) => [c.chunk, c.cached])).toEqual([['conv_small_b8', true]]);
    expect(result.chunks[0].measured.dsp48).toBeGreaterThanOrEqual(1);
  }, 900_000);

  it('a chunk the project does not have is bad input (exit 2)', async () => {
    const r = await synth(['--chunks', 'nope']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^trips-hw: --chunks: no chunk "nope"/)]);
  }, 60_000);

  it('--yosys system without yosys on PATH: one line that says how to install it, exit 1', async () => {
    const bin = join(dir, 'bin');
    mkdirSync(bin, { recursive: true });
    symlinkSync(process.execPath, join(bin, 'node'));
    const r = await synth(['--yosys', 'system'], bin);
    expect(r.exitCode).toBe(1);
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^trips-hw: yosys not found on PATH.*apt-get install yosys/)]);
  }, 60_000);

  it('a folder without a project is bad input (exit 2)', async () => {
    const r = await execa(process.execPath, [join(ROOT, 'bin', 'run.js'), 'synth', '--project', join(dir, 'none')], { reject: false });
    expect(r.exitCode).toBe(2);
    expect(String(r.stderr)).toMatch(/none: \/: folder not found \(expected a project folder written by `trips-hw generate`\)/);
  }, 60_000);
});
