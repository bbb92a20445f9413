/**
 * Imports point one way (docs/architecture.md "Stages"): every import under src/ is read and
 * resolved, and a stage may import only itself and the stages below it —
 *   core → {data, accel} → nn → {search, quant} → backend → sim → synth → calibrate → report → pipeline → {cli, bench}
 * Stages on one level (data and accel, search and quant, cli and bench) do not import each other.
 * And every module under src/ opens with a `/**` block comment: its stage, what goes in and
 * comes out, what stays true.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../../src/core/paths.js';

const SRC = join(PACKAGE_ROOT, 'src');

/** The level of every stage: a stage imports only stages of a lower level (and itself). */
const LEVEL: Record<string, number> = {
  core: 0,
  data: 1,
  accel: 1,
  nn: 2,
  search: 3,
  quant: 3,
  backend: 4,
  sim: 5,
  synth: 6,
  calibrate: 7,
  report: 8,
  pipeline: 9,
  cli: 10,
  bench: 10,
};

function sourcesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourcesUnder(path);
    return /\.ts$/.test(name) && !/\.d\.ts$/.test(name) ? [path] : [];
  });
}

/** `src/backend/hls/lower.ts` → `backend`; `src/pipeline.ts` → `pipeline`. */
function stageOf(file: string): string {
  const rel = relative(SRC, file).split('/');
  return rel.length === 1 ? rel[0].replace(/\.(ts|js)$/, '') : rel[0];
}

/** Relative specifiers of static imports and re-exports, and of dynamic `import('…')`. */
function importsOf(source: string): string[] {
  const found: string[] = [];
  for (const m of source.matchAll(/^\s*(?:import|export)\b[^'";]*?\bfrom\s+'(\.[^']+)'/gm)) found.push(m[1]);
  for (const m of source.matchAll(/^\s*import\s+'(\.[^']+)'/gm)) found.push(m[1]);
  for (const m of source.matchAll(/\bimport\(\s*'(\.[^']+)'\s*\)/g)) found.push(m[1]);
  return found;
}

/** Every import that goes up or sideways: `from → to (file: specifier)`. */
function violations(): string[] {
  const bad: string[] = [];
  for (const file of sourcesUnder(SRC)) {
    const from = stageOf(file);
    // AssemblyScript sources of the WebAssembly kernels are compiled apart
    if (relative(SRC, file).startsWith('nn/kernels/assembly/')) continue;
    for (const spec of importsOf(readFileSync(file, 'utf8'))) {
      const target = resolve(dirname(file), spec);
      if (!target.startsWith(`${SRC}/`)) {
        bad.push(`${relative(SRC, file)} imports ${spec}, outside src/`);
        continue;
      }
      const to = stageOf(target);
      if (to === from) continue;
      if (!(from in LEVEL) || !(to in LEVEL)) bad.push(`${relative(SRC, file)}: stage ${from in LEVEL ? to : from} has no level`);
      else if (LEVEL[to] >= LEVEL[from]) bad.push(`${from} → ${to} (${relative(SRC, file)}: '${spec}')`);
    }
  }
  return bad;
}

describe('the import order of src/', () => {
  it('finds the imports it checks', () => {
    const all = sourcesUnder(SRC).flatMap((f) => importsOf(readFileSync(f, 'utf8')));
    expect(all.length).toBeGreaterThan(300);
    expect(importsOf("import { a } from '../core/files.js';\nexport { b } from './x.js';\nconst m = await import('../nn/tf.js');")).toEqual(
      ['../core/files.js', './x.js', '../nn/tf.js'],
    );
  });

  it('every stage folder has a level', () => {
    const stages = new Set(sourcesUnder(SRC).map(stageOf));
    expect([...stages].filter((s) => !(s in LEVEL))).toEqual([]);
  });

  it('no import goes up or sideways', () => {
    expect(violations()).toEqual([]);
  });
});

/** Files under src/ whose first line does not open a `/**` block comment (the module header). */
function withoutHeader(): string[] {
  return sourcesUnder(SRC)
    .filter((file) => !readFileSync(file, 'utf8').startsWith('/**'))
    .map((file) => relative(SRC, file));
}

describe('the module headers of src/', () => {
  it('every module opens with a /** block comment', () => {
    expect(sourcesUnder(SRC).length).toBeGreaterThan(100);
    expect(withoutHeader()).toEqual([]);
  });
});
