/**
 * renderRtl's second half: what `lowerProgramToRtl` computed → OUT/rtl/ files, through the
 * Handlebars templates of templates/rtl/ (strict, no escaping; they only substitute and loop),
 * plus copies of the engine's sources (hw/rtl/) so the folder builds on its own.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../../core/paths.js';
import { templateLoader } from '../templates.js';
import type { GeneratedFile } from '../types.js';
import type { RtlProgram } from './lower.js';

const TEMPLATE_DIR = join(PACKAGE_ROOT, 'templates', 'rtl');
const RTL_SOURCE_DIR = join(PACKAGE_ROOT, 'hw', 'rtl');

const template = templateLoader(TEMPLATE_DIR);

export function renderRtlFiles(rtl: RtlProgram): GeneratedFile[] {
  const { banner } = rtl;
  return rtl.files.map((file) => {
    if (file.template.startsWith('copy:')) {
      const name = file.template.slice('copy:'.length);
      return { path: file.path, content: `// ${banner} (copied from hw/rtl/${name})\n${readFileSync(join(RTL_SOURCE_DIR, name), 'utf8')}` };
    }
    const context = file.chunk === undefined ? rtl : { banner, chunk: rtl.views[file.chunk] };
    return { path: file.path, content: template(file.template)(context) };
  });
}
