/**
 * renderHls — HLS template data → the project's files. Handlebars in strict mode (a missing
 * value is an error, not an empty string) without HTML escaping; the templates only substitute
 * and loop over what `lowerProgramToHls` computed.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../../core/paths.js';
import { templateLoader } from '../templates.js';
import type { GeneratedFile } from '../types.js';
import type { HlsProject } from './lower.js';

const TEMPLATE_DIR = join(PACKAGE_ROOT, 'templates', 'hls');
const template = templateLoader(join(TEMPLATE_DIR, 'project'), ['loop-os', 'loop-ws', 'call-mac', 'call-add', 'call-pool']);

/** A static header of templates/hls, behind the project's generated-file line. */
function staticFile(name: string, banner: string): string {
  return `// ${banner} (copied from templates/hls/${name})\n${readFileSync(join(TEMPLATE_DIR, name), 'utf8')}`;
}

/** Render every file of the HLS project; paths are relative to the output folder. */
export function renderHls(project: HlsProject): GeneratedFile[] {
  return project.files.map((file) => {
    if (file.template.startsWith('static:'))
      return { path: file.path, content: staticFile(file.template.slice('static:'.length), project.banner) };
    const context = file.chunk === undefined ? project : { ...project, chunk: project.chunks[file.chunk] };
    return { path: file.path, content: template(file.template)(context) };
  });
}
