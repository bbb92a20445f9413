/**
 * The report of a folder with only a design: the plots that need no run data, the design
 * tables, and names from the input files escaped (a design name cannot inject markup).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeReport } from '../../src/report/index.js';
import { fixtureDesign } from '../backend/helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'trips-hw-report-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('trips-hw report on a design alone', () => {
  it('draws the chunk and resource plots, lists chunks and layers, and escapes names', async () => {
    const design = { ...fixtureDesign('tiny-mixed'), name: '<img src=x onerror=alert(1)>' };
    writeFileSync(join(dir, 'design.json'), JSON.stringify(design));
    const summary = await writeReport(dir, { toolVersion: 'test' });
    expect(summary.charts).toEqual(['chunks', 'resources']);
    const html = (await import('node:fs')).readFileSync(summary.file, 'utf8');
    expect(html).not.toContain('<img src=x');
    expect(html).toContain('&lt;img src&#x3D;x onerror&#x3D;alert(1)&gt;');
    expect(html.match(/<svg/g)?.length).toBe(2);
    for (const chunk of design.accelerator.chunks) expect(html).toContain(`<td>${chunk.id}</td>`);
    expect(html).toContain('<td>c0_dw</td>');
  });

  it('baselines that are means over seeds get ± sd bars in the accuracy-FPS plot', async () => {
    const run = join(dir, 'spread');
    (await import('node:fs')).mkdirSync(run);
    writeFileSync(join(run, 'design.json'), JSON.stringify(fixtureDesign('tiny-mixed')));
    const baselines = [
      { label: 'one point', accuracy: 0.88, fps: 20000 },
      { label: 'mean of 3 seeds', accuracy: 0.9, fps: 15000, accuracySd: 0.01, fpsSd: 1000, seeds: 3 },
    ];
    writeFileSync(join(run, 'baselines.json'), JSON.stringify(baselines));
    const summary = await writeReport(run, { toolVersion: 'test' });
    expect(summary.charts).toContain('accuracy-fps');
    const html = (await import('node:fs')).readFileSync(summary.file, 'utf8');
    // in that plot, one vertical rule (accuracy ± sd) and one horizontal (FPS ± sd) for the mean, none for the single point
    const plot = html.slice(html.indexOf('id="accuracy-fps"'), html.indexOf('id="chunks"'));
    const rules = [...plot.matchAll(/<g class="mark-rule role-mark[^"]*"[^>]*>(.*?)<\/g>/gs)].map((m) => m[1]);
    expect(rules.length).toBe(2);
    expect(rules.map((g) => g.match(/<line /g)?.length)).toEqual([1, 1]);
    expect(rules[0]).toContain('test accuracy (%): 89; accHi: 91; series: mean of 3 seeds');
    expect(rules[1]).toContain('frames per second (model): 14000; test accuracy (%): 90; fpsHi: 16000');
  });

  it('draws the whole accelerator timeline from hw/sim/system.json, and refuses one that is not what sim writes', async () => {
    const run = join(dir, 'system');
    mkdirSync(join(run, 'hw', 'sim'), { recursive: true });
    const design = fixtureDesign('tiny-mixed');
    writeFileSync(join(run, 'design.json'), JSON.stringify(design));
    const system = {
      version: 1,
      designHash: 'a'.repeat(64),
      simulator: 'Verilator 5.006',
      images: 2,
      clockMhz: 200,
      dram: { latency: 0, stall: 0, seed: 1, bandwidth: 0 },
      bitExact: true,
      layersChecked: 2,
      mismatchedLayers: [],
      deadlock: null,
      schedule: { maxStage: 1, slots: 2, stages: [0, 1] },
      measured: { cycles: 5000, cyclesPerImage: 2000, fps: 100000, steady: false, latencyCycles: [3000, 3100], meanLatency: 3050 },
      predicted: { slowestChunkFps: 101000, slowestChunkCycles: 1980, cyclesPerImage: 2000, fps: 100000, meanLatency: 3050 },
      fpsErrorPct: { slowestChunk: 1, system: 0 },
      latencyErrorPct: 0,
      chunks: design.accelerator.chunks.map((c) => ({ chunk: c.id, busy: 10, wait: 1, dram: 2, idle: 0, predictedCyclesPerImage: 100 })),
      timeline: [
        { layer: 0, image: 0, chunk: 0, go: 70, done: 900, mismatches: 0 },
        { layer: 1, image: 0, chunk: 1, go: 901, done: 2500, mismatches: 0 },
      ],
      registers: { status: 2, imagesDone: 2, cycles: 5000, layerCycles: [831, 1600] },
      build: { hash: 'system-x', built: false, seconds: 0 },
      simSeconds: 0.1,
      cyclesPerSec: 50000,
    };
    writeFileSync(join(run, 'hw', 'sim', 'system.json'), JSON.stringify(system));
    const summary = await writeReport(run, { toolVersion: 'test' });
    expect(summary.charts).toContain('system');
    const html = readFileSync(summary.file, 'utf8');
    expect(html).toContain('FPS measured (whole accelerator in Verilator, 2 images)');
    expect(html).toContain('measured 100,000 FPS in the steady state against 101,000');
    writeFileSync(join(run, 'hw', 'sim', 'system.json'), JSON.stringify({ ...system, measured: { ...system.measured, fps: -1 } }));
    await expect(writeReport(run, { toolVersion: 'test' })).rejects.toThrow(/system\.json.*\/measured\/fps/);
  });

  it('a folder without a design is bad input', async () => {
    await expect(writeReport(join(dir, 'nowhere'), { toolVersion: 'test' })).rejects.toThrow(/expected a run folder with design\.json/);
  });
});
