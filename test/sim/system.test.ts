/**
 * The whole accelerator (rtl/trips_accel.sv) under Verilator with hw/sim/system.cpp: every
 * layer of every image bit-exact on both fixtures with images streamed back to back, the
 * schedule's stages, the system model against the measured steady state; a mismatch and a
 * deadlock are caught and reported; and the schedule's lowering and the system model alone.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { predictSystem, SYSTEM_CYCLES } from '../../src/accel/system-model.js';
import { DEP_INPUT, DEP_NONE, lowerSystem, packedLiteral } from '../../src/backend/rtl/system.js';
import type { ProgramSpec } from '../../src/backend/types.js';
import { validateArtifact } from '../../src/core/schema.js';
import { defaultCacheDir, simulateProject, simulateSystem, type SystemResult } from '../../src/sim/index.js';
import { loadFixture, programOf, verilatorMissing, writeProject } from './helpers.js';

const missing = await verilatorMissing();
const root = mkdtempSync(join(tmpdir(), 'trips-hw-system-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const cacheDir = process.env.TRIPS_HW_SIM_CACHE ?? defaultCacheDir();

/** Replace a project file's content and its manifest entry (a test's deliberate edit). */
function rewrite(dir: string, path: string, edit: (text: string) => string): void {
  const file = join(dir, path);
  const text = edit(readFileSync(file, 'utf8'));
  writeFileSync(file, text);
  const manifestFile = join(dir, 'manifest.json');
  const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as { files: { path: string; sha256: string }[] };
  manifest.files.find((f) => f.path === path)!.sha256 = createHash('sha256').update(text).digest('hex');
  writeFileSync(manifestFile, JSON.stringify(manifest));
}

describe('the system schedule (pure)', () => {
  it('puts a layer one stage after a producer on another chunk, with its producer on its own', async () => {
    const { program } = await programOf(loadFixture('tiny-mixed.design.json'));
    const s = lowerSystem(program);
    for (const l of s.layers) {
      const d = program.layers[l.index];
      expect(l.deps[0]).toBe(d.inAddr === program.input.address ? DEP_INPUT : program.layers.find((p) => p.outAddr === d.inAddr)!.index);
      if (d.op !== 'add') expect(l.deps[1]).toBe(DEP_NONE);
      const want = Math.max(
        0,
        ...l.deps.filter((p) => p < s.layers.length).map((p) => s.layers[p].stage + (s.layers[p].chunk === l.chunk ? 0 : 1)),
      );
      expect(l.stage).toBe(want);
    }
    expect(s.slots).toBe(s.maxStage + 1);
    expect(s.maxStage).toBeGreaterThan(0);
    expect(s.slotWords).toBe(program.arenaWords);
  });

  it('refuses a layer whose output no later layer reads', async () => {
    const { program } = await programOf(loadFixture('tiny-chain.design.json'));
    const orphan = { ...program.layers[0], index: 1, name: 'orphan', outAddr: program.arenaWords };
    const layers = [program.layers[0], orphan, ...program.layers.slice(1).map((l) => ({ ...l, index: l.index + 1 }))];
    const bad: ProgramSpec = { ...program, layers };
    expect(() => lowerSystem(bad)).toThrow(/layer 1 \(orphan\) feeds no later layer/);
  });

  it('packs parameter vectors field by field', () => {
    expect(packedLiteral([1, 2, 0xffff], 16)).toBe("48'hffff00020001");
    expect(packedLiteral([3], 8)).toBe("8'h3");
  });
});

describe('the system model (pure)', () => {
  it('plays two chunks alternating: one image at a time is their sum, many images the slower chunk', () => {
    // a (chunk 0) → b (chunk 1) → c (chunk 0): stages 0, 1, 2
    const cycles = [1000, 3000, 500];
    const layers = [
      { chunk: 0, stage: 0, deps: [-1], cycles: cycles[0] },
      { chunk: 1, stage: 1, deps: [0], cycles: cycles[1] },
      { chunk: 0, stage: 2, deps: [1], cycles: cycles[2] },
    ];
    const one = predictSystem(layers, 1, 3);
    // one image: the three layers in a row, each descriptor fetched while its producer runs,
    // each handed on a cycle after its producer's done cycle
    const { pass, fetch } = SYSTEM_CYCLES;
    expect(one.doneAt[0]).toBe(pass + fetch + cycles[0] + cycles[1] + cycles[2] - 3 * (fetch + 1) + 2);
    const many = predictSystem(layers, 40, 3);
    expect(many.steady).toBe(true);
    // steady state: chunk 1's layer and its pass, plus the skips of nothing — 3000 + pass
    expect(many.steadyCyclesPerImage).toBeCloseTo(cycles[1] + SYSTEM_CYCLES.pass, 0);
    expect(many.chunks[0].wait).toBeGreaterThan(0);
    // fewer slots than stages: pass t's first layer waits for an image whose slot frees only
    // in pass t + 1 — the deadlock the system top avoids by giving maxStage + 1 slots
    expect(() => predictSystem(layers, 10, 2)).toThrow(/deadlock/);
  });
});

describe.skipIf(missing !== undefined)(`the whole accelerator under Verilator ${missing ?? ''}`, () => {
  it.each([
    ['tiny-mixed', 8],
    ['tiny-chain', 3],
  ] as const)(
    '%s: every layer of %i images bit-exact, the system model at the measured steady state',
    async (name, images) => {
      const project = await programOf(loadFixture(`${name}.design.json`), 1, 2);
      const dir = join(root, name);
      writeProject(dir, project);
      const r = await simulateSystem(dir, { images, cacheDir });
      const layers = project.program.layers.length;
      expect(r.deadlock).toBeNull();
      expect(r.mismatchedLayers).toEqual([]);
      expect(r.layersChecked).toBe(images * layers);
      expect(r.bitExact).toBe(true);
      // each layer ran each image once, in order, and after its producers
      for (let l = 0; l < layers; l++) {
        const runs = r.timeline.filter((t) => t.layer === l);
        expect(runs.map((t) => t.image)).toEqual([...Array(images).keys()]);
      }
      for (const t of r.timeline) {
        const d = project.program.layers[t.layer];
        const producer = project.program.layers.find((p) => p.rawOut !== 1 && p.outAddr === d.inAddr);
        if (producer) expect(t.go).toBeGreaterThan(r.timeline.find((u) => u.layer === producer.index && u.image === t.image)!.done);
      }
      // the host's view over AXI4-Lite: done, every image, each layer's cycles of its last image
      expect(r.registers).not.toBeNull();
      expect(r.registers!.status).toBe(2);
      expect(r.registers!.imagesDone).toBe(images);
      const lastRuns = [...Array(layers).keys()].map((l) => r.timeline.filter((t) => t.layer === l).pop()!);
      expect(r.registers!.layerCycles).toEqual(lastRuns.map((t) => t.done - t.go + 1));
      expect(r.registers!.cycles).toBeGreaterThan(r.timeline[r.timeline.length - 1].done - r.timeline[0].go);
      expect(r.measured.steady).toBe(true);
      expect(Math.abs(r.fpsErrorPct.system)).toBeLessThanOrEqual(2);
      expect(Math.abs(r.latencyErrorPct)).toBeLessThanOrEqual(2);
      const saved = validateArtifact<SystemResult>(
        'system-result',
        JSON.parse(readFileSync(join(dir, 'sim', 'system.json'), 'utf8')),
        'system.json',
      );
      expect(saved.bitExact).toBe(true);
      process.stderr.write(
        `${name} system: ${r.measured.cyclesPerImage.toFixed(0)} cycles/image measured, model ${r.predicted.cyclesPerImage.toFixed(0)} (slowest chunk ${r.predicted.slowestChunkCycles}); ${(r.cyclesPerSec / 1000).toFixed(0)} k cycles/s\n`,
      );
    },
    300_000,
  );

  it('a DRAM that answers 40 cycles late: the model charges it; with 30 % stalls every image is still bit-exact', async () => {
    const fixture = loadFixture('tiny-mixed.design.json');
    const design = { ...fixture, board: { ...fixture.board, dram: { ...fixture.board.dram, readLatencyCycles: 40 } } };
    const project = await programOf(design, 1, 2);
    expect(project.program.dramLatency).toBe(40);
    const dir = join(root, 'late');
    writeProject(dir, project);
    const layers = await simulateProject(dir, { cacheDir });
    expect(layers.bitExact).toBe(true);
    expect(layers.cycles.mapePct).toBeLessThanOrEqual(1);
    const late = await simulateSystem(dir, { images: 8, cacheDir });
    expect(late.dram).toMatchObject({ latency: 40, stall: 0, seed: 1 });
    expect(late.dram.bandwidth).toBeCloseTo(project.program.dramBitsPerCycle, 9);
    expect(late.bitExact).toBe(true);
    expect(Math.abs(late.fpsErrorPct.system)).toBeLessThanOrEqual(2);
    // the latency is not free: the same design on a DRAM that answers at once is faster
    const prompt = await simulateSystem(dir, { images: 8, cacheDir, dram: { latency: 0 } });
    expect(prompt.measured.cyclesPerImage).toBeLessThan(late.measured.cyclesPerImage);
    // the board's bandwidth, shared by the chunks, costs them little: each keeps to its share
    const unlimited = await simulateSystem(dir, { images: 8, cacheDir, dram: { bandwidth: 0 } });
    expect(late.measured.cyclesPerImage / unlimited.measured.cyclesPerImage).toBeLessThan(1.02);
    // 4 bits a cycle (a DRAM far slower than the one the model planned for): slower, still bit-exact
    const starved = await simulateSystem(dir, { images: 8, cacheDir, dram: { bandwidth: 4 } });
    expect(starved.bitExact).toBe(true);
    expect(starved.measured.cyclesPerImage).toBeGreaterThan(1.2 * late.measured.cyclesPerImage);
    process.stderr.write(
      `late DRAM: ${late.measured.cyclesPerImage.toFixed(0)} cycles/image (unlimited bandwidth ${unlimited.measured.cyclesPerImage.toFixed(0)}, 4 bits/cycle ${starved.measured.cyclesPerImage.toFixed(0)}, answering at once ${prompt.measured.cyclesPerImage.toFixed(0)})\n`,
    );
    for (const seed of [1, 2]) {
      const stalled = await simulateSystem(dir, { images: 8, cacheDir, dram: { stall: 0.3, seed } });
      expect(stalled.deadlock).toBeNull();
      expect(stalled.mismatchedLayers).toEqual([]);
      expect(stalled.bitExact).toBe(true);
      expect(stalled.measured.cyclesPerImage).toBeGreaterThan(late.measured.cyclesPerImage);
    }
  }, 300_000);

  it('names the layer and image of a wrong output', async () => {
    const project = await programOf(loadFixture('tiny-chain.design.json'), 1, 2);
    const dir = join(root, 'wrong');
    writeProject(dir, project);
    const victim = project.program.layers[1];
    rewrite(dir, 'golden.json', (text) => {
      const golden = JSON.parse(text) as { layers: Record<string, number[][]> };
      golden.layers[victim.name][1][0] += 1;
      return JSON.stringify(golden);
    });
    const r = await simulateSystem(dir, { images: 4, cacheDir });
    expect(r.bitExact).toBe(false);
    // images 1 and 3 use golden image 1
    expect(r.mismatchedLayers).toEqual([
      { layer: victim.name, image: 1, mismatches: 1 },
      { layer: victim.name, image: 3, mismatches: 1 },
    ]);
  }, 300_000);

  it('reports a deadlock with the state of every chunk', async () => {
    const project = await programOf(loadFixture('tiny-mixed.design.json'), 1, 2);
    const dir = join(root, 'deadlock');
    writeProject(dir, project);
    const schedule = lowerSystem(project.program);
    // layer 1 made to wait for the last layer of its own image: it can never run
    const deps = schedule.layers.map((l) => l.deps[0]);
    const edited = [...deps];
    edited[1] = schedule.layers.length - 1;
    rewrite(dir, 'rtl/trips_accel.sv', (text) => text.replace(`.DEP0(${packedLiteral(deps, 16)})`, `.DEP0(${packedLiteral(edited, 16)})`));
    const r = await simulateSystem(dir, { images: 2, cacheDir });
    expect(r.bitExact).toBe(false);
    expect(r.deadlock).not.toBeNull();
    expect(r.deadlock!.chunks).toHaveLength(project.program.chunks.length);
    const stuck = r.deadlock!.chunks.find((c) => c.layer === 1);
    expect(stuck).toMatchObject({ waiting: 1, image: 0 });
  }, 300_000);
});
