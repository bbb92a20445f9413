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
import { simulateProject, type SimResult } from '../../sim/index.js';
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
    cache: Flags.string({ description: 'Verilator build cache folder (default ~/.cache/trips-hw/verilator)', helpValue: 'DIR' }),
  };

  async run(): Promise<SimResult> {
    const { flags } = await this.parse(Sim);
    checkInputDir(flags.project, 'a project folder written by `trips-hw generate`');
    checkOutputDir(join(flags.project, PROJECT_FILES.simDir), '--project');
    if (flags.cache !== undefined) checkOutputDir(flags.cache, '--cache');
    const progress = startProgress();
    const result = await simulateProject(flags.project, {
      layers: flags.layers
        ?.split(',')
        .map((s) => s.trim())
        .filter((s) => s !== ''),
      image: flags.image,
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
