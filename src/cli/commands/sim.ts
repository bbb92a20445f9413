/**
 * `trips-hw sim` — stage: cli. In: a project folder written by `trips-hw generate`, optionally a
 * layer subset, an image and a Verilator cache folder. Out: OUT/sim/records.jsonl (sim/ writes it),
 * a per-layer table of predicted vs measured cycles and a SimResult. Exit 1 when a layer is not
 * bit-exact or hangs; the result still goes out, saying which layers failed.
 */
import { Flags } from '@oclif/core';
import { EXIT_FAILED } from '../../core/diagnostics.js';
import { join } from 'node:path';
import { checkInputDir, checkOutputDir } from '../../core/files.js';
import { startProgress } from '../../core/progress.js';
import { DEFAULT_SYSTEM_IMAGES, simulateProject, simulateSystem, type SimResult, type SystemResult } from '../../sim/index.js';
import { UsageError } from '../../core/diagnostics.js';
import { BaseCommand } from '../base-command.js';
import { renderTable } from '../table.js';
import { PROJECT_FILES } from '../../core/run-layout.js';

export default class Sim extends BaseCommand {
  static override summary = 'Verilator co-simulation of a generated project: bit-exact check, measured vs predicted cycles, sim records.';

  static override description =
    `Builds every chunk's RTL engine (hw/rtl/, sized by OUT/rtl/<chunk>_params.vh) with Verilator and runs its layer program (OUT/rtl/<chunk>_program.mem) in a C++ harness that models the DRAM at the chunk's port rate. Every layer reads the golden inputs of OUT/golden.json, and every output word is compared with the golden model. Per layer it prints the cycles the cost model predicted and the cycles the RTL took, and writes one sim record per layer to OUT/sim/records.jsonl (input to \`trips-hw calibrate\`).

Builds are cached by a hash of the engine's sizes and sources in ~/.cache/trips-hw/verilator (or --cache), so an unchanged chunk is not rebuilt. Needs Verilator 5.006 or later and g++ (Debian/Ubuntu: apt-get install verilator g++). Exit code 1 when a layer mismatches or hangs.`;

  static override examples = [
    {
      description: 'Generate a design, then co-simulate it',
      command:
        '<%= config.bin %> generate --design runs/quick/design.json --out runs/quick/hw && <%= config.bin %> <%= command.id %> --project runs/quick/hw',
    },
    {
      description: 'Two layers only, as JSON (bitExact, cycles.mapePct / maxPct, layers[])',
      command: '<%= config.bin %> <%= command.id %> --project runs/quick/hw --layers stem,c0_expand --json',
    },
  ];

  static override flags = {
    project: Flags.string({ required: true, description: 'project folder written by `trips-hw generate`', helpValue: 'OUT' }),
    layers: Flags.string({ description: 'comma-separated layer names to simulate (default: all)', helpValue: 'NAMES' }),
    image: Flags.integer({ default: 0, min: 0, description: 'golden image to run' }),
    system: Flags.boolean({
      default: false,
      description: 'simulate the whole accelerator (rtl/trips_accel.sv): every chunk at once, --images images streamed back to back',
    }),
    images: Flags.integer({
      default: DEFAULT_SYSTEM_IMAGES,
      min: 1,
      max: 100_000,
      description: 'images to stream through the system (--system)',
    }),
    'dram-latency': Flags.integer({
      min: 0,
      max: 10_000,
      description: "cycles the simulated DRAM takes to answer a read (default: the board's, as the model assumed it)",
    }),
    stalls: Flags.string({
      description: 'probability per cycle that the DRAM takes no request and gives no answer (0 … 0.95)',
      helpValue: 'P',
    }),
    seed: Flags.integer({ default: 1, min: 0, description: "seed of the DRAM's stalls" }),
    'dram-bandwidth': Flags.string({
      description: "the simulated DRAM's bandwidth in bits per cycle, every port together (default: the board's; 0: unlimited)",
      helpValue: 'BITS',
    }),
    cache: Flags.string({ description: 'Verilator build cache folder (default ~/.cache/trips-hw/verilator)', helpValue: 'DIR' }),
  };

  async run(): Promise<SimResult | SystemResult> {
    const { flags } = await this.parse(Sim);
    checkInputDir(flags.project, 'a project folder written by `trips-hw generate`');
    checkOutputDir(join(flags.project, PROJECT_FILES.simDir), '--project');
    if (flags.cache !== undefined) checkOutputDir(flags.cache, '--cache');
    const stall = flags.stalls === undefined ? 0 : Number(flags.stalls);
    if (flags.stalls !== undefined && !(flags.stalls.trim() !== '' && stall >= 0 && stall <= 0.95))
      throw new UsageError(`--stalls: expected a probability from 0 to 0.95, found "${flags.stalls}"`);
    const bandwidth = flags['dram-bandwidth'] === undefined ? undefined : Number(flags['dram-bandwidth']);
    if (bandwidth !== undefined && !(flags['dram-bandwidth']!.trim() !== '' && bandwidth >= 0 && Number.isFinite(bandwidth)))
      throw new UsageError(`--dram-bandwidth: expected bits per cycle ≥ 0 (0: unlimited), found "${flags['dram-bandwidth']}"`);
    const dram = {
      stall,
      seed: flags.seed,
      ...(flags['dram-latency'] === undefined ? {} : { latency: flags['dram-latency'] }),
      ...(bandwidth === undefined ? {} : { bandwidth }),
    };
    const progress = startProgress();
    if (flags.system) {
      if (flags.layers !== undefined) throw new UsageError('--layers: the system runs every layer (drop --layers or --system)');
      const result = await simulateSystem(flags.project, {
        images: flags.images,
        dram,
        cacheDir: flags.cache,
        onProgress: (phase) => progress.tick(() => `sim --system: ${phase}`),
      });
      progress.end();
      this.log(formatSystem(result));
      if (!result.bitExact) {
        process.stderr.write(
          result.deadlock
            ? `trips-hw: system simulation deadlocked at cycle ${result.deadlock.cycle} (the state of every chunk is in the result)\n`
            : `trips-hw: system simulation failed: ${result.mismatchedLayers.length} layer run(s) not bit-exact, ${result.layersChecked}/${result.images * result.schedule.stages.length} checked\n`,
        );
        process.exitCode = EXIT_FAILED;
      }
      return result;
    }
    const result = await simulateProject(flags.project, {
      layers: flags.layers
        ?.split(',')
        .map((s) => s.trim())
        .filter((s) => s !== ''),
      image: flags.image,
      dram,
      cacheDir: flags.cache,
      onProgress: (e) => progress.tick(() => `sim: chunk ${e.chunk} (${e.index}/${e.total}) ${e.phase}`),
    });
    progress.end();
    this.log(formatSim(result));
    if (!result.bitExact) {
      // the result (with --json, the JSON) still goes out: it says which layers failed
      const bad = result.layers.filter((l) => !l.bitExact).map((l) => l.name);
      process.stderr.write(
        `trips-hw: co-simulation failed: ${bad.length} layer(s) not bit-exact or hung (${bad.slice(0, 5).join(', ')}${bad.length > 5 ? ', …' : ''})\n`,
      );
      process.exitCode = EXIT_FAILED;
    }
    return result;
  }
}

function formatSim(r: SimResult): string {
  const table = renderTable(
    [
      { title: 'layer' },
      { title: 'op' },
      { title: 'chunk' },
      { title: 'predicted', align: 'right' },
      { title: 'measured', align: 'right' },
      { title: 'error', align: 'right' },
      { title: 'outputs' },
    ],
    r.layers.map((l) => [
      l.name,
      l.op,
      l.chunk,
      String(l.predictedCycles),
      l.measuredCycles === null ? 'hang' : String(l.measuredCycles),
      l.errorPct === null ? '-' : `${l.errorPct >= 0 ? '+' : ''}${l.errorPct.toFixed(1)}%`,
      l.bitExact ? 'bit-exact' : `${l.mismatches}/${l.words} differ`,
    ]),
  );
  const builds = r.chunks.map((c) => `${c.chunk} ${c.built ? `built in ${c.buildSeconds.toFixed(1)} s` : 'cached'}`).join(', ');
  const exact = r.layers.filter((l) => l.bitExact).length;
  return [
    table,
    '',
    `outputs   ${exact}/${r.layers.length} layers bit-exact${r.bitExact ? '' : ' — MISMATCH'}`,
    `cycles    uncalibrated model vs RTL: MAPE ${r.cycles.mapePct.toFixed(2)}%, max ${r.cycles.maxPct.toFixed(2)}%`,
    `engines   ${builds} (${r.simulator})`,
    `records   ${r.records}`,
  ].join('\n');
}

function formatSystem(r: SystemResult): string {
  const table = renderTable(
    [
      { title: 'chunk' },
      { title: 'model cycles/image', align: 'right' },
      { title: 'running', align: 'right' },
      { title: 'waiting for input', align: 'right' },
      { title: 'waiting for DRAM', align: 'right' },
      { title: 'idle', align: 'right' },
    ],
    r.chunks.map((c) => {
      const all = Math.max(1, c.busy + c.wait + c.dram + c.idle);
      const share = (n: number) => `${n} (${((100 * n) / all).toFixed(1)}%)`;
      return [c.chunk, String(c.predictedCyclesPerImage), share(c.busy), share(c.wait), share(c.dram), share(c.idle)];
    }),
  );
  const signed = (x: number) => `${x >= 0 ? '+' : ''}${x.toFixed(2)}%`;
  const m = r.measured;
  const p = r.predicted;
  return [
    table,
    '',
    `outputs   ${r.layersChecked}/${r.images * r.schedule.stages.length} layer runs checked over ${r.images} images${r.bitExact ? ', every one bit-exact' : ' — MISMATCH or DEADLOCK'}`,
    `schedule  ${r.schedule.maxStage + 1} stage(s), ${r.schedule.slots} image slot(s) in DRAM`,
    `dram      answers a read after ${r.dram.latency} cycles, ${r.dram.bandwidth > 0 ? `${r.dram.bandwidth.toFixed(1)} bits per cycle for every port together` : 'unlimited bandwidth'}${r.dram.stall > 0 ? `, stalls ${(100 * r.dram.stall).toFixed(0)} % of cycles (seed ${r.dram.seed})` : ''}`,
    `measured  ${m.cyclesPerImage.toFixed(0)} cycles/image${m.steady ? ' (steady state)' : ` (no steady state: ${r.schedule.maxStage + 3} images or more give one)`} = ${m.fps.toFixed(0)} FPS at ${r.clockMhz} MHz; latency ${m.meanLatency.toFixed(0)} cycles (mean)`,
    `model     clock / slowest chunk: ${p.slowestChunkFps.toFixed(0)} FPS (${signed(r.fpsErrorPct.slowestChunk)}); system model: ${p.fps.toFixed(0)} FPS (${signed(r.fpsErrorPct.system)}), latency ${p.meanLatency.toFixed(0)} (${signed(r.latencyErrorPct)})`,
    `engine    ${r.build.built ? `built in ${r.build.seconds.toFixed(1)} s` : 'cached'}; ${m.cycles} cycles in ${r.simSeconds.toFixed(2)} s = ${(r.cyclesPerSec / 1000).toFixed(0)} k cycles/s (${r.simulator})`,
  ].join('\n');
}
