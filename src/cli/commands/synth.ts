/**
 * `trips-hw synth` — stage: cli. In: a project folder written by `trips-hw generate`, optionally a
 * chunk subset, the Yosys family and backend and a cache folder. Out: OUT/synth/records.jsonl
 * (synth/ writes it), a per-chunk table of the model's resources against synthesis and a
 * SynthResult. Exit 1 when Yosys fails (its first error on the line) or, with --yosys system,
 * when no yosys is installed.
 */
import { join } from 'node:path';
import { Flags } from '@oclif/core';
import { YOSYS_FAMILIES, type YosysFamily } from '../../backend/rtl/synth.js';
import { checkInputDir, checkOutputDir } from '../../core/files.js';
import { startProgress } from '../../core/progress.js';
import { PROJECT_FILES } from '../../core/run-layout.js';
import { type SynthResult, synthesizeProject, totalLuts, YOSYS_BACKENDS, type YosysBackend } from '../../synth/index.js';
import { BaseCommand } from '../base-command.js';
import { formatInt, renderTable } from '../table.js';

export default class Synth extends BaseCommand {
  static override summary =
    "Yosys synthesis of a generated project's chunk engines: measured LUT, FF, DSP, BRAM against the model, synth records.";

  static override description =
    `Synthesises every chunk's RTL engine (hw/rtl/, with the chunk's sizes from OUT/rtl/<chunk>_params.vh) with Yosys synth_xilinx for the family of the board's part — xc7 (7-series: zc706) or xcup (UltraScale+: zcu102, kv260, ultra96v2) — flattened, out of context. Per chunk it prints the DSP, BRAM18, LUT and FF the resource model charged next to what synthesis mapped (DSP48 slices; RAMB18 + 2 · RAMB36; LUTs as logic; flip-flops), the LUTs used as memory, the carry cells and the deepest combinational path in cells (a timing proxy), and writes one synth record per chunk to OUT/synth/records.jsonl. The script is OUT/rtl/<chunk>_synth.ys; OUT/rtl/<chunk>_synth.tcl runs Vivado on the same engine.

Yosys comes from the npm package @yowasp/yosys (WebAssembly, installed with trips-hw) unless --yosys system asks for the yosys binary on PATH (Debian/Ubuntu: apt-get install yosys). Results are cached by a hash of the engine's sizes and sources, the family, the script and the Yosys version in ~/.cache/trips-hw/yosys (or --cache), so an unchanged chunk is not synthesised again. Exit code 1 when Yosys fails.`;

  static override examples = [
    {
      description: 'Generate a design, then synthesise its chunks for the family of its board',
      command:
        '<%= config.bin %> generate --design runs/quick/design.json --out runs/quick/hw && <%= config.bin %> <%= command.id %> --project runs/quick/hw',
    },
    {
      description: 'One chunk for UltraScale+, with the system yosys, as JSON (chunks[].measured, chunks[].model)',
      command: '<%= config.bin %> <%= command.id %> --project runs/quick/hw --chunks conv_small_b8 --family xcup --yosys system --json',
    },
  ];

  static override flags = {
    project: Flags.string({ required: true, description: 'project folder written by `trips-hw generate`', helpValue: 'OUT' }),
    chunks: Flags.string({ description: 'comma-separated chunk ids to synthesise (default: all)', helpValue: 'IDS' }),
    family: Flags.option({ options: YOSYS_FAMILIES, description: "synth_xilinx family (default: the board part's)" })(),
    yosys: Flags.option({
      options: YOSYS_BACKENDS,
      default: 'npm' as YosysBackend,
      description: 'Yosys to run: the npm package or the system binary',
    })(),
    cache: Flags.string({ description: 'synthesis cache folder (default ~/.cache/trips-hw/yosys)', helpValue: 'DIR' }),
  };

  async run(): Promise<SynthResult> {
    const { flags } = await this.parse(Synth);
    checkInputDir(flags.project, 'a project folder written by `trips-hw generate`');
    checkOutputDir(join(flags.project, PROJECT_FILES.synthDir), '--project');
    if (flags.cache !== undefined) checkOutputDir(flags.cache, '--cache');
    const progress = startProgress();
    const result = await synthesizeProject(flags.project, {
      chunks: flags.chunks
        ?.split(',')
        .map((s) => s.trim())
        .filter((s) => s !== ''),
      family: flags.family as YosysFamily | undefined,
      backend: flags.yosys as YosysBackend,
      cacheDir: flags.cache,
      onProgress: (e) =>
        progress.tick(() => `synth: chunk ${e.chunk} (${e.index}/${e.total}) ${e.phase === 'synth' ? 'synthesising' : 'done'}`),
    });
    progress.end();
    this.log(formatSynth(result));
    return result;
  }
}

/** Structure (DSP, BRAM): `model / synth`, marked when they differ. */
function exact(model: number, measured: number): string {
  return `${formatInt(model)} / ${formatInt(measured)}${model === measured ? '' : ' *'}`;
}

/** Estimates (LUT, FF): `model / synth` and the model's error against synthesis. */
function estimate(model: number, measured: number): string {
  const error = measured === 0 ? '' : ` (${model >= measured ? '+' : ''}${((100 * (model - measured)) / measured).toFixed(1)}%)`;
  return `${formatInt(model)} / ${formatInt(measured)}${error}`;
}

function formatSynth(r: SynthResult): string {
  const table = renderTable(
    [
      { title: 'chunk' },
      { title: 'DSP', align: 'right' },
      { title: 'BRAM18', align: 'right' },
      { title: 'LUT', align: 'right' },
      { title: 'FF', align: 'right' },
      { title: 'LUTRAM', align: 'right' },
      { title: 'CARRY', align: 'right' },
      { title: 'depth', align: 'right' },
      { title: 'time', align: 'right' },
    ],
    r.chunks.map((c) => [
      c.chunk,
      exact(c.model.dsp, c.measured.dsp48),
      exact(c.model.bram18, c.measured.bram18),
      estimate(c.model.lut, totalLuts(c.measured)),
      estimate(c.model.ff, c.measured.ff),
      formatInt(c.measured.lutram),
      formatInt(c.measured.carry),
      c.measured.carryDepth === undefined ? String(c.measured.logicDepth) : `${c.measured.logicDepth} (${c.measured.carryDepth} carry)`,
      c.cached ? 'cached' : `${c.seconds.toFixed(1)} s`,
    ]),
  );
  return [
    table,
    '',
    "model / synthesis per chunk (* DSP or BRAM18 differ; LUT, FF: the model's error); LUT: as logic and as memory, LUTRAM: of them as memory; depth: deepest combinational path in cells (of them carry cells)",
    `exact     DSP ${r.matches.dsp}/${r.matches.of} chunks, BRAM18 ${r.matches.bram18}/${r.matches.of} chunks equal to the model`,
    `tool      ${r.tool.version} (${r.tool.backend}), synth_xilinx -family ${r.family}`,
    `records   ${r.records}`,
  ].join('\n');
}
