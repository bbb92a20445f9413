/**
 * bench:sim — Verilator build time of one chunk engine and simulated cycles per second of the
 * co-simulation harness, on a searched design: the 31-layer fmnist-mbv2-8bit network with the
 * accelerator DAS finds for the Ultra96-V2 (4 chunks), random stand-in weights. Every chunk is
 * built from scratch into a temporary cache, then run. Last line: JSON with the figures.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { resolveBoard } from '../accel/boards.js';
import { exploreAccelerator } from '../accel/explore.js';
import { generateProject } from '../backend/generate.js';
import { PACKAGE_ROOT } from '../core/paths.js';
import { makeProvenance } from '../core/provenance.js';
import { selectBackend } from '../nn/backend.js';
import { randomWeights } from '../nn/random-weights.js';
import { buildIntegerModel } from '../quant/index.js';
import { FMNIST_SPACE, lowerGenotypeToNetwork } from '../search/index.js';
import { simulateProject } from '../sim/index.js';
import { machineLine } from './machine.js';

async function main(): Promise<void> {
  const genotype = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'test/fixtures/fmnist-mbv2-8bit.genotype.json'), 'utf8'));
  const network = lowerGenotypeToNetwork(FMNIST_SPACE, genotype);
  const { design } = exploreAccelerator(network, resolveBoard('kv260'), { strategy: 'differentiable', samples: 256, seed: 3 });
  await selectBackend('cpu');
  const model = buildIntegerModel(network, randomWeights(network, 1));
  const { program, files } = generateProject(design, model, {
    tool: 'vitis-hls-2023.2',
    provenance: makeProvenance({ seed: 1 }),
    weights: { source: 'random', seed: 1 },
    images: 1,
    seed: 7,
  });
  const dir = mkdtempSync(join(tmpdir(), 'trips-hw-bench-sim-'));
  try {
    for (const f of files) {
      mkdirSync(dirname(join(dir, f.path)), { recursive: true });
      writeFileSync(join(dir, f.path), f.content);
    }
    const t0 = performance.now();
    const result = await simulateProject(dir, { cacheDir: join(dir, 'cache') });
    const wall = (performance.now() - t0) / 1000;
    const m = machineLine();
    console.log(`machine   ${m.cpu}, ${m.cores} cores, node ${m.node}; ${result.simulator}`);
    console.log(`design    ${network.name}: ${program.layers.length} layers on ${program.chunks.length} chunks (kv260, DAS seed 3)`);
    for (const c of result.chunks) {
      const p = program.chunks.find((k) => k.id === c.chunk)?.params;
      const pe = p ? `PE ${p.peM}x${p.peN}` : '';
      console.log(
        `  ${c.chunk.padEnd(14)} ${pe.padEnd(9)} build ${c.buildSeconds.toFixed(1).padStart(5)} s   ${String(c.simCycles).padStart(8)} cycles in ${c.simSeconds.toFixed(3)} s = ${(c.simCycles / c.simSeconds / 1e3).toFixed(0)} k cycles/s`,
      );
    }
    const builds = result.chunks.map((c) => c.buildSeconds).sort((a, b) => a - b);
    const cycles = result.chunks.reduce((s, c) => s + c.simCycles, 0);
    const simSeconds = result.chunks.reduce((s, c) => s + c.simSeconds, 0);
    const median = builds[Math.floor(builds.length / 2)];
    console.log(
      `build     one chunk: median ${median.toFixed(1)} s (min ${builds[0].toFixed(1)}, max ${builds[builds.length - 1].toFixed(1)})`,
    );
    console.log(
      `simulate  ${cycles} cycles in ${simSeconds.toFixed(2)} s: ${(cycles / simSeconds / 1e3).toFixed(0)} k cycles/s; bit-exact ${result.bitExact}, MAPE ${result.cycles.mapePct.toFixed(2)}%`,
    );
    console.log(`total     ${wall.toFixed(1)} s (builds, harness runs, comparison)`);
    console.log(
      JSON.stringify({
        buildSecondsMedian: median,
        buildSeconds: builds,
        cycles,
        simSeconds,
        cyclesPerSec: cycles / simSeconds,
        bitExact: result.bitExact,
        mapePct: result.cycles.mapePct,
        totalSeconds: wall,
        machine: m,
      }),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
