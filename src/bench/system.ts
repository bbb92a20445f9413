/**
 * bench:system — the whole accelerator (trips_accel: every chunk at once under trips_sync) in
 * Verilator, images streamed back to back, on: the `flow` design (FLOW_DESIGN, default
 * runs/flow/search/design.json; left out with a line when missing), both fixtures, the
 * fmnist-mbv2-8bit network with the accelerator DAS finds for the KV260, and random designs
 * (random networks, random chunk parameters) on the ZC706, ZCU102 and KV260 — random stand-in
 * weights, golden vectors of two images. Per design: bit-exact over every layer of every image,
 * the measured steady-state cycles per image against `clock / slowest chunk` (what the search
 * optimises and program.json reports) and against the system model's play of the schedule, the
 * per-image latency, the simulator's speed — every design on its board's DRAM latency (the board
 * file's now, also for designs saved before boards had one), then again with STALLS (default
 * 0.3) of the cycles stalled: bit-exact and no deadlock. Images: IMAGES (default 8), raised to the schedule's
 * depth + 6 where fewer would leave too few full passes between the pipeline's fill and drain. Last line: JSON.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { resolveBoard } from '../accel/boards.js';
import { exploreAccelerator } from '../accel/explore.js';
import { randomDesign, randomNetwork } from '../accel/random-designs.js';
import type { DesignPoint } from '../accel/types.js';
import { generateProject } from '../backend/generate.js';
import { lowerSystem } from '../backend/rtl/system.js';
import { PACKAGE_ROOT } from '../core/paths.js';
import { makeProvenance } from '../core/provenance.js';
import { Rng } from '../core/random.js';
import { loadArtifact } from '../core/schema.js';
import { selectBackend } from '../nn/backend.js';
import { randomWeights } from '../nn/random-weights.js';
import { buildIntegerModel } from '../quant/index.js';
import { FMNIST_SPACE, lowerGenotypeToNetwork } from '../search/index.js';
import { defaultCacheDir, simulateSystem, type SystemResult } from '../sim/index.js';
import { machineLine } from './machine.js';

const IMAGES = Number(process.env.IMAGES ?? 8);
const RANDOM = Number(process.env.RANDOM_DESIGNS ?? 6);
const FLOW_DESIGN = process.env.FLOW_DESIGN ?? join(PACKAGE_ROOT, 'runs', 'flow', 'search', 'design.json');
const BOARDS = ['zc706', 'zcu102', 'kv260'];

function designs(): { name: string; design: DesignPoint }[] {
  const out: { name: string; design: DesignPoint }[] = [];
  if (existsSync(FLOW_DESIGN)) out.push({ name: 'flow', design: loadArtifact<DesignPoint>('design', FLOW_DESIGN) });
  else console.log(`(no flow design at ${FLOW_DESIGN}: run \`trips-hw flow\` first to include it)`);
  for (const name of ['tiny-mixed', 'tiny-chain'])
    out.push({ name, design: loadArtifact<DesignPoint>('design', join(PACKAGE_ROOT, 'test', 'fixtures', `${name}.design.json`)) });
  const genotype = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'test/fixtures/fmnist-mbv2-8bit.genotype.json'), 'utf8'));
  const network = lowerGenotypeToNetwork(FMNIST_SPACE, genotype);
  const { design } = exploreAccelerator(network, resolveBoard('kv260'), { strategy: 'differentiable', samples: 256, seed: 3 });
  out.push({ name: 'fmnist-mbv2-8bit/kv260', design });
  const rng = new Rng(17);
  for (let i = 0; i < RANDOM; i++) {
    const board = BOARDS[i % BOARDS.length];
    const net = randomNetwork(rng, `system-${i}`, { size: 6, channels: 2 });
    out.push({ name: `random-${i}/${board}`, design: randomDesign(rng, net, board) });
  }
  return out;
}

const STALLS = Number(process.env.STALLS ?? 0.3);

/** The design on its board's DRAM as the board file has it now (designs saved before carry latency 0). */
function withBoardLatency(design: DesignPoint): DesignPoint {
  const latency = resolveBoard(design.board.name).dram.readLatencyCycles ?? 0;
  return { ...design, board: { ...design.board, dram: { ...design.board.dram, readLatencyCycles: latency } } };
}

interface Row {
  readonly name: string;
  readonly r: SystemResult;
  readonly stalled: SystemResult;
}

async function run(name: string, raw: DesignPoint, cacheDir: string): Promise<Row> {
  const design = withBoardLatency(raw);
  const model = buildIntegerModel(design.network, randomWeights(design.network, 1));
  const { program, files } = generateProject(design, model, {
    tool: 'vitis-hls-2023.2',
    provenance: makeProvenance({ seed: 1 }),
    weights: { source: 'random', seed: 1 },
    images: 2,
    seed: 7,
  });
  const dir = mkdtempSync(join(tmpdir(), 'trips-hw-bench-system-'));
  try {
    for (const f of files) {
      mkdirSync(dirname(join(dir, f.path)), { recursive: true });
      writeFileSync(join(dir, f.path), f.content);
    }
    const { maxStage } = lowerSystem(program);
    const images = Math.max(IMAGES, maxStage + 6);
    const r = await simulateSystem(dir, { images, cacheDir });
    const stalled = await simulateSystem(dir, { images, cacheDir, dram: { stall: STALLS, seed: 7 } });
    const pct = (x: number) => `${x >= 0 ? '+' : ''}${x.toFixed(2)}%`;
    console.log(
      `${name.padEnd(24)} ${design.board.name.padEnd(9)} L ${String(r.dram.latency).padStart(2)}  ${String(program.chunks.length).padStart(2)} chunks ${String(program.layers.length).padStart(3)} layers ${String(r.schedule.maxStage + 1).padStart(3)} stages ${String(images).padStart(3)} images  ${r.bitExact ? 'bit-exact' : 'MISMATCH '}  ${r.measured.cyclesPerImage.toFixed(0).padStart(7)} cyc/img  slowest chunk ${String(r.predicted.slowestChunkCycles).padStart(7)} (${pct(r.fpsErrorPct.slowestChunk)})  system model ${r.predicted.cyclesPerImage.toFixed(0).padStart(7)} (${pct(r.fpsErrorPct.system)})  latency ${pct(r.latencyErrorPct)}  | ${(100 * STALLS).toFixed(0)} % stalls: ${stalled.bitExact ? 'bit-exact' : stalled.deadlock ? 'DEADLOCK' : 'MISMATCH'}, ${stalled.measured.cyclesPerImage.toFixed(0)} cyc/img (${pct((100 * (stalled.measured.cyclesPerImage - r.measured.cyclesPerImage)) / r.measured.cyclesPerImage)})  | build ${r.build.seconds.toFixed(0)} s  ${(r.cyclesPerSec / 1e3).toFixed(0)} k cyc/s`,
    );
    return { name, r, stalled };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  await selectBackend('cpu');
  const m = machineLine();
  console.log(`machine   ${m.cpu}, ${m.cores} cores, node ${m.node}`);
  console.log(
    `DRAM      every chunk's lane port answers after the board's read latency (hw/boards: 40 cycles at 200 MHz, 60 at 300 MHz); each DMA keeps to the model's share of the port; then again with ${(100 * STALLS).toFixed(0)} % stalls`,
  );
  const cacheDir = process.env.TRIPS_HW_SIM_CACHE ?? defaultCacheDir();
  const rows: Row[] = [];
  for (const { name, design } of designs()) rows.push(await run(name, design, cacheDir));
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
  const abs = (f: (r: SystemResult) => number) => mean(rows.map(({ r }) => Math.abs(f(r))));
  const flow = rows.find((x) => x.name === 'flow')?.r;
  console.log(
    JSON.stringify({
      designs: rows.length,
      bitExact: rows.every(({ r }) => r.bitExact),
      stalls: {
        probability: STALLS,
        bitExact: rows.every(({ stalled }) => stalled.bitExact),
        deadlocks: rows.filter(({ stalled }) => stalled.deadlock).length,
      },
      fpsErrorPct: {
        uncalibrated: abs((r) => r.fpsErrorPct.slowestChunk),
        system: abs((r) => r.fpsErrorPct.system),
        calibrated: null,
      },
      latencyErrorPct: abs((r) => r.latencyErrorPct),
      cyclesPerSec: flow?.cyclesPerSec ?? null,
      flow: flow
        ? { measuredFps: flow.measured.fps, slowestChunkFps: flow.predicted.slowestChunkFps, systemModelFps: flow.predicted.fps }
        : null,
      machine: m,
    }),
  );
}

await main();
