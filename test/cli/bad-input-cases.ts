/**
 * The bad-input corpus of issue 13 ("Fence every input"), as a table: every case builds one
 * hostile input in its own fresh folder — mostly a mutation of a fixture or of an artifact the
 * tool wrote itself in `prepareFixtures` — and says what the one-line message must name and
 * which paths must be left as they were. `bad-input.test.ts` runs them; `checkRun` is the
 * contract every case is held to:
 *   exit 2; stderr exactly one non-empty line starting with `trips-hw: `; no stack trace or raw
 *   Node/JS error text; the message names the offending file (or the --out path, or the flag),
 *   the JSON pointer or the line where one makes sense; every guarded path absent if it was
 *   absent, byte-for-byte unchanged if it existed.
 * Everything is seeded and independent of the date.
 */
import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdirSync, readFileSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type BadCase,
  type CaseClass,
  chainDesignWith,
  CIFAR22,
  copyDir,
  deleteAt,
  type Expectation,
  type Fixtures,
  flowArgs,
  garbageBytes,
  type Json,
  LIMIT,
  longNetwork,
  mutateJson,
  searchArgs,
  setAt,
  squareNetwork,
  TINY_CHAIN,
  TINY_MBCONV,
  TINY_MIXED,
  TINY_QAT,
  trainArgs,
  truncateToHalf,
  writeJson,
  writeText,
  ZC706,
} from './bad-input-harness.js';

const absent = (d: string, name: string) => join(d, 'absent', name);
/** A folder where a file is expected (with one file in it, so "unchanged" means something). */
function folder(d: string, name: string): string {
  const p = join(d, name);
  mkdirSync(p, { recursive: true });
  writeFileSync(join(p, 'keep.txt'), 'keep\n');
  return p;
}
const emptyFile = (d: string, name: string) => writeText(join(d, name), '');
const truncatedJson = (d: string, name: string, src: string) => writeText(join(d, name), readFileSync(src, 'utf8').slice(0, 120));
const regularFile = (d: string, name: string) => writeText(join(d, name), 'a regular file, not a folder\n');

const explore = (net: string, out: string, extra: string[] = []) => [
  'explore',
  '--network',
  net,
  '--board',
  'zc706',
  '--samples',
  '50',
  '--out',
  out,
  ...extra,
];
const exploreG = (genotype: string, out: string) => [
  'explore',
  '--genotype',
  genotype,
  '--board',
  'zc706',
  '--samples',
  '50',
  '--out',
  out,
];
const generate = (fx: Fixtures, design: string, out: string, extra: string[] = []) => [
  'generate',
  '--design',
  design,
  '--weights',
  fx.weights,
  '--out',
  out,
  ...extra,
];
const calibrateCsv = (csv: string, out: string) => ['calibrate', '--board-csv', csv, '--design', TINY_CHAIN, '--out', out];
const simArgs = (fx: Fixtures, project: string, extra: string[] = []) => ['sim', '--project', project, '--cache', fx.simCache, ...extra];

const FLOW_WITHIN = 15_000;
const FLOW_DEADLINE = 25_000;

/** A case whose input file is `file` (built by `make`), given to a command built by `args`. */
function inputCase(
  id: string,
  cls: CaseClass,
  title: string,
  make: (d: string, fx: Fixtures) => string,
  args: (file: string, d: string, fx: Fixtures) => { args: string[]; out?: string; guards?: string[] },
  more: Partial<Omit<Expectation, 'args' | 'guards'>> & {
    heavy?: boolean;
    deadlineMs?: number;
    nameOf?: (file: string, d: string, fx: Fixtures) => ReadonlyArray<string | readonly string[]>;
  } = {},
): BadCase {
  const { heavy, deadlineMs, nameOf, ...expect } = more;
  return {
    id,
    cls,
    title,
    heavy,
    deadlineMs,
    build: (d, fx) => {
      const file = make(d, fx);
      const a = args(file, d, fx);
      return {
        ...expect,
        args: a.args,
        names: nameOf ? nameOf(file, d, fx) : (expect.names ?? [file]),
        guards: [...(a.out ? [a.out] : []), ...(a.guards ?? [])],
      };
    },
  };
}

const withOut =
  (build: (file: string, out: string, d: string, fx: Fixtures) => string[], outName = 'out') =>
  (file: string, d: string, fx: Fixtures) => {
    const out = join(d, outName);
    return { args: build(file, out, d, fx), out };
  };
const noOut = (build: (file: string, d: string, fx: Fixtures) => string[]) => (file: string, d: string, fx: Fixtures) => ({
  args: build(file, d, fx),
});

// --- 1. input files: missing, a folder, empty, malformed, wrong shape, wrong version ----------

const designCases: BadCase[] = [
  inputCase(
    'design-missing',
    'file',
    'estimate --design: no such file',
    (d) => absent(d, 'nope.design.json'),
    noOut((f) => ['estimate', '--design', f]),
  ),
  inputCase(
    'design-dir',
    'file',
    'estimate --design: a folder',
    (d) => folder(d, 'x.design.json'),
    noOut((f) => ['estimate', '--design', f]),
  ),
  inputCase(
    'design-empty',
    'file',
    'generate --design: an empty file',
    (d) => emptyFile(d, 'empty.design.json'),
    withOut((f, o, _d, fx) => generate(fx, f, o)),
  ),
  inputCase(
    'design-malformed',
    'file',
    'train --design: truncated JSON',
    (d, fx) => truncatedJson(d, 'cut.design.json', fx.qatDesign),
    withOut((f, o) => trainArgs(f, o)),
  ),
  inputCase(
    'design-array',
    'file',
    'calibrate --design: a JSON array, not a design',
    (d) => writeJson(join(d, 'array.design.json'), []),
    withOut((f, o, _d, fx) => ['calibrate', '--board-csv', fx.boardCsv, '--design', f, '--out', o], 'cal.json'),
  ),
  inputCase(
    'design-wrong-type',
    'file',
    'estimate --design: /network/layers/0/inC is a string',
    (d) => mutateJson(TINY_CHAIN, join(d, 'type.design.json'), (j) => setAt(j, '/network/layers/0/inC', '2')),
    noOut((f) => ['estimate', '--design', f]),
    { pointer: '/network/layers/0/inC' },
  ),
  inputCase(
    'design-unknown-prop',
    'file',
    'generate --design: an unknown top-level property',
    (d, fx) => mutateJson(fx.qatDesign, join(d, 'extra.design.json'), (j) => setAt(j, '/bogusField', 1)),
    withOut((f, o, _d, fx) => generate(fx, f, o)),
    { nameOf: (f) => [f, 'bogusField'] },
  ),
  inputCase(
    'design-missing-required',
    'file',
    'train --design: no accelerator',
    (d, fx) => mutateJson(fx.qatDesign, join(d, 'noacc.design.json'), (j) => deleteAt(j, '/accelerator')),
    withOut((f, o) => trainArgs(f, o)),
    { nameOf: (f) => [f, 'accelerator'] },
  ),
  inputCase(
    'design-version',
    'file',
    'estimate --design: version 2',
    (d) => mutateJson(TINY_CHAIN, join(d, 'v2.design.json'), (j) => setAt(j, '/version', 2)),
    noOut((f) => ['estimate', '--design', f]),
    { pointer: '/version' },
  ),
  inputCase(
    'design-layer-shape',
    'file',
    "generate --design: a layer's inC disagrees with its producer",
    (d, fx) =>
      mutateJson(fx.qatDesign, join(d, 'shape.design.json'), (j) => setAt(j, '/network/layers/1/inC', j.network.layers[1].inC + 1)),
    withOut((f, o, _d, fx) => generate(fx, f, o)),
    { pointer: '/network/layers/1/inC' },
  ),
  inputCase(
    'design-chunk-unknown-layer',
    'file',
    'estimate --design: a chunk names a layer the network lacks',
    (d) => mutateJson(TINY_CHAIN, join(d, 'chunk.design.json'), (j) => setAt(j, '/accelerator/chunks/0/layers/0', 'ghost')),
    noOut((f) => ['estimate', '--design', f]),
    { pointer: '/accelerator/chunks/0/layers/0' },
  ),
  inputCase(
    'design-binary',
    'file',
    'estimate --design: binary garbage',
    (d) => writeText(join(d, 'binary.design.json'), garbageBytes(512)),
    noOut((f) => ['estimate', '--design', f]),
  ),
  // not regular files: a reader that does not check would block on the pipe or read /dev/zero without end
  inputCase(
    'design-fifo',
    'file',
    'estimate --design: a named pipe nobody writes to',
    (d) => fifo(join(d, 'pipe.design.json')),
    noOut((f) => ['estimate', '--design', f]),
    { deadlineMs: 20_000 },
  ),
  inputCase(
    'design-dev-zero',
    'file',
    'generate --design: /dev/zero',
    () => '/dev/zero',
    withOut((f, o, _d, fx) => generate(fx, f, o)),
    { deadlineMs: 20_000 },
  ),
];

function fifo(path: string): string {
  execFileSync('mkfifo', [path]);
  return path;
}

const networkCases: BadCase[] = [
  inputCase(
    'network-missing',
    'file',
    'explore --network: no such file',
    (d) => absent(d, 'nope.network.json'),
    withOut((f, o) => explore(f, o), 'design.json'),
  ),
  inputCase(
    'network-malformed',
    'file',
    'explore --network: truncated JSON',
    (d) => truncatedJson(d, 'cut.network.json', TINY_MBCONV),
    withOut((f, o) => explore(f, o), 'design.json'),
  ),
  inputCase(
    'network-wrong-type',
    'file',
    'explore --network: /layers/0/inC is a string',
    (d) => mutateJson(TINY_MBCONV, join(d, 'type.network.json'), (j) => setAt(j, '/layers/0/inC', '1')),
    withOut((f, o) => explore(f, o), 'design.json'),
    { pointer: '/layers/0/inC' },
  ),
  inputCase(
    'network-unknown-prop',
    'file',
    'explore --network: an unknown property in a layer',
    (d) => mutateJson(TINY_MBCONV, join(d, 'extra.network.json'), (j) => setAt(j, '/layers/2/bogusField', true)),
    withOut((f, o) => explore(f, o), 'design.json'),
    { pointer: '/layers/2', nameOf: (f) => [f, 'bogusField'] },
  ),
  inputCase(
    'network-version',
    'file',
    'explore --network: version 2',
    (d) => mutateJson(TINY_MBCONV, join(d, 'v2.network.json'), (j) => setAt(j, '/version', 2)),
    withOut((f, o) => explore(f, o), 'design.json'),
    { pointer: '/version' },
  ),
  inputCase(
    'network-shape-mismatch',
    'file',
    "explore --network: a layer's inC disagrees with its producer",
    (d) => mutateJson(TINY_MBCONV, join(d, 'shape.network.json'), (j) => setAt(j, '/layers/1/inC', 17)),
    withOut((f, o) => explore(f, o), 'design.json'),
    { pointer: '/layers/1/inC' },
  ),
  inputCase(
    'network-dangling-input',
    'file',
    'explore --network: a layer reads a layer that does not exist',
    (d) => mutateJson(TINY_MBCONV, join(d, 'dangling.network.json'), (j) => setAt(j, '/layers/1/inputs/0', 'ghost')),
    withOut((f, o) => explore(f, o), 'design.json'),
    { pointer: '/layers/1/inputs/0' },
  ),
  inputCase(
    'network-not-object',
    'file',
    'explore --network: a JSON string',
    (d) => writeJson(join(d, 'string.network.json'), 'a network'),
    withOut((f, o) => explore(f, o), 'design.json'),
  ),
];

const genotypeCases: BadCase[] = [
  inputCase(
    'genotype-missing',
    'file',
    'explore --genotype: no such file',
    (d) => absent(d, 'nope.genotype.json'),
    withOut((f, o) => exploreG(f, o), 'design.json'),
  ),
  inputCase(
    'genotype-malformed',
    'file',
    'explore --genotype: truncated JSON',
    (d) => truncatedJson(d, 'cut.genotype.json', CIFAR22),
    withOut((f, o) => exploreG(f, o), 'design.json'),
  ),
  inputCase(
    'genotype-bits-type',
    'file',
    'explore --genotype: /cells/0/bits is a string',
    (d) => mutateJson(CIFAR22, join(d, 'type.genotype.json'), (j) => setAt(j, '/cells/0/bits', '8')),
    withOut((f, o) => exploreG(f, o), 'design.json'),
    { pointer: '/cells/0/bits' },
  ),
  inputCase(
    'genotype-unknown-space',
    'file',
    'explore --genotype: names a space that does not exist',
    (d) => mutateJson(CIFAR22, join(d, 'space.genotype.json'), (j) => setAt(j, '/space', 'nospace')),
    withOut((f, o) => exploreG(f, o), 'design.json'),
    { pointer: '/space' },
  ),
  inputCase(
    'genotype-cell-count',
    'file',
    'explore --genotype: one cell short of its space',
    (d) => mutateJson(CIFAR22, join(d, 'short.genotype.json'), (j) => void j.cells.pop()),
    withOut((f, o) => exploreG(f, o), 'design.json'),
    { pointer: '/cells' },
  ),
  inputCase(
    'genotype-version',
    'file',
    'explore --genotype: version 2',
    (d) => mutateJson(CIFAR22, join(d, 'v2.genotype.json'), (j) => setAt(j, '/version', 2)),
    withOut((f, o) => exploreG(f, o), 'design.json'),
    { pointer: '/version' },
  ),
  {
    id: 'genotype-space-file-malformed',
    cls: 'file',
    title: 'explore --genotype: the search-space file it names is malformed',
    build: (d) => {
      const space = writeText(join(d, 'broken.space.json'), '{"version": 1, "name": "broken", ');
      const g = writeJson(join(d, 'uses-file.genotype.json'), {
        version: 1,
        space: 'broken.space.json',
        cells: [{ op: 'k3_e1', bits: 8 }],
      });
      const out = join(d, 'design.json');
      return { args: exploreG(g, out), names: [space], guards: [out] };
    },
  },
];

const boardCases: BadCase[] = [
  inputCase(
    'board-missing',
    'file',
    'explore --board: a board file that does not exist',
    (d) => absent(d, 'nope.board.json'),
    withOut((f, o) => ['explore', '--network', TINY_MBCONV, '--board', f, '--samples', '50', '--out', o], 'design.json'),
  ),
  inputCase(
    'board-dir',
    'file',
    'explore --board: a folder',
    (d) => folder(d, 'x.board.json'),
    withOut((f, o) => ['explore', '--network', TINY_MBCONV, '--board', f, '--samples', '50', '--out', o], 'design.json'),
  ),
  inputCase(
    'board-malformed',
    'file',
    'search --board: truncated JSON',
    (d) => truncatedJson(d, 'cut.board.json', ZC706),
    withOut((f, o) => [...searchArgs(o), '--board', f]),
    { deadlineMs: 60_000 },
  ),
  inputCase(
    'board-wrong-type',
    'file',
    'explore --board: /resources/dsp is a string',
    (d) => mutateJson(ZC706, join(d, 'type.board.json'), (j) => setAt(j, '/resources/dsp', '900')),
    withOut((f, o) => ['explore', '--network', TINY_MBCONV, '--board', f, '--samples', '50', '--out', o], 'design.json'),
    { pointer: '/resources/dsp' },
  ),
  inputCase(
    'board-missing-field',
    'file',
    'explore --board: no clockMhz',
    (d) => mutateJson(ZC706, join(d, 'noclock.board.json'), (j) => deleteAt(j, '/clockMhz')),
    withOut((f, o) => ['explore', '--network', TINY_MBCONV, '--board', f, '--samples', '50', '--out', o], 'design.json'),
    { nameOf: (f) => [f, 'clockMhz'] },
  ),
  inputCase(
    'board-version-flow',
    'flow-early',
    'flow --board: version 2, refused before the search',
    (d) => mutateJson(ZC706, join(d, 'v2.board.json'), (j) => setAt(j, '/version', 2)),
    withOut((f, o) => [...flowArgs(o), '--board', f]),
    { pointer: '/version', withinMs: FLOW_WITHIN, deadlineMs: FLOW_DEADLINE },
  ),
];

const calibrationCases: BadCase[] = [
  inputCase(
    'calibration-missing',
    'file',
    'estimate --calibration: no such file',
    (d) => absent(d, 'nope.calibration.json'),
    noOut((f) => ['estimate', '--design', TINY_CHAIN, '--calibration', f]),
  ),
  inputCase(
    'calibration-dir',
    'file',
    'explore --calibration: a folder',
    (d) => folder(d, 'cal.json'),
    withOut((f, o) => explore(TINY_MBCONV, o, ['--calibration', f]), 'design.json'),
  ),
  inputCase(
    'calibration-malformed',
    'file',
    'generate --calibration: truncated JSON',
    (d, fx) => truncatedJson(d, 'cut.calibration.json', fx.calibration),
    withOut((f, o, _d, fx) => generate(fx, fx.qatDesign, o, ['--calibration', f])),
  ),
  inputCase(
    'calibration-shape',
    'file',
    'search --calibration: coefficients is an array',
    (d, fx) => mutateJson(fx.calibration, join(d, 'shape.calibration.json'), (j) => setAt(j, '/coefficients', [])),
    withOut((f, o) => [...searchArgs(o), '--calibration', f]),
    { pointer: '/coefficients', deadlineMs: 60_000 },
  ),
  inputCase(
    'calibration-version',
    'file',
    'estimate --calibration: version 2',
    (d, fx) => mutateJson(fx.calibration, join(d, 'v2.calibration.json'), (j) => setAt(j, '/version', 2)),
    noOut((f) => ['estimate', '--design', TINY_CHAIN, '--calibration', f]),
    { pointer: '/version' },
  ),
  inputCase(
    'calibration-coef-type',
    'file',
    'explore --calibration: a coefficient is a string',
    (d, fx) => mutateJson(fx.calibration, join(d, 'type.calibration.json'), (j) => setAt(j, '/coefficients/conv~1os/overlap', '1')),
    withOut((f, o) => explore(TINY_MBCONV, o, ['--calibration', f]), 'design.json'),
    { pointer: '/coefficients/conv~1os/overlap' },
  ),
];

const warmStartCases: BadCase[] = [
  inputCase(
    'warm-start-missing',
    'file',
    'explore --warm-start: no such file',
    (d) => absent(d, 'nope.design.json'),
    withOut((f, o) => explore(TINY_QAT, o, ['--warm-start', f]), 'design.json'),
  ),
  inputCase(
    'warm-start-no-logits',
    'file',
    'explore --warm-start: a design explored at random (no logits)',
    () => TINY_CHAIN,
    withOut((f, o) => explore(TINY_QAT, o, ['--warm-start', f]), 'design.json'),
    { pointer: '/explore/logits' },
  ),
  inputCase(
    'warm-start-malformed',
    'file',
    'explore --warm-start: truncated JSON',
    (d, fx) => truncatedJson(d, 'cut.design.json', fx.qatDesign),
    withOut((f, o) => explore(TINY_QAT, o, ['--warm-start', f]), 'design.json'),
  ),
  inputCase(
    'warm-start-logits-type',
    'file',
    'explore --warm-start: a logit vector is a string',
    (d, fx) =>
      mutateJson(fx.qatDesign, join(d, 'logits.design.json'), (j) =>
        setAt(j, `/explore/logits/${Object.keys(j.explore.logits)[0]}/parallel`, 'x'),
      ),
    withOut((f, o) => explore(TINY_QAT, o, ['--warm-start', f]), 'design.json'),
    { pointer: '/explore/logits' },
  ),
];

const spaceCases: BadCase[] = [
  inputCase(
    'space-missing',
    'file',
    'search --space: no such file',
    (d) => absent(d, 'nope.space.json'),
    withOut((f, o) => [...searchArgs(o), '--space', f]),
  ),
  inputCase(
    'space-dir',
    'file',
    'search --space: a folder',
    (d) => folder(d, 'x.space.json'),
    withOut((f, o) => [...searchArgs(o), '--space', f]),
  ),
  inputCase(
    'space-malformed',
    'file',
    'search --space: truncated JSON',
    (d, fx) => truncatedJson(d, 'cut.space.json', fx.spaceFile),
    withOut((f, o) => [...searchArgs(o), '--space', f]),
  ),
  inputCase(
    'space-wrong-type',
    'file',
    'search --space: /stages/0/channels is a string',
    (d, fx) => mutateJson(fx.spaceFile, join(d, 'type.space.json'), (j) => setAt(j, '/stages/0/channels', '8')),
    withOut((f, o) => [...searchArgs(o), '--space', f]),
    { pointer: '/stages/0/channels' },
  ),
  inputCase(
    'space-version',
    'file',
    'search --space: version 2',
    (d, fx) => mutateJson(fx.spaceFile, join(d, 'v2.space.json'), (j) => setAt(j, '/version', 2)),
    withOut((f, o) => [...searchArgs(o), '--space', f]),
    { pointer: '/version' },
  ),
];

/** report --run (a copy of the search run) --baselines F --out O: the run and O unchanged. */
const reportBaselines = (f: string, d: string, fx: Fixtures) => {
  const run = copyDir(fx.searchRun, join(d, 'run'));
  const out = join(d, 'report.html');
  return { args: ['report', '--run', run, '--baselines', f, '--out', out], out, guards: [run] };
};
const flowBaselines = withOut((f, o) => [...flowArgs(o), '--baselines', f]);

const baselineCases: BadCase[] = [
  inputCase(
    'report-baselines-missing',
    'file',
    'report --baselines: no such file',
    (d) => absent(d, 'nope.baselines.json'),
    reportBaselines,
  ),
  inputCase('report-baselines-dir', 'file', 'report --baselines: a folder', (d) => folder(d, 'baselines.json'), reportBaselines),
  inputCase(
    'report-baselines-malformed',
    'file',
    'report --baselines: truncated JSON',
    (d) => writeText(join(d, 'cut.baselines.json'), '[{"label": "a", "accuracy": 0.9,'),
    reportBaselines,
  ),
  inputCase(
    'report-baselines-object',
    'file',
    'report --baselines: an object, not an array',
    (d) => writeJson(join(d, 'object.baselines.json'), { label: 'a', accuracy: 0.9, fps: 100 }),
    reportBaselines,
  ),
  inputCase(
    'report-baselines-item',
    'file',
    'report --baselines: the second point has accuracy 2',
    (d) =>
      writeJson(join(d, 'item.baselines.json'), [
        { label: 'a', accuracy: 0.9, fps: 100 },
        { label: 'b', accuracy: 2, fps: 100 },
      ]),
    reportBaselines,
    { pointer: '/1' },
  ),
  inputCase(
    'flow-baselines-missing',
    'flow-early',
    'flow --baselines: no such file, refused before the search',
    (d) => absent(d, 'nope.baselines.json'),
    flowBaselines,
    { withinMs: FLOW_WITHIN, deadlineMs: FLOW_DEADLINE },
  ),
  inputCase(
    'flow-baselines-malformed',
    'flow-early',
    'flow --baselines: truncated JSON, refused before the search',
    (d) => writeText(join(d, 'cut.baselines.json'), '[{"label": '),
    flowBaselines,
    { withinMs: FLOW_WITHIN, deadlineMs: FLOW_DEADLINE },
  ),
  inputCase(
    'flow-baselines-item',
    'flow-early',
    'flow --baselines: accuracy is a string, refused before the search',
    (d) => writeJson(join(d, 'item.baselines.json'), [{ label: 'a', accuracy: 'high', fps: 100 }]),
    flowBaselines,
    { pointer: '/0', withinMs: FLOW_WITHIN, deadlineMs: FLOW_DEADLINE },
  ),
];

const recordsOut = withOut((f, o) => ['calibrate', '--records', f, '--out', o], 'cal.json');
const recordsCases: BadCase[] = [
  inputCase('records-missing', 'file', 'calibrate --records: no such file', (d) => absent(d, 'records.jsonl'), recordsOut),
  inputCase('records-dir', 'file', 'calibrate --records: a folder', (d) => folder(d, 'records.jsonl'), recordsOut),
  inputCase('records-empty', 'file', 'calibrate --records: an empty file', (d) => emptyFile(d, 'records.jsonl'), recordsOut),
  inputCase(
    'records-garbage-line',
    'file',
    'calibrate --records: line 3 is not JSON',
    (d) => writeText(join(d, 'records.jsonl'), '\n\n{not json\n'),
    recordsOut,
    { line: 3 },
  ),
  inputCase(
    'records-shape-line',
    'file',
    'calibrate --records: line 1 is JSON but not a sim record',
    (d) => writeText(join(d, 'records.jsonl'), '{"layer":"c1"}\n'),
    recordsOut,
    { line: 1 },
  ),
];

const synthRecordsOut = withOut((f, o) => ['calibrate', '--synth-records', f, '--out', o], 'cal.json');
const vivadoOut = withOut((f, o, _d, fx) => ['calibrate', '--vivado-util', f, '--project', fx.project, '--out', o], 'cal.json');
const synthRecordCases: BadCase[] = [
  inputCase('synth-records-missing', 'file', 'calibrate --synth-records: no such file', (d) => absent(d, 'synth.jsonl'), synthRecordsOut),
  inputCase(
    'synth-records-shape-line',
    'file',
    'calibrate --synth-records: line 2 is JSON but not a synth record',
    (d) => writeText(join(d, 'synth.jsonl'), '\n{"chunk":"c1","measured":{}}\n'),
    synthRecordsOut,
    { line: 2 },
  ),
  inputCase('vivado-util-missing', 'file', 'calibrate --vivado-util: no such file', (d) => absent(d, 'u.rpt'), vivadoOut),
  inputCase(
    'vivado-util-not-hierarchical',
    'file',
    'calibrate --vivado-util: a report without the hierarchy table',
    (d) => writeText(join(d, 'u.rpt'), 'Copyright 1986-2022 Xilinx, Inc.\n| Design : conv_top\n\n1. Slice Logic\n--------------\n'),
    vivadoOut,
  ),
  inputCase(
    'vivado-util-bad-count',
    'file',
    'calibrate --vivado-util: FFs "many" in a row',
    (d) =>
      writeText(
        join(d, 'u.rpt'),
        [
          '1. Utilization by Hierarchy',
          '+----------+--------+------------+------+--------------+',
          '| Instance | Module | Total LUTs |  FFs | DSP48 Blocks |',
          '+----------+--------+------------+------+--------------+',
          '| top      |  (top) |        100 | many |            1 |',
          '+----------+--------+------------+------+--------------+',
          '',
        ].join('\n'),
      ),
    vivadoOut,
    { line: 5 },
  ),
];

// --- 2. board CSVs ------------------------------------------------------------------------------

const csvOut = withOut((f, o) => calibrateCsv(f, o), 'cal.json');
const csvRows = (fx: Fixtures, rows: string[]) => `${rows.map((r) => r.replace(/H/g, fx.designHash)).join('\n')}\n`;
const csvCases: BadCase[] = [
  inputCase('csv-missing', 'file', 'calibrate --board-csv: no such file', (d) => absent(d, 'timings.csv'), csvOut),
  inputCase('csv-dir', 'file', 'calibrate --board-csv: a folder', (d) => folder(d, 'timings.csv'), csvOut),
  inputCase('csv-empty', 'csv', 'calibrate --board-csv: an empty file', (d) => emptyFile(d, 'timings.csv'), csvOut),
  inputCase(
    'csv-no-header',
    'csv',
    'calibrate --board-csv: rows without a header',
    (d, fx) => writeText(join(d, 'timings.csv'), csvRows(fx, ['H,c1,5000', 'H,c2,3000'])),
    csvOut,
    { line: 1 },
  ),
  inputCase(
    'csv-wrong-header',
    'csv',
    'calibrate --board-csv: header "hash,layer,cycles"',
    (d, fx) => writeText(join(d, 'timings.csv'), csvRows(fx, ['hash,layer,cycles', 'H,c1,5000'])),
    csvOut,
    { line: 1 },
  ),
  inputCase(
    'csv-non-numeric',
    'csv',
    'calibrate --board-csv: cycles "fast" on line 3',
    (d, fx) => writeText(join(d, 'timings.csv'), csvRows(fx, ['design,layer,cycles', 'H,c1,5000', 'H,c2,fast'])),
    csvOut,
    { line: 3 },
  ),
  inputCase(
    'csv-unknown-hash',
    'csv',
    'calibrate --board-csv: a design hash no --design has, line 2',
    (d, fx) => writeText(join(d, 'timings.csv'), csvRows(fx, ['design,layer,cycles', 'deadbeefdeadbeef,c1,5000', 'H,c2,3000'])),
    csvOut,
    { line: 2 },
  ),
  inputCase(
    'csv-negative',
    'csv',
    'calibrate --board-csv: negative cycles on line 4',
    (d, fx) => writeText(join(d, 'timings.csv'), csvRows(fx, ['design,layer,cycles', 'H,c1,5000', 'H,c2,3000', 'H,fc,-5'])),
    csvOut,
    { line: 4 },
  ),
  inputCase(
    'csv-unknown-layer',
    'csv',
    'calibrate --board-csv: a layer the design lacks, line 2',
    (d, fx) => writeText(join(d, 'timings.csv'), csvRows(fx, ['design,layer,cycles', 'H,ghost,5000'])),
    csvOut,
    { line: 2 },
  ),
];

const hlsOut = withOut((f, o) => ['calibrate', '--hls-report', f, '--design', TINY_CHAIN, '--out', o], 'cal.json');
const hlsCases: BadCase[] = [
  inputCase('hls-missing', 'file', 'calibrate --hls-report: no such file', (d) => absent(d, 'trips_top_cosim.rpt'), hlsOut),
  inputCase('hls-dir', 'file', 'calibrate --hls-report: a folder', (d) => folder(d, 'trips_top_cosim.rpt'), hlsOut),
  inputCase(
    'hls-garbage',
    'file',
    'calibrate --hls-report: not a report',
    (d) => writeText(join(d, 'trips_top_cosim.rpt'), garbageBytes(300, 7)),
    hlsOut,
  ),
];

// --- weights folders (generate --weights) -------------------------------------------------------

/** A copy of the trained weights folder, changed by `edit`. */
function weightsCopy(d: string, fx: Fixtures, edit: (dir: string) => void = () => {}): string {
  const w = copyDir(fx.weights, join(d, 'weights'));
  edit(w);
  return w;
}
const genWith = (design: (fx: Fixtures) => string) =>
  withOut((w, o, _d, fx) => ['generate', '--design', design(fx), '--weights', w, '--out', o]);
const genQat = genWith((fx) => fx.qatDesign);
const manifestOf = (w: string) => join(w, 'weights_manifest.json');
const shardOf = (w: string) => join(w, 'weights.bin');
const editManifest = (w: string, edit: (m: Json) => Json | void) => mutateJson(manifestOf(w), manifestOf(w), edit);

const weightsCases: BadCase[] = [
  inputCase('weights-missing-folder', 'weights', 'generate --weights: no such folder', (d) => absent(d, 'weights'), genQat),
  inputCase('weights-is-file', 'weights', 'generate --weights: a file, not a folder', (d) => regularFile(d, 'weights'), genQat),
  inputCase(
    'weights-no-manifest',
    'weights',
    'generate --weights: a folder without weights_manifest.json',
    (d) => folder(d, 'weights'),
    genQat,
  ),
  inputCase(
    'weights-manifest-malformed',
    'weights',
    'generate --weights: malformed weights_manifest.json',
    (d, fx) => weightsCopy(d, fx, (w) => writeText(manifestOf(w), '[{"paths": ["weights.bin"], ')),
    genQat,
    { nameOf: (w) => [manifestOf(w)] },
  ),
  inputCase(
    'weights-manifest-object',
    'weights',
    'generate --weights: weights_manifest.json is {}',
    (d, fx) => weightsCopy(d, fx, (w) => writeJson(manifestOf(w), {})),
    genQat,
    { nameOf: (w) => [manifestOf(w)] },
  ),
  inputCase(
    'weights-shard-escape-relative',
    'weights',
    'generate --weights: the shard path is ../../../etc/passwd',
    (d, fx) => weightsCopy(d, fx, (w) => editManifest(w, (m) => setAt(m, '/0/paths/0', '../../../etc/passwd'))),
    genQat,
    { nameOf: (w) => [manifestOf(w)], pointer: '/0/paths' },
  ),
  inputCase(
    'weights-shard-escape-absolute',
    'weights',
    'generate --weights: the shard path is /etc/passwd',
    (d, fx) => weightsCopy(d, fx, (w) => editManifest(w, (m) => setAt(m, '/0/paths/0', '/etc/passwd'))),
    genQat,
    { nameOf: (w) => [manifestOf(w)], pointer: '/0/paths' },
  ),
  inputCase(
    'weights-shard-link-escape',
    'weights',
    'generate --weights: weights.bin is a symbolic link to /etc/passwd',
    (d, fx) =>
      weightsCopy(d, fx, (w) => {
        unlinkSync(shardOf(w));
        symlinkTo('/etc/passwd', shardOf(w));
      }),
    genQat,
    { nameOf: (w) => [[manifestOf(w), shardOf(w)]] },
  ),
  inputCase(
    'weights-shard-short',
    'weights',
    'generate --weights: weights.bin cut to half its length',
    (d, fx) => weightsCopy(d, fx, (w) => truncateToHalf(shardOf(w))),
    genQat,
    { nameOf: (w) => [[shardOf(w), manifestOf(w)]] },
  ),
  inputCase(
    'weights-shard-long',
    'weights',
    'generate --weights: weights.bin with 64 bytes too many',
    (d, fx) => weightsCopy(d, fx, (w) => appendFileSync(shardOf(w), garbageBytes(64))),
    genQat,
    { nameOf: (w) => [[shardOf(w), manifestOf(w)]] },
  ),
  inputCase(
    'weights-shard-missing',
    'weights',
    'generate --weights: the shard the manifest names is gone',
    (d, fx) => weightsCopy(d, fx, (w) => unlinkSync(shardOf(w))),
    genQat,
    { nameOf: (w) => [shardOf(w)] },
  ),
  inputCase(
    'weights-manifest-shape-edit',
    'weights',
    "generate --weights: the manifest's first weight has another shape",
    (d, fx) => weightsCopy(d, fx, (w) => editManifest(w, (m) => setAt(m, '/0/weights/0/shape', [3, 3, 1, 4]))),
    genQat,
    { nameOf: (w) => [w] },
  ),
  inputCase(
    'weights-other-network',
    'weights',
    'generate --weights: weights trained for tiny-qat given to the tiny-mbconv design',
    (d, fx) => weightsCopy(d, fx),
    genWith((fx) => fx.mbconvDesign),
    { nameOf: (w) => [w] },
  ),
  inputCase(
    'weights-other-input',
    'weights',
    'generate --weights: weights trained for tiny-qat (28×28×1) given to tiny-mixed (8×8×3)',
    (d, fx) => weightsCopy(d, fx),
    genWith(() => TINY_MIXED),
    { nameOf: (w) => [w] },
  ),
  inputCase(
    'weights-supernet',
    'weights',
    "generate --weights: a search's supernet weights",
    (d, fx) => copyDir(join(fx.searchRun, 'weights'), join(d, 'supernet-weights')),
    genWith((fx) => join(fx.searchRun, 'design.json')),
    { nameOf: (w) => [w] },
  ),
];

function symlinkTo(target: string, path: string): void {
  symlinkSync(target, path);
}

// --- 3. --out problems: refused before any work, nothing written ------------------------------

/** --out is an existing regular file (a folder output), or a path under one. */
function outCases(
  cmd: string,
  args: (out: string, d: string, fx: Fixtures) => string[],
  more: { deadlineMs?: number; withinMs?: number } = {},
): BadCase[] {
  return [
    {
      id: `out-${cmd}-file`,
      cls: 'out',
      title: `${cmd} --out: an existing regular file where a folder is expected`,
      deadlineMs: more.deadlineMs,
      build: (d, fx) => {
        const out = regularFile(d, 'out');
        return { args: args(out, d, fx), names: [out], guards: [out], withinMs: more.withinMs };
      },
    },
    {
      id: `out-${cmd}-under-file`,
      cls: 'out',
      title: `${cmd} --out: somefile/sub (the parent is a file)`,
      deadlineMs: more.deadlineMs,
      build: (d, fx) => {
        const parent = regularFile(d, 'somefile');
        const out = join(parent, 'sub');
        return { args: args(out, d, fx), names: [out], guards: [parent, out], withinMs: more.withinMs };
      },
    },
  ];
}

/** --out is an existing folder (with a file in it) where a file is expected, or a path under a file. */
function outFileCases(cmd: string, args: (out: string, d: string, fx: Fixtures) => string[]): BadCase[] {
  return [
    {
      id: `out-${cmd}-dir`,
      cls: 'out',
      title: `${cmd} --out: an existing folder where a file is expected`,
      build: (d, fx) => {
        const out = folder(d, 'out.json');
        return { args: args(out, d, fx), names: [out], guards: [out] };
      },
    },
    {
      id: `out-${cmd}-under-file`,
      cls: 'out',
      title: `${cmd} --out: somefile/out.json (the parent is a file)`,
      build: (d, fx) => {
        const parent = regularFile(d, 'somefile');
        const out = join(parent, 'out.json');
        return { args: args(out, d, fx), names: [out], guards: [parent, out] };
      },
    },
  ];
}

const outputCases: BadCase[] = [
  ...outCases('generate', (o, _d, fx) => generate(fx, fx.qatDesign, o)),
  ...outCases('search', (o) => searchArgs(o), { deadlineMs: 60_000 }),
  ...outCases('train', (o, _d, fx) => trainArgs(fx.qatDesign, o), { deadlineMs: 60_000 }),
  ...outCases('flow', (o) => flowArgs(o), { deadlineMs: FLOW_DEADLINE, withinMs: FLOW_WITHIN }),
  ...outFileCases('explore', (o) => explore(TINY_MBCONV, o)),
  ...outFileCases('calibrate', (o, _d, fx) => calibrateCsv(fx.boardCsv, o)),
  ...outFileCases('report', (o, d, fx) => ['report', '--run', copyDir(fx.searchRun, join(d, 'run')), '--out', o]),
  {
    id: 'out-sim-cache-file',
    cls: 'out',
    title: 'sim --cache: a regular file where the build cache folder is expected',
    deadlineMs: 120_000,
    build: (d, fx) => {
      const project = copyDir(fx.project, join(d, 'hw'));
      const cache = regularFile(d, 'cache');
      return { args: ['sim', '--project', project, '--cache', cache], names: [cache], guards: [project, cache] };
    },
  },
];

// --- 4. project folders given to sim --project ---------------------------------------------------

/** A copy of the generated tiny-chain project with `edit` applied; sim must leave it as it is. */
function projectCase(
  id: string,
  title: string,
  edit: (p: string) => void,
  bad: (p: string) => ReadonlyArray<string | readonly string[]>,
  more: Partial<Pick<Expectation, 'pointer' | 'match' | 'line'>> = {},
  command: 'sim' | 'synth' = 'sim',
): BadCase {
  return {
    id,
    cls: 'project',
    title,
    deadlineMs: 120_000,
    build: (d, fx) => {
      const p = copyDir(fx.project, join(d, 'hw'));
      edit(p);
      // synth reads the project as sim does, and refuses it before any Yosys run
      const args = command === 'sim' ? simArgs(fx, p) : ['synth', '--project', p, '--cache', join(d, 'synth-cache')];
      return { ...more, args, names: bad(p), guards: [p] };
    },
  };
}
const program = (p: string) => join(p, 'program.json');
const golden = (p: string) => join(p, 'golden.json');
const manifest = (p: string) => join(p, 'manifest.json');

const projectCases: BadCase[] = [
  inputCase(
    'sim-missing',
    'project',
    'sim --project: no such folder',
    (d) => absent(d, 'hw'),
    (p, _d, fx) => ({ args: simArgs(fx, p), guards: [p] }),
  ),
  inputCase(
    'sim-is-file',
    'project',
    'sim --project: a file',
    (d) => regularFile(d, 'hw'),
    (p, _d, fx) => ({ args: simArgs(fx, p), guards: [p] }),
  ),
  inputCase(
    'sim-empty-folder',
    'project',
    'sim --project: a folder with no program.json',
    (d) => folder(d, 'hw'),
    (p, _d, fx) => ({ args: simArgs(fx, p), guards: [p] }),
  ),
  projectCase(
    'sim-program-object',
    'sim: program.json is {}',
    (p) => writeJson(program(p), {}),
    (p) => [program(p)],
  ),
  projectCase(
    'sim-program-array',
    'sim: program.json is []',
    (p) => writeJson(program(p), []),
    (p) => [program(p)],
  ),
  projectCase(
    'sim-program-design',
    'sim: program.json is a design file',
    (p) => writeText(program(p), readFileSync(TINY_CHAIN)),
    (p) => [program(p)],
  ),
  projectCase(
    'sim-program-malformed',
    'sim: program.json truncated',
    (p) => writeText(program(p), readFileSync(program(p), 'utf8').slice(0, 200)),
    (p) => [program(p)],
  ),
  projectCase(
    'sim-program-layer-shape',
    'sim: program.json with layers[0] = {}',
    (p) => mutateJson(program(p), program(p), (j) => setAt(j, '/layers/0', {})),
    (p) => [program(p)],
    { pointer: '/layers/0' },
  ),
  projectCase(
    'sim-golden-missing',
    'sim: golden.json deleted',
    (p) => unlinkSync(golden(p)),
    (p) => [golden(p)],
  ),
  projectCase(
    'sim-golden-malformed',
    'sim: golden.json truncated',
    (p) => writeText(golden(p), readFileSync(golden(p), 'utf8').slice(0, 200)),
    (p) => [golden(p)],
  ),
  projectCase(
    'sim-golden-shape',
    'sim: golden.json without its layers',
    (p) => mutateJson(golden(p), golden(p), (j) => deleteAt(j, '/layers')),
    (p) => [golden(p), 'layers'],
  ),
  projectCase(
    'sim-golden-version',
    'sim: golden.json version 2',
    (p) => mutateJson(golden(p), golden(p), (j) => setAt(j, '/version', 2)),
    (p) => [golden(p)],
    { pointer: '/version' },
  ),
  projectCase(
    'sim-manifest-malformed',
    'sim: manifest.json truncated',
    (p) => writeText(manifest(p), readFileSync(manifest(p), 'utf8').slice(0, 200)),
    (p) => [manifest(p)],
  ),
  projectCase(
    'sim-rtl-params-missing',
    "sim: the chunk's rtl/<chunk>_params.vh deleted",
    (p) => unlinkSync(join(p, 'rtl', 'conv_small_b8_params.vh')),
    (p) => [join(p, 'rtl', 'conv_small_b8_params.vh')],
  ),
  projectCase(
    'synth-program-object',
    'synth: program.json is {}',
    (p) => writeJson(program(p), {}),
    (p) => [program(p)],
    {},
    'synth',
  ),
  projectCase(
    'synth-manifest-malformed',
    'synth: manifest.json truncated',
    (p) => writeText(manifest(p), readFileSync(manifest(p), 'utf8').slice(0, 200)),
    (p) => [manifest(p)],
    {},
    'synth',
  ),
  projectCase(
    'synth-rtl-params-edited',
    "synth: the chunk's rtl/<chunk>_params.vh edited after generate",
    (p) => writeText(join(p, 'rtl', 'conv_small_b8_params.vh'), '// edited\n'),
    (p) => [join(p, 'rtl', 'conv_small_b8_params.vh')],
    {},
    'synth',
  ),
];

// --- 5. run folders given to report --run ---------------------------------------------------------

/** A copy of the search run with `edit` applied; report (default --out DIR/report.html) must leave it as it is. */
function runCase(
  id: string,
  title: string,
  edit: (run: string) => string,
  more: Partial<Pick<Expectation, 'pointer' | 'match' | 'line'>> = {},
): BadCase {
  return {
    id,
    cls: 'run',
    title,
    build: (d, fx) => {
      const run = copyDir(fx.searchRun, join(d, 'run'));
      const bad = edit(run);
      return { ...more, args: ['report', '--run', run], names: [bad], guards: [run] };
    },
  };
}
const firstSearchLine = (run: string) => readFileSync(join(run, 'search.jsonl'), 'utf8').split('\n')[0];

const runCases: BadCase[] = [
  inputCase(
    'run-missing',
    'run',
    'report --run: no such folder',
    (d) => absent(d, 'run'),
    (r) => ({ args: ['report', '--run', r], guards: [r] }),
  ),
  inputCase(
    'run-is-file',
    'run',
    'report --run: a file',
    (d) => regularFile(d, 'run'),
    (r) => ({ args: ['report', '--run', r], guards: [r] }),
  ),
  inputCase(
    'run-empty-folder',
    'run',
    'report --run: a folder with no design',
    (d) => folder(d, 'run'),
    (r) => ({ args: ['report', '--run', r], guards: [r] }),
  ),
  inputCase(
    'run-design-malformed',
    'run',
    'report --run: search/design.json truncated (flow layout)',
    (d, fx) => writeText(join(d, 'run', 'search', 'design.json'), readFileSync(join(fx.searchRun, 'design.json'), 'utf8').slice(0, 150)),
    (_f, d) => ({ args: ['report', '--run', join(d, 'run')], guards: [join(d, 'run')] }),
  ),
  runCase('run-design-shape', 'report --run: design.json is []', (r) => writeJson(join(r, 'design.json'), [])),
  runCase('run-flow-json-malformed', 'report --run: flow.json truncated', (r) =>
    writeText(join(r, 'flow.json'), '{"version": 1, "settings": {'),
  ),
  runCase(
    'run-records-garbage',
    'report --run: hw/sim/records.jsonl line 2 is not JSON',
    (r) => writeText(join(r, 'hw', 'sim', 'records.jsonl'), '\n{garbage\n'),
    { line: 2 },
  ),
  runCase(
    'run-records-shape',
    'report --run: hw/sim/records.jsonl line 1 is not a sim record',
    (r) => writeText(join(r, 'hw', 'sim', 'records.jsonl'), '{"layer":"c1"}\n'),
    { line: 1 },
  ),
  runCase(
    'run-search-jsonl-garbage',
    'report --run: search.jsonl line 2 is not JSON',
    (r) => writeText(join(r, 'search.jsonl'), `${firstSearchLine(r)}\n{garbage\n`),
    { line: 2 },
  ),
  runCase(
    'run-search-jsonl-shape',
    'report --run: search.jsonl line 1 has epoch "one"',
    (r) => writeText(join(r, 'search.jsonl'), '{"epoch":"one","phase":7}\n'),
    { line: 1 },
  ),
  runCase('run-train-json-malformed', 'report --run: train/train.json truncated', (r) =>
    writeText(join(r, 'train', 'train.json'), '{"accuracy": '),
  ),
  runCase('run-train-json-shape', 'report --run: train/train.json has accuracy "high"', (r) =>
    writeJson(join(r, 'train', 'train.json'), { accuracy: 'high', epochs: 'many' }),
  ),
  runCase('run-final-design-shape', 'report --run: final/design.json is {}', (r) => writeJson(join(r, 'final', 'design.json'), {})),
];

// --- 6. --resume with a corrupt checkpoint ---------------------------------------------------------

type RunKind = 'search' | 'train';
function resumeCase(
  kind: RunKind,
  id: string,
  title: string,
  edit: (ckpt: string) => void,
  bad: (ckpt: string) => ReadonlyArray<string | readonly string[]>,
  more: Partial<Pick<Expectation, 'pointer' | 'match'>> = {},
): BadCase {
  return {
    id,
    cls: 'resume',
    title,
    deadlineMs: 60_000,
    build: (d, fx) => {
      const run = copyDir(kind === 'search' ? fx.searchRun : fx.trainRun, join(d, 'run'));
      const ckpt = join(run, 'checkpoint');
      edit(ckpt);
      const args = kind === 'search' ? searchArgs(run) : trainArgs(fx.qatDesign, run);
      return { ...more, args: [...args, '--resume'], names: bad(ckpt), guards: [run] };
    },
  };
}
const state = (c: string) => join(c, 'state.json');

const resumeCases: BadCase[] = [
  resumeCase(
    'search',
    'resume-search-state-garbage',
    'search --resume: checkpoint/state.json is not JSON',
    (c) => writeText(state(c), '{"version": 1, "state": {"settings"'),
    (c) => [state(c)],
  ),
  resumeCase(
    'search',
    'resume-search-state-version',
    'search --resume: checkpoint/state.json version 2',
    (c) => mutateJson(state(c), state(c), (j) => setAt(j, '/version', 2)),
    (c) => [state(c)],
    { pointer: '/version' },
  ),
  resumeCase(
    'search',
    'resume-search-state-fields',
    'search --resume: checkpoint/state.json with adam = "x"',
    (c) => mutateJson(state(c), state(c), (j) => setAt(j, '/state/adam', 'x')),
    (c) => [state(c)],
    { pointer: '/state' },
  ),
  resumeCase(
    'search',
    'resume-search-shard-short',
    'search --resume: checkpoint/weights.bin cut to half',
    (c) => truncateToHalf(join(c, 'weights.bin')),
    (c) => [[join(c, 'weights.bin'), join(c, 'weights_manifest.json')]],
  ),
  resumeCase(
    'train',
    'resume-train-state-garbage',
    'train --resume: checkpoint/state.json is not JSON',
    (c) => writeText(state(c), 'garbage'),
    (c) => [state(c)],
  ),
  resumeCase(
    'train',
    'resume-train-state-array',
    'train --resume: checkpoint/state.json is []',
    (c) => writeJson(state(c), []),
    (c) => [state(c)],
  ),
  resumeCase(
    'train',
    'resume-train-state-epochs',
    'train --resume: checkpoint/state.json with epochs = "x"',
    (c) => mutateJson(state(c), state(c), (j) => setAt(j, '/state/epochs', 'x')),
    (c) => [state(c)],
    { pointer: '/state/epochs' },
  ),
  resumeCase(
    'train',
    'resume-train-manifest-missing',
    'train --resume: checkpoint/weights_manifest.json deleted',
    (c) => unlinkSync(join(c, 'weights_manifest.json')),
    (c) => [join(c, 'weights_manifest.json')],
  ),
  resumeCase(
    'train',
    'resume-train-shard-short',
    'train --resume: checkpoint/weights.bin cut to half',
    (c) => truncateToHalf(join(c, 'weights.bin')),
    (c) => [[join(c, 'weights.bin'), join(c, 'weights_manifest.json')]],
  ),
];

/** flow --out DIR where DIR/flow.json (the state of an earlier run) is corrupt. */
function flowStateCase(
  id: string,
  title: string,
  content: (settings: Json) => string,
  more: Partial<Pick<Expectation, 'pointer'>> = {},
): BadCase {
  return {
    id,
    cls: 'resume',
    title,
    deadlineMs: FLOW_DEADLINE,
    build: (d) => {
      const out = join(d, 'flow');
      const file = writeText(join(out, 'flow.json'), content({ preset: 'smoke', dataset: 'synthetic', board: 'ultra96v2', seed: 1 }));
      return { ...more, args: flowArgs(out), names: [file], guards: [out], withinMs: FLOW_WITHIN };
    },
  };
}

const flowStateCases: BadCase[] = [
  flowStateCase('flow-state-malformed', 'flow: OUT/flow.json truncated', () => '{"version": 1, "settings": '),
  flowStateCase('flow-state-version', 'flow: OUT/flow.json version 2', (settings) => JSON.stringify({ version: 2, settings, done: {} }), {
    pointer: '/version',
  }),
  flowStateCase(
    'flow-state-shape',
    'flow: OUT/flow.json whose finished search stage has no result',
    (settings) => JSON.stringify({ version: 1, settings, done: { search: { seconds: 'x' } } }),
    { pointer: '/done/search' },
  ),
];

// --- 8. absurd sizes that a naive schema lets through ----------------------------------------------

/** Where the limit check must point: a layer's or the input's field. */
const sizeCase = (id: string, title: string, net: () => Json, pointer: RegExp, field: RegExp, heavy = false): BadCase =>
  inputCase(
    id,
    'size',
    title,
    (d) => writeJson(join(d, `${id}.network.json`), net()),
    withOut((f, o) => explore(f, o), 'design.json'),
    { pointer, match: [field, LIMIT], heavy, deadlineMs: 60_000 },
  );
const designSizeCase = (
  id: string,
  title: string,
  net: () => Json,
  how: 'generate' | 'estimate',
  pointer: RegExp,
  field: RegExp,
  heavy = false,
): BadCase =>
  inputCase(
    id,
    'size',
    title,
    (d) => chainDesignWith(net(), join(d, `${id}.design.json`)),
    how === 'generate' ? withOut((f, o) => ['generate', '--design', f, '--out', o]) : noOut((f) => ['estimate', '--design', f]),
    { pointer, match: [field, LIMIT], heavy, deadlineMs: 60_000 },
  );

const sizeCases: BadCase[] = [
  sizeCase(
    'size-net-channels',
    'explore --network: a conv with 10^7 output channels',
    () => squareNetwork({ size: 2, cin: 1, cout: 10_000_000, kernel: 1, classes: 10 }),
    /\/layers\/[01]\/(outC|inC)/,
    /(outC|inC|channels)/,
  ),
  sizeCase(
    'size-net-map',
    'explore --network: a 100000×100000 input map',
    () => squareNetwork({ size: 100_000, cin: 1, cout: 4, kernel: 1, classes: 10 }),
    /\/(input\/(height|width)|layers\/0\/(inH|inW|outH|outW))/,
    /(height|width|inH|inW|outH|outW|map)/,
  ),
  sizeCase(
    'size-net-kernel',
    'explore --network: kernel 999 (pad 499) on an 8×8 map',
    () => squareNetwork({ size: 8, cin: 1, cout: 4, kernel: 999, classes: 10 }),
    /\/layers\/0\/(kernel|pad)/,
    /(kernel|pad)/,
  ),
  sizeCase(
    'size-net-words',
    'explore --network: a 4096×4096×256 tensor (2^32 words)',
    () => squareNetwork({ size: 4096, cin: 1, cout: 256, kernel: 1, classes: 10 }),
    /\/layers\/[01]/,
    /(words|elements|tensor|size|outC|outH|outW)/,
  ),
  sizeCase('size-net-layers', 'explore --network: 100000 layers', () => longNetwork(100_000), /\/layers/, /layers/, true),
  designSizeCase(
    'size-design-channels',
    'generate --design: c1 with 10^7 output channels',
    () => squareNetwork({ size: 2, cin: 2, cout: 10_000_000, kernel: 1 }),
    'generate',
    /\/network\/layers\/[01]\/(outC|inC)/,
    /(outC|inC|channels)/,
    true,
  ),
  designSizeCase(
    'size-design-map',
    'generate --design: a 100000×100000 input map',
    () => squareNetwork({ size: 100_000, cin: 2, cout: 4, kernel: 1 }),
    'generate',
    /\/network\/(input\/(height|width)|layers\/0\/(inH|inW|outH|outW))/,
    /(height|width|inH|inW|outH|outW|map)/,
    true,
  ),
  designSizeCase(
    'size-design-kernel',
    'estimate --design: kernel 999 (pad 499) on an 8×8 map',
    () => squareNetwork({ size: 8, cin: 2, cout: 4, kernel: 999 }),
    'estimate',
    /\/network\/layers\/0\/(kernel|pad)/,
    /(kernel|pad)/,
  ),
  designSizeCase(
    'size-design-words',
    'estimate --design: a 4096×4096×256 tensor (2^32 words)',
    () => squareNetwork({ size: 4096, cin: 2, cout: 256, kernel: 1 }),
    'estimate',
    /\/network\/layers\/[01]/,
    /(words|elements|tensor|size|outC|outH|outW)/,
  ),
  inputCase(
    'size-space-kernel',
    'size',
    'search --space: a stem kernel of 999',
    (d, fx) => mutateJson(fx.spaceFile, join(d, 'kernel.space.json'), (j) => setAt(j, '/stem/kernel', 999)),
    withOut((f, o) => [...searchArgs(o), '--space', f]),
    { pointer: '/stem/kernel', match: [/kernel/, LIMIT], heavy: true, deadlineMs: 30_000 },
  ),
];

// --- 9. bad flags next to good files (oclif's and the commands' own) -------------------------------

const flagCase = (
  id: string,
  title: string,
  flag: string,
  args: (d: string, fx: Fixtures) => { args: string[]; guards: string[] },
  deadlineMs?: number,
): BadCase => ({
  id,
  cls: 'flag',
  title,
  deadlineMs,
  build: (d, fx) => ({ ...args(d, fx), names: [flag] }),
});

const flagCases: BadCase[] = [
  flagCase('flag-generate-images-0', 'generate --images 0', '--images', (d, fx) => ({
    args: generate(fx, fx.qatDesign, join(d, 'out'), ['--images', '0']),
    guards: [join(d, 'out')],
  })),
  flagCase('flag-generate-images-65', 'generate --images 65 (max 64)', '--images', (d, fx) => ({
    args: generate(fx, fx.qatDesign, join(d, 'out'), ['--images', '65']),
    guards: [join(d, 'out')],
  })),
  flagCase('flag-explore-samples-0', 'explore --samples 0', '--samples', (d) => ({
    args: explore(TINY_MBCONV, join(d, 'design.json')).map((a) => (a === '50' ? '0' : a)),
    guards: [join(d, 'design.json')],
  })),
  flagCase('flag-calibrate-folds-1', 'calibrate --folds 1 (min 2)', '--folds', (d, fx) => ({
    args: [...calibrateCsv(fx.boardCsv, join(d, 'cal.json')), '--folds', '1'],
    guards: [join(d, 'cal.json')],
  })),
  flagCase(
    'flag-sim-layers-ghost',
    'sim --layers names a layer the project lacks',
    '--layers',
    (d, fx) => {
      const p = copyDir(fx.project, join(d, 'hw'));
      return { args: simArgs(fx, p, ['--layers', 'ghost']), guards: [p] };
    },
    120_000,
  ),
  flagCase(
    'flag-search-fps-window',
    'search --fps-window 9:3 with a good --space file',
    '--fps-window',
    (d, fx) => ({ args: [...searchArgs(join(d, 'out')), '--space', fx.spaceFile, '--fps-window', '9:3'], guards: [join(d, 'out')] }),
    60_000,
  ),
  flagCase('flag-explore-warm-start-random', 'explore --warm-start with --strategy random', '--warm-start', (d, fx) => ({
    args: [...explore(TINY_QAT, join(d, 'design.json')), '--warm-start', fx.qatDesign, '--strategy', 'random'],
    guards: [join(d, 'design.json')],
  })),
  flagCase(
    'flag-train-lr',
    'train --lr -1',
    '--lr',
    (d, fx) => ({ args: [...trainArgs(fx.qatDesign, join(d, 'out')), '--lr=-1'], guards: [join(d, 'out')] }),
    60_000,
  ),
];

/** More of a kind the other cases already have: left out by TRIPS_HW_BAD_INPUT=quick. */
const EXTENDED = new Set([
  'design-dir',
  'design-chunk-unknown-layer',
  'design-binary',
  'network-malformed',
  'network-dangling-input',
  'network-not-object',
  'genotype-malformed',
  'genotype-cell-count',
  'genotype-version',
  'board-malformed',
  'board-missing-field',
  'calibration-dir',
  'calibration-coef-type',
  'warm-start-malformed',
  'warm-start-logits-type',
  'space-dir',
  'space-version',
  'report-baselines-dir',
  'report-baselines-object',
  'csv-dir',
  'hls-garbage',
  'weights-no-manifest',
  'weights-manifest-object',
  'weights-shard-long',
  'weights-supernet',
  'sim-is-file',
  'sim-program-array',
  'sim-program-malformed',
  'sim-golden-malformed',
  'sim-golden-version',
  'run-is-file',
  'run-design-shape',
  'run-train-json-malformed',
  'resume-search-shard-short',
  'resume-train-state-array',
  'size-design-kernel',
  'size-design-words',
  'flag-generate-images-65',
  'flag-explore-warm-start-random',
  'flag-train-lr',
  // second of their kind for the same reader (every command start costs ~1 s of CPU: oclif loads every command without a manifest)
  'design-array',
  'design-dev-zero',
  'design-unknown-prop',
  'network-version',
  'board-dir',
  'calibration-version',
  'report-baselines-malformed',
  'flow-baselines-malformed',
  'csv-empty',
  'csv-unknown-layer',
  'csv-wrong-header',
  'weights-is-file',
  'weights-shard-missing',
  'weights-manifest-shape-edit',
  'weights-other-input',
  'out-search-under-file',
  'out-train-under-file',
  'out-sim-cache-file',
  'sim-program-design',
  'sim-golden-missing',
  'sim-program-object',
  'run-empty-folder',
  'run-search-jsonl-garbage',
  'run-final-design-shape',
  'resume-search-state-version',
  'resume-train-manifest-missing',
  'flow-state-malformed',
  'size-net-map',
  'size-net-channels',
  'flag-explore-samples-0',
]);

export const CASES: readonly BadCase[] = [
  ...designCases,
  ...networkCases,
  ...genotypeCases,
  ...boardCases,
  ...calibrationCases,
  ...warmStartCases,
  ...spaceCases,
  ...baselineCases,
  ...recordsCases,
  ...synthRecordCases,
  ...csvCases,
  ...hlsCases,
  ...weightsCases,
  ...outputCases,
  ...projectCases,
  ...runCases,
  ...resumeCases,
  ...flowStateCases,
  ...sizeCases,
  ...flagCases,
].map((c) => (EXTENDED.has(c.id) ? { ...c, extended: true } : c));

for (const id of EXTENDED) if (!CASES.some((c) => c.id === id)) throw new Error(`bad-input-cases: EXTENDED names no case "${id}"`);
