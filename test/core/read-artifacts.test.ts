/**
 * Every JSON artifact trips-hw reads goes through its schema, and a file that is not what the
 * tool writes is a one-line `InputError` naming it (and the JSON pointer or line): the layer
 * program and golden vectors `sim` reads, the run folder `report` reads, the `flow` state and
 * the inputs `flow` checks before its first stage. Valid artifacts are made by the writers.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveBoard } from '../../src/accel/boards.js';
import type { GeneratedProject } from '../../src/backend/generate.js';
import { lowerChunk } from '../../src/backend/rtl/lower.js';
import { calibrateFromFiles } from '../../src/calibrate/from-files.js';
import { InputError } from '../../src/core/diagnostics.js';
import { validateArtifact } from '../../src/core/schema.js';
import { selectBackend } from '../../src/nn/backend.js';
import { runFlow } from '../../src/pipeline.js';
import { readBaselines, readRun } from '../../src/report/data.js';
import { PRESETS } from '../../src/search/presets.js';
import { loadProject } from '../../src/sim/project.js';
import { makeRecord, simulateProject } from '../../src/sim/index.js';
import { fixtureDesign, generateFor, writeProject } from '../backend/helpers.js';
import {
  CASE_KINDS,
  programOf as simProgramOf,
  randomDesign as simRandomDesign,
  randomNetwork as simRandomNetwork,
  writeProject as writeSimProject,
} from '../sim/helpers.js';
import { checkNetwork } from '../../src/core/network-check.js';
import { Rng } from '../../src/core/random.js';
import { inputErrorOf } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'trips-hw-read-artifacts-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const projects = new Map<string, GeneratedProject>();
beforeAll(async () => {
  await selectBackend('cpu');
  for (const name of ['tiny-chain', 'tiny-mixed']) projects.set(name, generateFor(fixtureDesign(name)));
});

/** The InputError the promise rejects with (anything else fails the test). */
async function rejectedInputError(work: Promise<unknown>): Promise<InputError> {
  try {
    await work;
  } catch (error) {
    if (error instanceof InputError) return error;
    throw error;
  }
  throw new Error('expected an InputError');
}

const json = (value: unknown) => `${JSON.stringify(value)}\n`;
const clone = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

describe('program.json and golden.json (sim)', () => {
  it('validate as generate writes them, with the manifest', () => {
    for (const [name, p] of projects) {
      expect(validateArtifact('program', p.program, `${name}/program.json`)).toBe(p.program);
      expect(validateArtifact('golden', p.golden, `${name}/golden.json`)).toBe(p.golden);
      expect(validateArtifact('manifest', p.manifest, `${name}/manifest.json`)).toBe(p.manifest);
      // what is on disk is what the generator wrote
      const file = (path: string) => p.files.find((f) => f.path === path)?.content as string;
      expect(validateArtifact('program', JSON.parse(file('program.json')), 'p')).toEqual(p.program);
    }
  });

  /** A written project of tiny-chain with `edit` applied to the files; the error loading it. */
  const broken = (name: string, edit: (files: Map<string, string>) => void): InputError => {
    const project = projects.get('tiny-chain') as GeneratedProject;
    const out = join(dir, 'projects', name);
    writeProject(out, project);
    const files = new Map<string, string>();
    edit(files);
    for (const [path, content] of files) {
      rmSync(join(out, path), { recursive: true, force: true });
      if (content === '<dir>') mkdirSync(join(out, path));
      else if (content !== '<none>') writeFileSync(join(out, path), content);
    }
    return inputErrorOf(() => loadProject(out));
  };
  const programOf = () => clone((projects.get('tiny-chain') as GeneratedProject).program);
  const goldenOf = () => clone((projects.get('tiny-chain') as GeneratedProject).golden);

  it('loadProject returns what generate wrote', () => {
    const out = join(dir, 'projects', 'good');
    writeProject(out, projects.get('tiny-mixed') as GeneratedProject);
    const { program, golden } = loadProject(out);
    expect(program).toEqual((projects.get('tiny-mixed') as GeneratedProject).program);
    expect(golden.images).toBe(2);
  });

  it('every random case of the co-simulation tests loads (shuffles, pools, adds, raw and coded fc)', async () => {
    const base = fixtureDesign('tiny-chain');
    const seen = new Set<string>();
    for (let i = 0; i < 36; i++) {
      const rng = new Rng(700 + i);
      const kind = CASE_KINDS[i % CASE_KINDS.length];
      const block = Math.floor(i / CASE_KINDS.length);
      const network = checkNetwork(simRandomNetwork(rng, kind, [4, 6, 8][block % 3]), `random case ${i}`);
      const design = simRandomDesign(base, network, rng, block % 2 === 0 ? 'mn' : 'mp', Math.floor(block / 2) % 2 === 0 ? 'os' : 'ws');
      const project = await simProgramOf(design, i + 1, 2);
      const { program } = project;
      const out = join(dir, 'projects', `random-${i}`);
      writeSimProject(out, project);
      expect(loadProject(out).program, `case ${i}`).toEqual(program);
      for (const l of program.layers) seen.add(`${l.op}${l.permOffset >= 0 ? '+perm' : ''}${l.rawOut ? '+raw' : ''}`);
    }
    for (const what of ['conv+perm', 'dwconv', 'add', 'pool', 'fc+raw', 'fc']) expect(seen.has(what), what).toBe(true);
  });

  it('a program that is a design, {} or [] or not JSON is bad input naming program.json', () => {
    const asDesign = broken('design', (f) => f.set('program.json', json(fixtureDesign('tiny-chain'))));
    expect(asDesign.file).toMatch(/design[/\\]program\.json$/);
    expect(asDesign.pointer).toBe('');
    // a design has a name but none of the program's other fields; designHash is the next one required
    expect(asDesign.message).toContain('missing required property "designHash"');
    const empty = broken('empty-object', (f) => f.set('program.json', '{}\n'));
    expect(empty.file).toMatch(/program\.json$/);
    expect(empty.message).toContain('missing required property "name"');
    const array = broken('array', (f) => f.set('program.json', '[]\n'));
    expect([array.pointer, array.file.endsWith('program.json')]).toEqual(['', true]);
    expect(array.message).toMatch(/object/);
    expect(broken('not-json', (f) => f.set('program.json', '{"name": ')).message).toMatch(/program\.json: \/: not valid JSON/);
    expect(broken('directory', (f) => f.set('program.json', '<dir>')).message).toMatch(
      /program\.json: \/: expected a JSON file, found a directory/,
    );
    expect(broken('missing', (f) => f.set('program.json', '<none>')).message).toMatch(/program\.json: \/: file not found/);
  });

  it('an absurd size is refused by the schema, naming the limit', () => {
    const e = broken('huge-arena', (f) => f.set('program.json', json({ ...programOf(), arenaWords: 2 ** 30 })));
    expect(e.pointer).toBe('/arenaWords');
    expect(e.message).toContain('268435456');
    const layers = programOf().layers.map((l, i) => (i === 0 ? { ...l, outC: 100000 } : l));
    expect(broken('huge-channels', (f) => f.set('program.json', json({ ...programOf(), layers }))).pointer).toBe('/layers/0/outC');
    const fractional = programOf().layers.map((l, i) => (i === 1 ? { ...l, inAddr: 1.5 } : l));
    expect(broken('fractional-address', (f) => f.set('program.json', json({ ...programOf(), layers: fractional }))).pointer).toBe(
      '/layers/1/inAddr',
    );
  });

  it('indices and addresses that point outside the program are refused after the schema', () => {
    const p = programOf();
    // tiny-chain: input 198 words at 0, then c1 (270 words) at 198
    const shifted = { ...p, tensors: p.tensors.map((t, i) => (i === 0 ? { ...t, address: 199 } : t)) };
    const e1 = broken('shifted-tensor', (f) => f.set('program.json', json(shifted)));
    expect([e1.pointer, e1.expectation]).toEqual([
      '/tensors/0/address',
      'expected 198 (tensors follow one another in the arena), found 199',
    ]);
    const arena = broken('short-arena', (f) => f.set('program.json', json({ ...p, arenaWords: p.arenaWords - 1 })));
    expect(arena.pointer).toBe('/arenaWords');
    const badChunk = { ...p, layers: p.layers.map((l, i) => (i === 0 ? { ...l, chunk: p.chunks.length } : l)) };
    expect(broken('chunk-index', (f) => f.set('program.json', json(badChunk))).pointer).toBe('/layers/0/chunk');
    const c1 = p.layers[0];
    const chunk = p.chunks[c1.chunk];
    const pastWeights = { ...p, layers: p.layers.map((l, i) => (i === 0 ? { ...l, weightOffset: chunk.weights.length } : l)) };
    expect(broken('weight-offset', (f) => f.set('program.json', json(pastWeights))).pointer).toBe('/layers/0/weightOffset');
    const pastArena = { ...p, layers: p.layers.map((l, i) => (i === 1 ? { ...l, inAddr: p.arenaWords - 1 } : l)) };
    expect(broken('in-addr', (f) => f.set('program.json', json(pastArena))).pointer).toBe('/layers/1/inAddr');
    // c1 of tiny-chain: a 5×5, stride-2 conv of the 2-channel input, one group
    const wider = { ...p, layers: p.layers.map((l, i) => (i === 0 ? { ...l, inPer: 3 } : l)) };
    const e2 = broken('in-per', (f) => f.set('program.json', json(wider)));
    expect([e2.pointer, e2.expectation]).toEqual(['/layers/0/inPer', "expected 2 (the conv's shape), found 3"]);
    const bigKernel = { ...p, layers: p.layers.map((l, i) => (i === 0 ? { ...l, kernel: 17 } : l)) };
    expect(broken('kernel', (f) => f.set('program.json', json(bigKernel))).expectation).toBe(
      "expected a conv kernel of at most 15 (trips-hw's limit), found 17",
    );
    const taller = { ...p, layers: p.layers.map((l, i) => (i === 0 ? { ...l, outH: l.outH + 1 } : l)) };
    expect(broken('out-h', (f) => f.set('program.json', json(taller))).pointer).toBe('/layers/0/outH');
    const fewerBias = { ...p, chunks: p.chunks.map((c, i) => (i === 0 ? { ...c, bias: c.bias.slice(1) } : c)) };
    expect(broken('bias', (f) => f.set('program.json', json(fewerBias))).pointer).toBe('/chunks/0/bias');
  });

  it('golden vectors of another design, or missing codes, are bad input naming golden.json', () => {
    const other = (projects.get('tiny-mixed') as GeneratedProject).golden;
    const e1 = broken('golden-other', (f) => f.set('golden.json', json(other)));
    expect(e1.file).toMatch(/golden\.json$/);
    expect(e1.pointer).toBe('/designHash');
    const g = goldenOf();
    const oneImage = { ...g, layers: { ...g.layers, c2: g.layers.c2.slice(0, 1) } };
    const e2 = broken('golden-image', (f) => f.set('golden.json', json(oneImage)));
    expect([e2.pointer, e2.expectation]).toEqual(['/layers/c2', 'expected 2 image(s) (/images), found 1']);
    const { c1: _c1, ...rest } = g.layers;
    expect(broken('golden-missing-layer', (f) => f.set('golden.json', json({ ...g, layers: rest }))).pointer).toBe('/layers/c1');
    const shortRow = { ...g, input: [g.input[0].slice(1), g.input[1]] };
    expect(broken('golden-short-row', (f) => f.set('golden.json', json(shortRow))).expectation).toBe('expected 198 words, found 197');
    expect(broken('golden-format', (f) => f.set('golden.json', json({ ...g, format: 'x' }))).pointer).toBe('/format');
    expect(broken('golden-not-json', (f) => f.set('golden.json', 'golden')).file).toMatch(/golden\.json$/);
  });

  it('a manifest that is not the program’s is bad input naming manifest.json', () => {
    const m = clone((projects.get('tiny-chain') as GeneratedProject).manifest);
    const e1 = broken('manifest-other', (f) => f.set('manifest.json', json({ ...m, designHash: 'f'.repeat(64) })));
    expect([e1.file.endsWith('manifest.json'), e1.pointer]).toEqual([true, '/designHash']);
    const e2 = broken('manifest-empty', (f) => f.set('manifest.json', '{}'));
    expect([e2.file.endsWith('manifest.json'), e2.pointer]).toEqual([true, '']);
  });

  it('a project folder that is a file or missing is bad input', () => {
    const file = join(dir, 'a-file');
    writeFileSync(file, 'x');
    expect(inputErrorOf(() => loadProject(file)).message).toMatch(
      /a-file: \/: expected a project folder written by `trips-hw generate`, found a file/,
    );
    expect(inputErrorOf(() => loadProject(join(dir, 'nowhere'))).message).toMatch(/nowhere: \/: folder not found/);
  });
});

describe('the files of a project against its manifest (sim)', () => {
  it('an edited or stale engine parameter file, program image or program is bad input naming it, before any build', async () => {
    const project = projects.get('tiny-chain') as GeneratedProject;
    const out = join(dir, 'projects', 'stale-params');
    const cacheDir = join(dir, 'cache');
    writeProject(out, project);
    const chunk = project.program.chunks[0];
    const params = join(out, 'rtl', `${chunk.ident}_params.vh`);
    const sizes = lowerChunk(project.program, chunk).sizes;
    const text = readFileSync(params, 'utf8');
    const name = `${chunk.ident.toUpperCase()}_IN_DEPTH`;
    expect(text).toContain(`${name} = ${sizes.IN_DEPTH};`);
    writeFileSync(params, text.replace(`${name} = ${sizes.IN_DEPTH};`, `${name} = ${sizes.IN_DEPTH * 1024};`));
    const e = await rejectedInputError(simulateProject(out, { cacheDir }));
    expect(e.file).toBe(params);
    expect(e.expectation).toMatch(
      /^expected the engine parameters \(Verilog header\) that generate wrote \(sha256 [0-9a-f]{16}… in manifest\.json\), found sha256 [0-9a-f]{16}…: the file is stale or was edited — regenerate the project$/,
    );
    writeFileSync(params, text);
    rmSync(join(out, 'rtl', `${chunk.ident}_program.mem`));
    const e2 = await rejectedInputError(simulateProject(out, { cacheDir }));
    expect([e2.file.endsWith('_program.mem'), e2.expectation]).toEqual([
      true,
      'file not found: run `trips-hw generate` for this project first',
    ]);
    writeProject(out, project);
    // a program.json that is still a valid program of the design, but not the one generate wrote
    const program = JSON.parse(readFileSync(join(out, 'program.json'), 'utf8'));
    program.layers[0].predictedCycles += 1;
    writeFileSync(join(out, 'program.json'), JSON.stringify(program));
    const e3 = await rejectedInputError(simulateProject(out, { cacheDir }));
    expect([e3.file, e3.expectation]).toEqual([join(out, 'program.json'), expect.stringContaining('stale or was edited')]);
    rmSync(join(out, 'manifest.json'));
    const e4 = await rejectedInputError(simulateProject(out, { cacheDir }));
    expect(e4.file).toBe(join(out, 'manifest.json'));
    expect(existsSync(cacheDir)).toBe(false);
  });
});

describe('a run folder (report)', () => {
  const run = join(dir, 'run');
  const recordsFile = join(run, 'hw', 'sim', 'records.jsonl');
  let recordCount = 0;

  beforeAll(() => {
    // design, sim records (from the sim's record writer, cycles as predicted), calibration (from calibrate), baselines
    const project = projects.get('tiny-chain') as GeneratedProject;
    mkdirSync(join(run, 'hw', 'sim'), { recursive: true });
    writeFileSync(join(run, 'design.json'), json(fixtureDesign('tiny-chain')));
    const records = project.program.chunks.flatMap((chunk) =>
      lowerChunk(project.program, chunk).layers.map((layer) => {
        const d = project.program.layers[layer.index];
        const cycles = Math.max(1, Math.round(d.predictedCycles));
        return makeRecord(
          project.program,
          chunk,
          layer,
          { cycles, startCycle: 0, mismatches: 0, words: 1 },
          { image: 0, simulator: 'Verilator 5.006', engine: 'e' },
        );
      }),
    );
    recordCount = records.length;
    writeFileSync(recordsFile, records.map(json).join(''));
    calibrateFromFiles({
      records: [recordsFile],
      boardCsv: [],
      hlsReports: [],
      designs: [],
      out: join(run, 'calibration.json'),
      toolVersion: 'test',
    });
    writeFileSync(join(run, 'baselines.json'), json([{ label: 'accuracy only', accuracy: 0.915, fps: 10000 }]));
  });

  /** A copy of the run folder with one file replaced; the error reading it. */
  const corrupt = (name: string, path: string, content: string): InputError => {
    const copy = join(dir, 'runs', name);
    rmSync(copy, { recursive: true, force: true });
    mkdirSync(join(copy, 'hw', 'sim'), { recursive: true });
    for (const f of ['design.json', 'hw/sim/records.jsonl', 'calibration.json', 'baselines.json'])
      writeFileSync(join(copy, f), readFileSync(join(run, f)));
    mkdirSync(join(copy, path, '..'), { recursive: true });
    writeFileSync(join(copy, path), content);
    const e = inputErrorOf(() => readRun(copy));
    expect(e.file).toBe(join(copy, path));
    return e;
  };

  it('reads every file the stages wrote, each through its schema', () => {
    const data = readRun(run);
    expect(data.records).toHaveLength(recordCount);
    expect(data.records.every((r) => r.bitExact)).toBe(true);
    expect(data.calibration?.version).toBe(1);
    expect(data.baselines).toEqual([{ label: 'accuracy only', accuracy: 0.915, fps: 10000 }]);
    expect(data.search).toEqual([]);
    expect(data.train).toBeUndefined();
  });

  it('a bad line of records.jsonl or search.jsonl names the line', () => {
    const lines = readFileSync(recordsFile, 'utf8').trim().split('\n');
    const second = JSON.parse(lines[1]) as { meas: { cycles: number } };
    const bad = [lines[0], JSON.stringify({ ...second, meas: { ...second.meas, cycles: 0 } }), ...lines.slice(2)].join('\n');
    const e1 = corrupt('records-cycles', 'hw/sim/records.jsonl', bad);
    expect(e1.pointer).toBe('line 2/meas/cycles');
    expect(corrupt('records-json', 'hw/sim/records.jsonl', `${lines[0]}\n\n{oops\n`).pointer).toBe('line 3');
    const epoch = {
      epoch: 0,
      phase: 'warm-up',
      accuracy: 0.5,
      trainLoss: 1.2,
      archLoss: null,
      fps: 5e4,
      lambda: 0.5,
      temperature: 5,
      entropyAlpha: 1.1,
      entropyBeta: 1.0,
      genotype: 'skip@4',
      hwSearches: 1,
      seconds: 2,
    };
    const e2 = corrupt('search-accuracy', 'search.jsonl', [json(epoch), json({ ...epoch, epoch: 1, accuracy: 57 })].join(''));
    expect(e2.pointer).toBe('line 2/accuracy');
    expect(e2.message.startsWith(`${e2.file}: line 2/accuracy: search-epoch: `)).toBe(true);
    expect(e2.message).toContain('<= 1');
    expect(corrupt('search-object', 'search/search.jsonl', '[1, 2]\n').pointer).toBe('line 1');
  });

  it('train.json, calibration.json, baselines.json and the designs through their schemas', () => {
    expect(corrupt('train-array', 'train/train.json', '[]').pointer).toBe('');
    const e = corrupt('train-share', 'train/train.json', json({ version: 1, accuracy: 91 }));
    expect(e.message).toContain('train-summary');
    expect(corrupt('calibration', 'calibration.json', json({ version: 2, coefficients: {} })).pointer).toBe('/version');
    expect(
      corrupt(
        'baselines-fps',
        'baselines.json',
        json([
          { label: 'a', accuracy: 0.5, fps: 1 },
          { label: 'b', accuracy: 0.5, fps: 0 },
        ]),
      ).pointer,
    ).toBe('/1/fps');
    expect(corrupt('final', 'final/design.json', '{}').message).toContain('design: missing required property "version"');
  });

  it('a run folder that is a file or missing is bad input naming it', () => {
    const file = join(dir, 'run-file');
    writeFileSync(file, 'x');
    expect(inputErrorOf(() => readRun(file)).message).toBe(
      `${file}: /: expected a run folder with design.json or search/design.json, found a file`,
    );
    expect(inputErrorOf(() => readRun(join(dir, 'no-run'))).file).toBe(join(dir, 'no-run'));
  });
});

describe('baselines', () => {
  const file = (name: string, value: unknown) => {
    const path = join(dir, name);
    writeFileSync(path, typeof value === 'string' ? value : json(value));
    return path;
  };

  it('reads what bench:search writes', () => {
    const points = [
      { label: 'joint [13000, 22000] (bench:search)', accuracy: 0.8921, fps: 17811.5 },
      { label: 'fixed accelerator (bench:search)', accuracy: 0.855, fps: 30000 },
      { label: 'co-search 12000:16000, mean of 3 seeds', accuracy: 0.89, fps: 15000, accuracySd: 0.004, fpsSd: 1200, seeds: 3 },
    ];
    expect(readBaselines(file('baselines-ok.json', points))).toEqual(points);
  });

  it('refuses a point out of range, a long label, an unknown field and a non-array, naming the point', () => {
    const cases: [unknown, string, string][] = [
      [[{ label: 'a', accuracy: 1.5, fps: 10 }], '/0/accuracy', '<= 1'],
      [
        [
          { label: 'a', accuracy: 0.5, fps: 10 },
          { label: 'x'.repeat(201), accuracy: 0.5, fps: 10 },
        ],
        '/1/label',
        '200 characters',
      ],
      [[{ label: 'a', accuracy: 0.5, fps: 10, colour: 'red' }], '/0', 'unknown property "colour"'],
      [{ label: 'a', accuracy: 0.5, fps: 10 }, '', 'array'],
      [[{ label: 'a', accuracy: 0.5, fps: 10, fpsSd: -1 }], '/0/fpsSd', '>= 0'],
      [[{ label: 'a', accuracy: 0.5, fps: 10, seeds: 1.5 }], '/0/seeds', 'integer'],
      [[{ label: 'a', accuracy: 0.5 }], '/0', 'missing required property "fps"'],
    ];
    cases.forEach(([value, pointer, text], i) => {
      const path = file(`baselines-bad-${i}.json`, value);
      const e = inputErrorOf(() => readBaselines(path));
      expect([e.file, e.pointer]).toEqual([path, pointer]);
      expect(e.message).toContain(text);
    });
    expect(inputErrorOf(() => readBaselines(join(dir, 'no-baselines.json'))).message).toMatch(/no-baselines\.json: \/: file not found/);
  });
});

describe('flow: its state and its inputs, checked before the first stage', () => {
  const settings = { preset: 'smoke', dataset: 'synthetic', board: resolveBoard(PRESETS.smoke.board).name, seed: 1 };
  const done = {
    search: { seconds: 10, result: { genotype: 'skip@4 k3_e1@4', fps: 61000 } },
    train: { seconds: 20, result: { accuracy: 0.5, integerAccuracy: 0.49, agreement: 0.98 } },
    generate: { seconds: 1, result: { files: 42, designHash: 'a'.repeat(64) } },
    sim: { seconds: 30, result: { bitExact: true, mapePct: 0.21, maxPct: 1.5, records: 'hw/sim/records.jsonl' } },
    calibrate: { seconds: 2, result: { heldOutAfterPct: null, records: 7 } },
    final: { seconds: 3, result: { fps: 65000 } },
    report: { seconds: 4, result: { file: 'report.html', charts: ['chunks'] } },
  };
  const request = (out: string, extra: Partial<Parameters<typeof runFlow>[0]> = {}) => ({
    preset: 'smoke' as const,
    seed: 1,
    out,
    backend: 'cpu' as const,
    replicas: 1,
    ...extra,
  });
  const folder = (name: string, state?: unknown) => {
    const out = join(dir, 'flows', name);
    mkdirSync(join(out, 'search'), { recursive: true });
    writeFileSync(join(out, 'search', 'design.json'), json(fixtureDesign('tiny-chain')));
    if (state !== undefined) writeFileSync(join(out, 'flow.json'), typeof state === 'string' ? state : json(state));
    return out;
  };

  it('a finished run folder: every stage skipped, the summary from flow.json', async () => {
    const out = folder('finished', { version: 1, settings, done });
    const before = readFileSync(join(out, 'flow.json'), 'utf8');
    const summary = await runFlow(request(out));
    expect(summary).toMatchObject({
      genotype: 'skip@4 k3_e1@4',
      accuracy: 0.5,
      integerAccuracy: 0.49,
      fps: fixtureDesign('tiny-chain').predicted.fps,
      fpsCalibrated: 65000,
      bitExact: true,
      report: 'report.html',
    });
    expect(summary.cycles).toEqual({ mapePct: 0.21, calibratedMapePct: null });
    expect(summary.stages.map((s) => [s.stage, s.skipped])).toEqual(
      ['search', 'train', 'generate', 'sim', 'calibrate', 'final', 'report'].map((s) => [s, true]),
    );
    expect(readFileSync(join(out, 'flow.json'), 'utf8')).toBe(before);
  });

  it('a flow.json that is not what flow writes is bad input naming it', async () => {
    const cases: [string, unknown, string][] = [
      ['not-json', '{"version": 1,', ''],
      ['array', [], ''],
      [
        'bit-exact',
        { version: 1, settings, done: { ...done, sim: { seconds: 30, result: { ...done.sim.result, bitExact: 'yes' } } } },
        '/done/sim/result/bitExact',
      ],
      ['stage', { version: 1, settings, done: { deploy: { seconds: 1, result: {} } } }, '/done'],
      [
        'accuracy',
        { version: 1, settings, done: { train: { seconds: 1, result: { ...done.train.result, accuracy: 89.6 } } } },
        '/done/train/result/accuracy',
      ],
      ['settings', { version: 1, settings: { ...settings, preset: 'huge' }, done: {} }, '/settings/preset'],
    ];
    for (const [name, state, pointer] of cases) {
      const out = folder(`bad-${name}`, state);
      const e = await rejectedInputError(runFlow(request(out)));
      expect([e.file, e.pointer], name).toEqual([join(out, 'flow.json'), pointer]);
      expect(existsSync(join(out, 'search', 'search.jsonl')), name).toBe(false);
    }
  });

  it('bad --baselines and a bad CIFAR-10 folder are refused before anything is written', async () => {
    const baselines = join(dir, 'flow-baselines.json');
    writeFileSync(baselines, json([{ label: 'x', accuracy: 1.5, fps: 100 }]));
    const out = join(dir, 'flows', 'never');
    const e = await rejectedInputError(runFlow(request(out, { baselines })));
    expect([e.file, e.pointer]).toEqual([baselines, '/0/accuracy']);
    expect(existsSync(out)).toBe(false);
    // CIFAR-10 with its six files present, the first one truncated: named before the search starts
    const cifar = join(dir, 'cifar');
    mkdirSync(cifar, { recursive: true });
    for (const f of ['data_batch_1.bin', 'data_batch_2.bin', 'data_batch_3.bin', 'data_batch_4.bin', 'data_batch_5.bin', 'test_batch.bin'])
      writeFileSync(join(cifar, f), Buffer.alloc(3073));
    writeFileSync(join(cifar, 'data_batch_1.bin'), Buffer.alloc(5));
    const e2 = await rejectedInputError(runFlow(request(out, { dataset: 'cifar10', dataDir: cifar })));
    expect(e2.file).toBe(join(cifar, 'data_batch_1.bin'));
    expect(existsSync(out)).toBe(false);
    await expect(runFlow(request(out, { dataset: 'cifar10', dataDir: join(dir, 'flows') }))).rejects.toThrow(/CIFAR-10 not found/);
    expect(existsSync(out)).toBe(false);
  });
});
