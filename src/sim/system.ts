/**
 * simulateSystem — a generated project's whole accelerator (OUT/rtl/trips_accel.sv: every chunk
 * under trips_sync) under Verilator with hw/sim/system.cpp, K images streamed back to back:
 * every layer of every image compared word for word with the golden model, each image's
 * latency, the steady-state cycles per image and FPS, every chunk's busy / waiting / idle
 * cycles — set beside what the model predicts: `clock / slowest chunk` (the figure the search
 * optimises) and the system model's play of the same schedule (accel/system-model.ts).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { predictSystem, spacing, steadyWindow, type SystemModelLayer } from '../accel/system-model.js';
import { lowerSystem, DEP_INPUT, DEP_NONE, type SystemSchedule } from '../backend/rtl/system.js';
import type { RtlChunk } from '../backend/rtl/lower.js';
import type { GoldenVectors, ProgramSpec } from '../backend/types.js';
import { UsageError } from '../core/diagnostics.js';
import { readJsonLinesFile, writeFileAtomic } from '../core/files.js';
import { PROJECT_FILES } from '../core/run-layout.js';
import { checkAgainstManifest, loadProject, loadRtlChunk } from './project.js';
import { buildSystem, defaultCacheDir, verilatorVersion } from './verilator.js';
import { chunkSpaces, dramLine, dramOf, goldenOutput, IDEAL_DRAM, outputWords, type DramBehaviour } from './job.js';

export const DEFAULT_SYSTEM_IMAGES = 8;

interface SystemOptions {
  /** Images to stream (default 8); 'steady': at least maxStage + 4, so the run has a steady state. */
  readonly images?: number | 'steady';
  /** The DRAM behind the ports; by default it answers after the board's latency (program.json's dramLatency) and never stalls. */
  readonly dram?: Partial<DramBehaviour>;
  readonly cacheDir?: string;
  readonly onProgress?: (phase: 'build' | 'run') => void;
}

export interface SystemLayerRun {
  readonly layer: number;
  readonly image: number;
  readonly chunk: number;
  /** The cycle the layer was let go (its inputs there) and its done cycle. */
  readonly go: number;
  readonly done: number;
  readonly mismatches: number;
}

export interface SystemResult {
  readonly version: 1;
  readonly designHash: string;
  readonly simulator: string;
  readonly images: number;
  readonly clockMhz: number;
  readonly dram: DramBehaviour;
  /** Every layer of every image done and matching the golden model word for word. */
  readonly bitExact: boolean;
  readonly layersChecked: number;
  readonly mismatchedLayers: readonly { readonly layer: string; readonly image: number; readonly mismatches: number }[];
  readonly deadlock: null | { readonly cycle: number; readonly chunks: readonly Record<string, number>[] };
  readonly schedule: { readonly maxStage: number; readonly slots: number; readonly stages: readonly number[] };
  readonly measured: {
    readonly cycles: number;
    readonly cyclesPerImage: number;
    readonly fps: number;
    /** True when enough images ran for full passes between the pipeline's fill and drain (≥ maxStage + 3). */
    readonly steady: boolean;
    readonly latencyCycles: readonly number[];
    readonly meanLatency: number;
  };
  readonly predicted: {
    /** program.json's figure: clock / the slowest chunk's layer cycles. */
    readonly slowestChunkFps: number;
    readonly slowestChunkCycles: number;
    /** The system model's play of the schedule with the model's layer cycles. */
    readonly cyclesPerImage: number;
    readonly fps: number;
    readonly meanLatency: number;
  };
  /** (predicted − measured) / measured, % — of the steady-state FPS, and of the mean latency. */
  readonly fpsErrorPct: { readonly slowestChunk: number; readonly system: number };
  readonly latencyErrorPct: number;
  readonly chunks: readonly {
    readonly chunk: string;
    /** Cycles running a layer (its DMA not in the way), waiting for an input, waiting for its DMA with nothing to compute, idle between passes. */
    readonly busy: number;
    readonly wait: number;
    readonly dram: number;
    readonly idle: number;
    readonly predictedCyclesPerImage: number;
  }[];
  readonly timeline: readonly SystemLayerRun[];
  /** What the host read over AXI4-Lite at the end: STATUS, IMAGES_DONE, CYCLES, LAYER_CYCLES[k] (null when it did not finish). */
  readonly registers: null | {
    readonly status: number;
    readonly imagesDone: number;
    readonly cycles: number;
    readonly layerCycles: readonly number[];
  };
  readonly build: { readonly hash: string; readonly built: boolean; readonly seconds: number };
  readonly simSeconds: number;
  readonly cyclesPerSec: number;
}

/** Liveness bound of the whole run: the model's prediction with generous slack. */
function systemBound(predictedCycles: number): number {
  return Math.ceil(4 * predictedCycles) + 100_000;
}

/** The testbench's job (hw/sim/system.cpp): the schedule's sizes, programs, parameter spaces, inputs, golden outputs. */
export function systemJobText(
  program: ProgramSpec,
  golden: GoldenVectors,
  rtls: readonly RtlChunk[],
  schedule: SystemSchedule,
  images: number,
  maxCycles: number,
  dram: DramBehaviour = IDEAL_DRAM,
): string {
  const lmax = Math.max(...rtls.map((r) => r.sizes.LANES));
  const lines = [
    `system ${rtls.length} ${lmax} ${images} ${schedule.slots} ${schedule.slotWords} ${schedule.scoreWords} ${maxCycles}`,
    dramLine(dram),
  ];
  const list = (values: readonly number[]) => `${values.length} ${values.join(' ')}`;
  for (const rtl of rtls) {
    lines.push(`program ${rtl.index} ${rtl.program.length} ${rtl.program.map((w) => w.toString(16)).join(' ')}`);
    for (const [id, values] of chunkSpaces(program.chunks[rtl.index])) lines.push(`space ${rtl.index} ${id} ${list(values)}`);
  }
  lines.push(`input ${program.input.address} ${golden.images}`);
  for (const row of golden.input) lines.push(list(row));
  for (const d of program.layers) {
    lines.push(`layer ${d.chunk} ${d.rawOut ? 0 : d.outAddr} ${outputWords(program, d)} ${d.rawOut}`);
    for (let g = 0; g < golden.images; g++) lines.push(list(goldenOutput(program, golden, d.index, g)));
  }
  return `${lines.join('\n')}\n`;
}

/** The system model's inputs from the program: each layer's chunk, stage, producers and predicted cycles. */
export function systemModelLayers(program: ProgramSpec, schedule: SystemSchedule): SystemModelLayer[] {
  return schedule.layers.map((l) => ({
    chunk: l.chunk,
    stage: l.stage,
    deps: l.deps.filter((d) => d !== DEP_NONE).map((d) => (d === DEP_INPUT ? -1 : d)),
    cycles: program.layers[l.index].predictedCycles,
  }));
}

interface TestbenchLine {
  readonly layer?: number;
  readonly image?: number;
  readonly chunk?: number;
  readonly go?: number;
  readonly done?: number;
  readonly ready?: number;
  readonly mismatches?: number;
  readonly deadlock?: boolean;
  readonly cycle?: number;
  readonly chunks?: Record<string, number>[];
  readonly finished?: boolean;
  readonly cycles?: number;
  readonly wallSeconds?: number;
  readonly stats?: { busy: number; wait: number; dram: number; idle: number }[];
  readonly registers?: SystemResult['registers'];
}

const pct = (predicted: number, measured: number) => (measured > 0 ? (100 * (predicted - measured)) / measured : 0);

export async function simulateSystem(projectDir: string, options: SystemOptions = {}): Promise<SystemResult> {
  const { program, golden, manifest } = loadProject(projectDir);
  const rtlDir = join(projectDir, 'rtl');
  checkAgainstManifest(projectDir, manifest, 'rtl/trips_accel.sv', 'system top (SystemVerilog)');
  const rtls = program.chunks.map((c) => loadRtlChunk(projectDir, program, manifest, c.index));
  const schedule = lowerSystem(program);
  // 'steady': enough images for full passes between the pipeline's fill and drain
  const images =
    options.images === 'steady' ? Math.max(DEFAULT_SYSTEM_IMAGES, schedule.maxStage + 4) : (options.images ?? DEFAULT_SYSTEM_IMAGES);
  if (!Number.isInteger(images) || images < 1 || images > 100_000) throw new UsageError(`--images: expected 1 … 100000, found ${images}`);
  const simulator = await verilatorVersion();
  options.onProgress?.('build');
  const build = await buildSystem(
    rtlDir,
    rtls.map((r) => `${r.ident}_params.vh`),
    options.cacheDir ?? defaultCacheDir(),
    simulator,
  );
  const model = predictSystem(systemModelLayers(program, schedule), images, schedule.slots);
  const workDir = join(projectDir, PROJECT_FILES.simWork);
  mkdirSync(workDir, { recursive: true });
  const job = join(workDir, 'system.job');
  const out = join(workDir, 'system.out');
  const dram = dramOf(program, options.dram);
  // a stalled DRAM slows everything down: the liveness bound stretches with it
  const bound = systemBound((model.totalCycles * (1 + dram.latency / 10)) / Math.max(0.05, 1 - dram.stall) ** 2);
  writeFileSync(job, systemJobText(program, golden, rtls, schedule, images, bound, dram));
  writeFileSync(out, '');
  options.onProgress?.('run');
  const result = await execa(build.executable, [job, out], { reject: false, all: true });
  const lines = readJsonLinesFile(out, 'the system testbench output').map(({ value }) => value as TestbenchLine);
  const dead = lines.find((l) => l.deadlock !== undefined);
  const end = lines.find((l) => l.finished);
  if (result.exitCode !== 0 && !dead)
    throw new Error(`system testbench failed (exit ${result.exitCode}): ${(result.all ?? '').trim().split('\n').pop() ?? ''}`);

  const timeline: SystemLayerRun[] = lines
    .filter((l) => l.layer !== undefined)
    .map((l) => ({ layer: l.layer!, image: l.image!, chunk: l.chunk!, go: l.go!, done: l.done!, mismatches: l.mismatches! }));
  const perImage = lines.filter((l) => l.ready !== undefined && l.layer === undefined);
  const doneAt = perImage.map((l) => l.done!);
  const latency = perImage.map((l) => l.done! - l.ready!);
  const { from, to, steady } = steadyWindow(images, schedule.maxStage);
  const cyclesPerImage = spacing(doneAt, from, to);
  const clockHz = program.clockMhz * 1e6;
  const measuredFps = cyclesPerImage > 0 ? clockHz / cyclesPerImage : 0;
  const chunkCycles = program.chunks.map((c) => c.layers.reduce((s, l) => s + program.layers[l].predictedCycles, 0));
  const slowest = Math.max(...chunkCycles);
  const meanLatency = latency.reduce((a, b) => a + b, 0) / Math.max(1, latency.length);
  const mismatched = timeline.filter((t) => t.mismatches > 0);
  const simSeconds = end?.wallSeconds ?? 0;
  const simCycles = end?.cycles ?? 0;
  const run: SystemResult = {
    version: 1,
    designHash: program.designHash,
    simulator,
    images,
    clockMhz: program.clockMhz,
    dram,
    bitExact: !dead && end !== undefined && timeline.length === images * program.layers.length && mismatched.length === 0,
    layersChecked: timeline.length,
    mismatchedLayers: mismatched
      .slice(0, 20)
      .map((t) => ({ layer: program.layers[t.layer].name, image: t.image, mismatches: t.mismatches })),
    deadlock: dead ? { cycle: dead.cycle ?? 0, chunks: dead.chunks ?? [] } : null,
    schedule: { maxStage: schedule.maxStage, slots: schedule.slots, stages: schedule.layers.map((l) => l.stage) },
    measured: { cycles: simCycles, cyclesPerImage, fps: measuredFps, steady, latencyCycles: latency, meanLatency },
    predicted: {
      slowestChunkFps: clockHz / slowest,
      slowestChunkCycles: slowest,
      cyclesPerImage: model.steadyCyclesPerImage,
      fps: clockHz / model.steadyCyclesPerImage,
      meanLatency: model.meanLatency,
    },
    fpsErrorPct: { slowestChunk: pct(clockHz / slowest, measuredFps), system: pct(clockHz / model.steadyCyclesPerImage, measuredFps) },
    latencyErrorPct: pct(model.meanLatency, meanLatency),
    chunks: program.chunks.map((c, i) => ({
      chunk: c.id,
      busy: end?.stats?.[i]?.busy ?? 0,
      wait: end?.stats?.[i]?.wait ?? 0,
      dram: end?.stats?.[i]?.dram ?? 0,
      idle: end?.stats?.[i]?.idle ?? 0,
      predictedCyclesPerImage: chunkCycles[i],
    })),
    timeline,
    registers: end?.registers ?? null,
    build: { hash: build.hash, built: build.built, seconds: build.seconds },
    simSeconds,
    cyclesPerSec: simSeconds > 0 ? simCycles / simSeconds : 0,
  };
  writeFileAtomic(join(projectDir, PROJECT_FILES.simSystem), `${JSON.stringify(run)}\n`);
  return run;
}

/** What a flow keeps of a system run (flow.json's sim result): the verdict on the FPS. */
export interface SystemVerdict {
  readonly bitExact: boolean;
  readonly images: number;
  readonly steady: boolean;
  /** Steady-state FPS measured, and what the model said: clock / slowest chunk, and the system model. */
  readonly measuredFps: number;
  readonly slowestChunkFps: number;
  readonly systemModelFps: number;
}

export function systemVerdict(r: SystemResult): SystemVerdict {
  return {
    bitExact: r.bitExact,
    images: r.images,
    steady: r.measured.steady,
    measuredFps: r.measured.fps,
    slowestChunkFps: r.predicted.slowestChunkFps,
    systemModelFps: r.predicted.fps,
  };
}
