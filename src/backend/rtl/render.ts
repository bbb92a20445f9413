/**
 * renderRtl's second half: the numbers of `lowerProgramToRtl` → OUT/rtl/ files through the
 * Handlebars templates of templates/rtl/ (strict, no escaping; they only substitute and loop),
 * plus copies of the engine's sources (hw/rtl/) so the folder builds on its own.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../../core/paths.js';
import { escapeVerilogComment, escapeYamlScalar, plainText } from '../../core/text.js';
import { MAX_IDENTIFIER_LENGTH } from '../identifiers.js';
import { generatedBanner, templateLoader } from '../templates.js';
import type { GeneratedFile, ProgramSpec } from '../types.js';
import { DESCRIPTOR_FIELDS, HEADER_FIELDS, HEADER_WORDS, RTL_SIZE_NAMES, type RtlChunk, type RtlProgram } from './lower.js';

const TEMPLATE_DIR = join(PACKAGE_ROOT, 'templates', 'rtl');
const RTL_SOURCE_DIR = join(PACKAGE_ROOT, 'hw', 'rtl');
/** The engine's sources in compile order, and the files they include. */
export const ENGINE_SOURCES = ['trips_pkg.sv', 'trips_xfer.sv', 'trips_compute.sv', 'trips_outpath.sv', 'trips_chunk.sv'];
export const ENGINE_INCLUDES = ['trips_chunk_datapath.svh', 'trips_chunk_control.svh'];

const template = templateLoader(TEMPLATE_DIR);

const hex = (w: number) => (w >>> 0).toString(16).padStart(8, '0');

function chunkView(program: ProgramSpec, c: RtlChunk) {
  const chunk = program.chunks[c.index];
  return {
    // the chunk's and layers' names reach Verilog comments only as labels
    id: escapeVerilogComment(plainText(c.id, 64)),
    ident: c.ident,
    IDENT: c.ident.toUpperCase(),
    kind: chunk.kind,
    bits: chunk.bits,
    lanes: c.sizes.LANES,
    progAddrBits: Math.log2(c.sizes.PROG_WORDS),
    sizes: RTL_SIZE_NAMES.map((name) => ({ name, value: c.sizes[name] })),
    config: Object.entries(c.config).map(([name, value]) => ({ name: name.toUpperCase(), value })),
    header: c.program.slice(0, HEADER_WORDS).map((w, i) => ({ hex: hex(w), name: HEADER_FIELDS[i] ?? 'reserved' })),
    layers: c.layers.map((l) => ({
      index: l.index,
      name: escapeVerilogComment(plainText(l.name, 64)),
      op: program.layers[l.index].op,
      words: l.words.map((w, i) => ({ hex: hex(w), name: DESCRIPTOR_FIELDS[i] ?? 'reserved' })),
    })),
  };
}

/** A FuseSoC core name part (and the .core file's stem): lower case letters, digits, '_' and '-', capped. */
function coreName(name: string): string {
  const part = name
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '_')
    .replace(/^[_-]+|[_-]+$/g, '')
    .slice(0, MAX_IDENTIFIER_LENGTH);
  return `trips-hw:design:${part || 'design'}`;
}

export function renderRtlFiles(program: ProgramSpec, rtl: RtlProgram, options: { toolVersion: string }): GeneratedFile[] {
  const banner = generatedBanner(options.toolVersion, program.designHash);
  const chunks = rtl.chunks.map((c) => chunkView(program, c));
  const files: GeneratedFile[] = [];
  for (const chunk of chunks) {
    files.push({ path: `rtl/${chunk.ident}_params.vh`, content: template('params.vh')({ banner, chunk }) });
    files.push({ path: `rtl/${chunk.ident}_program.mem`, content: template('program.mem')({ banner, chunk }) });
    files.push({ path: `rtl/${chunk.ident}_top.sv`, content: template('top.sv')({ banner, chunk }) });
  }
  const project = {
    banner,
    chunks,
    sources: ENGINE_SOURCES,
    includes: ENGINE_INCLUDES,
    coreName: coreName(program.name),
    version: options.toolVersion,
    description: escapeYamlScalar(`trips-hw chunk engines of design ${plainText(program.name)}`),
  };
  files.push({ path: 'rtl/files.f', content: template('files.f')(project) });
  files.push({ path: `rtl/${coreName(program.name).split(':').pop() ?? 'design'}.core`, content: template('core')(project) });
  for (const name of [...ENGINE_SOURCES, ...ENGINE_INCLUDES]) {
    files.push({
      path: `rtl/src/${name}`,
      content: `// ${banner} (copied from hw/rtl/${name})\n${readFileSync(join(RTL_SOURCE_DIR, name), 'utf8')}`,
    });
  }
  return files;
}
