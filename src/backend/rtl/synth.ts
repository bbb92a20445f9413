/**
 * Synthesis scripts — stage: generate (and `trips-hw synth`, which runs the same script). In: a
 * chunk engine's compile-time sizes and the board's part. Out: the Yosys script that synthesises
 * trips_chunk with those sizes for the part's family (templates/rtl/synth-script.hbs; the cells by
 * type to a JSON file, the deepest combinational path to a text file), and per chunk the files a
 * user's flow starts from: OUT/rtl/<chunk>_synth.ys (that script, run from OUT/rtl) and
 * OUT/rtl/<chunk>_synth.tcl (Vivado non-project synthesis of <chunk>_top, out of context, with a
 * hierarchical utilization report). Pure: numbers and labels here, text in the templates.
 */
import { join } from 'node:path';
import { FPGA_FAMILIES, familyOfPart, type FpgaFamily } from '../../accel/resource-model.js';
import { PACKAGE_ROOT } from '../../core/paths.js';
import { escapeMakeComment, escapeTclWord, plainText } from '../../core/text.js';
import { generatedBanner, templateLoader } from '../templates.js';
import type { GeneratedFile, ProgramSpec } from '../types.js';
import { ENGINE_INCLUDES, ENGINE_SOURCES, lowerChunk, RTL_SIZE_NAMES, type RtlSizes } from './lower.js';

/** The `synth_xilinx -family` values of the parts trips-hw's boards carry. */
export const YOSYS_FAMILIES = FPGA_FAMILIES;
export type YosysFamily = FpgaFamily;

const FAMILY_NAMES: Record<YosysFamily, string> = { xc7: '7-series', xcup: 'UltraScale+' };

/** The engine's top module: what both scripts synthesise (the Vivado one through <chunk>_top). */
export const SYNTH_TOP = 'trips_chunk';
/** Where the scripts find the engine's sources and includes: OUT/rtl/src, and the same path in `trips-hw synth`'s work tree. */
export const SYNTH_SOURCE_DIR = 'src';

/** What the Yosys script of one engine prints (templates/rtl/synth-script.hbs). */
export interface YosysScriptView {
  readonly includeDir: string;
  readonly sources: readonly string[];
  readonly params: readonly { readonly name: string; readonly value: number }[];
  readonly top: string;
  readonly family: YosysFamily;
  /** Files the script writes: `stat -json`, and the `ltp` report of the deepest path. */
  readonly stat: string;
  readonly ltp: string;
}

/** The Yosys family of a Xilinx part (accel/resource-model.ts familyOfPart). */
export const yosysFamilyOf = familyOfPart;

/** The script's numbers for an engine with `sizes` on `family`, writing `outputs`. */
export function yosysScriptView(
  sizes: RtlSizes,
  family: YosysFamily,
  outputs: { readonly stat: string; readonly ltp: string },
): YosysScriptView {
  return {
    includeDir: SYNTH_SOURCE_DIR,
    sources: ENGINE_SOURCES.map((f) => `${SYNTH_SOURCE_DIR}/${f}`),
    params: RTL_SIZE_NAMES.map((name) => ({ name, value: sizes[name] })),
    top: SYNTH_TOP,
    family,
    ...outputs,
  };
}

/** The engine's sources and includes as the scripts name them (`src/<file>`), with their names in hw/rtl/. */
export function synthSourceFiles(): readonly { readonly path: string; readonly name: string }[] {
  return [...ENGINE_SOURCES, ...ENGINE_INCLUDES].map((name) => ({ path: `${SYNTH_SOURCE_DIR}/${name}`, name }));
}

const template = templateLoader(join(PACKAGE_ROOT, 'templates', 'rtl'), ['synth-script']);

/** The Yosys script's commands (what `trips-hw synth` runs and hashes). */
export function yosysScript(view: YosysScriptView): string {
  return template('synth-script')(view);
}

/** Per chunk OUT/rtl/<chunk>_synth.ys (when the part has a Yosys family) and OUT/rtl/<chunk>_synth.tcl. */
export function renderSynthFiles(program: ProgramSpec, options: { readonly part: string; readonly toolVersion: string }): GeneratedFile[] {
  const banner = generatedBanner(options.toolVersion, program.designHash);
  const family = yosysFamilyOf(options.part);
  // the part comes from a board file: a label in comments, an escaped word in Tcl
  const part = escapeMakeComment(plainText(options.part, 64));
  const tclPart = escapeTclWord(plainText(options.part, 64));
  const periodNs = String(Math.round((1000 / program.clockMhz) * 1000) / 1000);
  return program.chunks.flatMap((chunk) => {
    const { ident, sizes } = lowerChunk(program, chunk);
    const id = escapeMakeComment(plainText(chunk.id, 64));
    const files: GeneratedFile[] = [];
    if (family) {
      const script = yosysScriptView(sizes, family, { stat: `${ident}_stat.json`, ltp: `${ident}_ltp.txt` });
      files.push({
        path: `rtl/${ident}_synth.ys`,
        content: template('synth.ys')({ banner, id, ident, part, familyName: FAMILY_NAMES[family], script }),
      });
    }
    const sources = ENGINE_SOURCES.map((f) => `${SYNTH_SOURCE_DIR}/${f}`);
    files.push({
      path: `rtl/${ident}_synth.tcl`,
      content: template('synth.tcl')({ banner, id, ident, part, tclPart, periodNs, clockMhz: program.clockMhz, sources }),
    });
    return files;
  });
}
