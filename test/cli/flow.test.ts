/**
 * trips-hw flow end to end on the smoke preset: every stage runs, the hardware is bit-exact,
 * the report renders its plots in a real headless Chromium with no console error, and a second
 * run skips every finished stage; an interrupted flow continues where it stopped.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { chromium } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { estimateDesign } from '../../src/accel/estimate.js';
import type { CalibrationSpec, DesignPoint } from '../../src/accel/types.js';
import { hasTool } from '../backend/helpers.js';
import { ROOT, runCli } from './run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'trips-hw-flow-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const tools = hasTool('verilator') && hasTool('g++') && hasTool('make');
const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));
if (!tools) console.warn('flow: skipped — verilator, g++ and make are needed (apt-get install verilator g++ make)');
if (!CHROMIUM) console.warn('flow report in Chromium: skipped — apt-get install chromium');

const args = (out: string) => ['flow', '--preset', 'smoke', '--dataset', 'synthetic', '--out', out];

describe.skipIf(!tools)('trips-hw flow --preset smoke', () => {
  const out = join(dir, 'smoke');

  it('runs search → train → generate → sim → calibrate → final → report', async () => {
    const r = await runCli([...args(out), '--json']);
    expect(r.exitCode, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout) as {
      bitExact: boolean;
      fps: number;
      fpsCalibrated: number;
      fpsMeasured: number | null;
      cycles: { mapePct: number };
      report: string;
      stages: { stage: string; skipped: boolean }[];
    };
    expect(summary.stages.map((s) => s.stage)).toEqual(['search', 'train', 'generate', 'sim', 'calibrate', 'final', 'report']);
    expect(summary.stages.every((s) => !s.skipped)).toBe(true);
    expect(summary.bitExact).toBe(true);
    expect(summary.cycles.mapePct).toBeLessThan(10);
    expect(summary.fpsCalibrated).toBeGreaterThan(0);
    // the whole accelerator ran: its steady state within 2 % of what the model promised
    expect(summary.fpsMeasured).not.toBeNull();
    expect(Math.abs(summary.fpsMeasured! / summary.fps - 1)).toBeLessThan(0.02);
    for (const f of [
      'search/design.json',
      'train/train.json',
      'hw/hls/Makefile',
      'hw/rtl/files.f',
      'hw/sim/records.jsonl',
      'hw/sim/system.json',
      'calibration.json',
      'final/design.json',
      'report.html',
    ])
      expect(existsSync(join(out, f)), f).toBe(true);
    expect(r.stderr).toMatch(/\[1\/7\] search/);
    expect(r.stderr).toMatch(/\[7\/7\] report/);
  }, 240_000);

  it('the calibrated model predicts the FPS the measured per-layer cycles give within 3 %', () => {
    const design = JSON.parse(readFileSync(join(out, 'search', 'design.json'), 'utf8')) as DesignPoint;
    const calibration = JSON.parse(readFileSync(join(out, 'calibration.json'), 'utf8')) as CalibrationSpec;
    const records = readFileSync(join(out, 'hw', 'sim', 'records.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { chunk: string; meas: { cycles: number } });
    const perChunk = new Map<string, number>();
    for (const r of records) perChunk.set(r.chunk, (perChunk.get(r.chunk) ?? 0) + r.meas.cycles);
    const measuredFps = (design.accelerator.clockMhz * 1e6) / Math.max(...perChunk.values());
    const calibrated = estimateDesign(design, calibration).fps;
    expect(Math.abs(calibrated - measuredFps) / measuredFps).toBeLessThan(0.03);
  });

  it.skipIf(!CHROMIUM)(
    'its report is one offline page whose plots render in headless Chromium without console errors',
    async () => {
      const html = readFileSync(join(out, 'report.html'), 'utf8');
      expect(html).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org)/);
      const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
      try {
        const page = await browser.newPage();
        const errors: string[] = [];
        page.on('console', (m) => {
          if (m.type() === 'error') errors.push(m.text());
        });
        page.on('pageerror', (e) => errors.push(String(e)));
        await page.goto(`file://${join(out, 'report.html')}`);
        const sizes = await page.$$eval('figure svg', (svgs) => svgs.map((s) => s.getBoundingClientRect()).map((b) => [b.width, b.height]));
        expect(sizes.length).toBeGreaterThanOrEqual(3);
        for (const [w, h] of sizes) expect(w * h).toBeGreaterThan(10_000);
        // marks were drawn: points and bars, not empty axes
        expect(await page.$$eval('figure svg path, figure svg rect', (n) => n.length)).toBeGreaterThan(50);
        expect(await page.$$eval('h2', (h) => h.map((e) => e.textContent))).toEqual(
          expect.arrayContaining(['Accuracy and FPS', 'Cycles per chunk', 'Model against RTL', 'Search curves']),
        );
        expect(errors).toEqual([]);
      } finally {
        await browser.close();
      }
    },
    60_000,
  );

  it('a second run skips every finished stage', async () => {
    const r = await runCli([...args(out), '--json']);
    expect(r.exitCode, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout) as { stages: { skipped: boolean }[] };
    expect(summary.stages.every((s) => s.skipped)).toBe(true);
    expect(r.stderr).toMatch(/\[4\/7\] sim \(done in an earlier run\)/);
  }, 60_000);

  it('stopped by SIGINT during the search, the same command continues and finishes', async () => {
    const stopped = join(dir, 'stopped');
    const child = execa('node', [join(ROOT, 'bin', 'run.js'), ...args(stopped)], { cwd: ROOT, reject: false });
    const epochs = () =>
      existsSync(join(stopped, 'search', 'search.jsonl'))
        ? readFileSync(join(stopped, 'search', 'search.jsonl'), 'utf8')
            .trim()
            .split('\n').length
        : 0;
    while (epochs() < 2 && child.exitCode === null) await new Promise((r) => setTimeout(r, 20));
    child.kill('SIGINT');
    const first = await child;
    expect(first.exitCode, String(first.stderr)).toBe(1);
    expect(String(first.stderr)).toMatch(/interrupted during search; run the same command again to continue/);
    const r = await runCli([...args(stopped), '--json']);
    expect(r.exitCode, r.stderr).toBe(0);
    // the resumed search ends where the uninterrupted one did
    const design = (d: string) =>
      JSON.parse(readFileSync(join(d, 'search', 'design.json'), 'utf8')) as { accelerator: unknown; network: unknown };
    expect(design(stopped).network).toEqual(design(out).network);
    expect(design(stopped).accelerator).toEqual(design(out).accelerator);
  }, 240_000);

  it('another preset in the same folder is a one-line usage error', async () => {
    const r = await runCli(['flow', '--preset', 'quick', '--dataset', 'synthetic', '--out', out]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/started with .*"preset":"smoke"/);
  });
});
