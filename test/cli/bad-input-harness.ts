/**
 * The harness of the bad-input corpus (bad-input-cases.ts, bad-input.test.ts): the artifacts the
 * cases mutate (made once with the CLI itself), JSON and file builders, tree snapshots, a CLI run
 * with a deadline, a small pool, and `checkRun`, the contract every case is held to.
 */
import { createHash } from 'node:crypto';
import { cpSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { execa } from 'execa';
import { SMOKE_SPACE as BUILTIN_SMOKE_SPACE } from '../../src/search/spaces.js';
import { ROOT, runCli, type CliResult } from './run-cli.js';

// ---------------------------------------------------------------------------------------------
// fixtures

export const FIXTURES = join(ROOT, 'test', 'fixtures');
export const TINY_CHAIN = join(FIXTURES, 'tiny-chain.design.json');
export const TINY_MIXED = join(FIXTURES, 'tiny-mixed.design.json');
export const TINY_MBCONV = join(FIXTURES, 'tiny-mbconv.network.json');
export const TINY_QAT = join(FIXTURES, 'tiny-qat.network.json');
export const CIFAR22 = join(FIXTURES, 'cifar22-mixed.genotype.json');
export const ZC706 = join(ROOT, 'hw', 'boards', 'zc706.json');

/** Artifacts the tool writes itself, made once (beforeAll) and copied or mutated by the cases. */
export interface Fixtures {
  readonly root: string;
  /** tiny-qat network explored on the ZC706 (differentiable: has explore.logits); 28×28×1, 10 classes. */
  readonly qatDesign: string;
  /** tiny-mbconv network explored on the ZC706: another network of the same input shape. */
  readonly mbconvDesign: string;
  /** `train` of qatDesign, 1 epoch on synthetic data: weights/, checkpoint/, train.json. */
  readonly trainRun: string;
  readonly weights: string;
  /** `search --preset smoke --dataset synthetic --epochs 1`: design.json, search.jsonl, weights/, checkpoint/. */
  readonly searchRun: string;
  /** `generate --design tiny-chain` (random weights): program.json, golden.json, manifest.json, rtl/, hls/. */
  readonly project: string;
  /** designHash of the project's manifest (the tiny-chain design). */
  readonly designHash: string;
  /** A valid board CSV for tiny-chain, and the calibration file `calibrate` fitted from it. */
  readonly boardCsv: string;
  readonly calibration: string;
  /** The smoke search space as a file. */
  readonly spaceFile: string;
  /** Verilator build cache shared by the sim cases (never ~/.cache). */
  readonly simCache: string;
}

export const trainArgs = (design: string, out: string): string[] => [
  'train',
  '--design',
  design,
  '--dataset',
  'synthetic',
  '--epochs',
  '1',
  '--batch-size',
  '32',
  '--limit-train',
  '64',
  '--out',
  out,
];
export const searchArgs = (out: string): string[] => [
  'search',
  '--preset',
  'smoke',
  '--dataset',
  'synthetic',
  '--epochs',
  '1',
  '--out',
  out,
];
export const flowArgs = (out: string): string[] => ['flow', '--preset', 'smoke', '--dataset', 'synthetic', '--out', out];

/** The built-in smoke space, written out as a search-space file. */
export const SMOKE_SPACE = { ...BUILTIN_SMOKE_SPACE, name: 'smoke-file' };

export async function mustRun(args: string[]): Promise<CliResult> {
  const r = await runCli(args);
  if (r.exitCode !== 0)
    throw new Error(`fixture: trips-hw ${args.join(' ')} → exit ${r.exitCode}: ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`);
  return r;
}

/** Every artifact the cases derive from, written by the tool itself into `root/fixtures`. */
export async function prepareFixtures(root: string): Promise<Fixtures> {
  const dir = join(root, 'fixtures');
  mkdirSync(dir, { recursive: true });
  const fx = {
    root,
    qatDesign: join(dir, 'qat.design.json'),
    mbconvDesign: join(dir, 'mbconv.design.json'),
    trainRun: join(dir, 'train'),
    weights: join(dir, 'train', 'weights'),
    searchRun: join(dir, 'search'),
    project: join(dir, 'project'),
    designHash: '',
    boardCsv: join(dir, 'zc706-timings.csv'),
    calibration: join(dir, 'calibration.json'),
    spaceFile: join(dir, 'smoke.space.json'),
    simCache: join(dir, 'verilator-cache'),
  };
  writeJson(fx.spaceFile, SMOKE_SPACE);
  mkdirSync(fx.simCache, { recursive: true });
  await Promise.all([
    (async () => {
      await mustRun(['explore', '--network', TINY_QAT, '--board', 'zc706', '--samples', '200', '--seed', '1', '--out', fx.qatDesign]);
      await mustRun(trainArgs(fx.qatDesign, fx.trainRun));
    })(),
    mustRun(['explore', '--network', TINY_MBCONV, '--board', 'zc706', '--samples', '200', '--seed', '1', '--out', fx.mbconvDesign]),
    mustRun(searchArgs(fx.searchRun)),
    (async () => {
      await mustRun(['generate', '--design', TINY_CHAIN, '--out', fx.project, '--seed', '1']);
      const hash = (readJson(join(fx.project, 'manifest.json')) as { designHash: string }).designHash;
      writeFileSync(fx.boardCsv, `design,layer,cycles\n${hash},c1,5000\n${hash},c2,3000\n${hash},fc,100\n${hash},*,9000\n`);
      await mustRun(['calibrate', '--board-csv', fx.boardCsv, '--design', TINY_CHAIN, '--out', fx.calibration]);
    })(),
  ]);
  return { ...fx, designHash: (readJson(join(fx.project, 'manifest.json')) as { designHash: string }).designHash };
}

// ---------------------------------------------------------------------------------------------
// small builders

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

export function readJson(file: string): Json {
  return JSON.parse(readFileSync(file, 'utf8')) as Json;
}

export function writeJson(file: string, value: unknown): string {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);
  return file;
}

export function writeText(file: string, text: string | Uint8Array): string {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
  return file;
}

/** `src` parsed, changed by `edit` (in place, or by returning a replacement), written to `dst`. */
export function mutateJson(src: string, dst: string, edit: (value: Json) => Json | void): string {
  const value = readJson(src);
  const changed = edit(value);
  return writeJson(dst, changed === undefined ? value : changed);
}

export function parentAndKey(root: Json, pointer: string): [Json, string] {
  const parts = pointer
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  const key = parts.pop() as string;
  let node = root;
  for (const p of parts) node = node[p];
  return [node, key];
}

/** Set the value at a JSON pointer (`/network/layers/0/inC`). */
export function setAt(root: Json, pointer: string, value: unknown): void {
  const [parent, key] = parentAndKey(root, pointer);
  parent[key] = value;
}

export function deleteAt(root: Json, pointer: string): void {
  const [parent, key] = parentAndKey(root, pointer);
  if (Array.isArray(parent)) parent.splice(Number(key), 1);
  else delete parent[key];
}

export function copyDir(src: string, dst: string): string {
  cpSync(src, dst, { recursive: true });
  return dst;
}

/** Seeded bytes (mulberry32): binary garbage that is the same on every run. */
export function garbageBytes(n: number, seed = 13): Uint8Array {
  let a = seed >>> 0;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = ((t ^ (t >>> 14)) >>> 0) & 0xff;
  }
  return out;
}

/** Half of a file's bytes (a shard of the wrong length). */
export function truncateToHalf(file: string): void {
  truncateSync(file, Math.floor(lstatSync(file).size / 2));
}

export interface LayerIn {
  name: string;
  kind: 'conv' | 'dwconv' | 'pool' | 'fc' | 'add';
  inputs: string[];
  inH: number;
  inW: number;
  inC: number;
  outH: number;
  outW: number;
  outC: number;
  kernel: number;
  stride: number;
  pad: number;
  groups: number;
}

export const layer = (l: LayerIn) => ({ ...l, activation: 'none', bits: 8, outBits: 8 });

/**
 * A shape-consistent 5-layer network on a square map whose layer names are those of the
 * tiny-chain design's one chunk (c1, c2, avg, gap, fc), so it can replace that design's network:
 * c1 conv k×k (same padding) cin→cout, c2 grouped 1×1 conv (groups = cout: cout weights only),
 * avg a 1×1 pool, gap a global pool, fc cout→classes.
 */
export function squareNetwork(o: { size: number; cin: number; cout: number; kernel: number; classes?: number; name?: string }): Json {
  const { size: s, cin, cout, kernel: k } = o;
  const classes = o.classes ?? 4;
  return {
    version: 1,
    name: o.name ?? 'absurd',
    input: { height: s, width: s, channels: cin },
    classes,
    layers: [
      layer({
        name: 'c1',
        kind: 'conv',
        inputs: ['input'],
        inH: s,
        inW: s,
        inC: cin,
        outH: s,
        outW: s,
        outC: cout,
        kernel: k,
        stride: 1,
        pad: (k - 1) / 2,
        groups: 1,
      }),
      layer({
        name: 'c2',
        kind: 'conv',
        inputs: ['c1'],
        inH: s,
        inW: s,
        inC: cout,
        outH: s,
        outW: s,
        outC: cout,
        kernel: 1,
        stride: 1,
        pad: 0,
        groups: cout,
      }),
      layer({
        name: 'avg',
        kind: 'pool',
        inputs: ['c2'],
        inH: s,
        inW: s,
        inC: cout,
        outH: s,
        outW: s,
        outC: cout,
        kernel: 1,
        stride: 1,
        pad: 0,
        groups: 1,
      }),
      layer({
        name: 'gap',
        kind: 'pool',
        inputs: ['avg'],
        inH: s,
        inW: s,
        inC: cout,
        outH: 1,
        outW: 1,
        outC: cout,
        kernel: s,
        stride: s,
        pad: 0,
        groups: 1,
      }),
      layer({
        name: 'fc',
        kind: 'fc',
        inputs: ['gap'],
        inH: 1,
        inW: 1,
        inC: cout,
        outH: 1,
        outW: 1,
        outC: classes,
        kernel: 1,
        stride: 1,
        pad: 0,
        groups: 1,
      }),
    ],
  };
}

/** The tiny-chain design with its network replaced (same layer names, same one chunk). */
export function chainDesignWith(network: Json, dst: string): string {
  return mutateJson(TINY_CHAIN, dst, (d) => {
    d.network = network;
  });
}

/** A chain of `n` layers on a 1×1×1 map: n − 1 pointwise convs and an fc (a valid graph, absurdly long). */
export function longNetwork(n: number): Json {
  const layers: Json[] = [];
  for (let i = 0; i < n - 1; i++) {
    layers.push(
      layer({
        name: `l${i}`,
        kind: 'conv',
        inputs: [i === 0 ? 'input' : `l${i - 1}`],
        inH: 1,
        inW: 1,
        inC: 1,
        outH: 1,
        outW: 1,
        outC: 1,
        kernel: 1,
        stride: 1,
        pad: 0,
        groups: 1,
      }),
    );
  }
  layers.push(
    layer({
      name: 'fc',
      kind: 'fc',
      inputs: [`l${n - 2}`],
      inH: 1,
      inW: 1,
      inC: 1,
      outH: 1,
      outW: 1,
      outC: 10,
      kernel: 1,
      stride: 1,
      pad: 0,
      groups: 1,
    }),
  );
  return { version: 1, name: 'long', input: { height: 1, width: 1, channels: 1 }, classes: 10, layers };
}

// ---------------------------------------------------------------------------------------------
// snapshots: paths + contents

export type Snapshot =
  | { readonly kind: 'absent' }
  | { readonly kind: 'file'; readonly sha: string }
  | { readonly kind: 'dir'; readonly entries: Readonly<Record<string, string>> };

export const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

export function entryOf(path: string): string {
  const st = lstatSync(path);
  if (st.isSymbolicLink()) return `link ${readlinkSync(path)}`;
  if (st.isDirectory()) return 'dir';
  if (st.isFile()) return `file ${st.size} ${sha256(path)}`;
  return 'other';
}

/** What is at `path`: nothing, a file (its sha256), or a folder (every entry below it with its content hash). */
export function snapshot(path: string): Snapshot {
  let st: ReturnType<typeof lstatSync>;
  try {
    st = lstatSync(path);
  } catch {
    return { kind: 'absent' };
  }
  if (!st.isDirectory()) return { kind: 'file', sha: entryOf(path) };
  const entries: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name);
      const e = entryOf(p);
      entries[relative(path, p)] = e;
      if (e === 'dir') walk(p);
    }
  };
  walk(path);
  return { kind: 'dir', entries };
}

/** How `after` differs from `before`, in words (empty: unchanged). */
export function snapshotChanges(path: string, before: Snapshot, after: Snapshot): string[] {
  if (before.kind !== after.kind)
    return [
      `${path}: was ${before.kind}, now ${after.kind}${after.kind === 'dir' ? ` (${Object.keys(after.entries).length} entries: ${Object.keys(after.entries).slice(0, 4).join(', ')})` : ''}`,
    ];
  if (before.kind === 'file' && after.kind === 'file') return before.sha === after.sha ? [] : [`${path}: file content changed`];
  if (before.kind === 'dir' && after.kind === 'dir') {
    const out: string[] = [];
    for (const k of Object.keys(after.entries)) if (!(k in before.entries)) out.push(`${path}: ${k} added`);
    for (const k of Object.keys(before.entries)) {
      if (!(k in after.entries)) out.push(`${path}: ${k} removed`);
      else if (before.entries[k] !== after.entries[k]) out.push(`${path}: ${k} changed`);
    }
    return out;
  }
  return [];
}

// ---------------------------------------------------------------------------------------------
// running

export interface TimedResult extends CliResult {
  readonly ms: number;
  readonly killed: boolean;
}

/**
 * `runCli` (same command, same environment) with a deadline: a case that does not fail fast —
 * e.g. a flow that starts its search instead of refusing its --baselines — is killed so the
 * corpus stays short.
 */
export async function runCliWithin(args: readonly string[], deadlineMs: number): Promise<TimedResult> {
  const env: NodeJS.ProcessEnv = { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' };
  delete env.TRIPS_HW_DEBUG;
  const t0 = performance.now();
  const r = await execa('node', [join(ROOT, 'bin', 'run.js'), ...args], {
    cwd: ROOT,
    reject: false,
    env,
    extendEnv: false,
    timeout: deadlineMs,
    killSignal: 'SIGKILL',
  });
  return {
    exitCode: r.exitCode ?? -1,
    stdout: String(r.stdout ?? ''),
    stderr: String(r.stderr ?? ''),
    ms: performance.now() - t0,
    killed: r.timedOut === true,
  };
}

/** At most `size` commands at once, first come first served; a heavy case takes every slot (runs alone). */
export class Pool {
  private active = 0;
  private readonly queue: Array<{ weight: number; start: () => void }> = [];
  constructor(readonly size: number) {}

  async run<T>(weight: number, work: () => Promise<T>): Promise<T> {
    const w = Math.max(1, Math.min(weight, this.size));
    await new Promise<void>((start) => {
      this.queue.push({ weight: w, start });
      this.dispatch();
    });
    try {
      return await work();
    } finally {
      this.active -= w;
      this.dispatch();
    }
  }

  private dispatch(): void {
    while (this.queue.length > 0 && this.active + this.queue[0].weight <= this.size) {
      const next = this.queue.shift() as { weight: number; start: () => void };
      this.active += next.weight;
      next.start();
    }
  }
}

// ---------------------------------------------------------------------------------------------
// the contract

export type CaseClass = 'file' | 'csv' | 'out' | 'project' | 'run' | 'resume' | 'flow-early' | 'size' | 'flag' | 'weights';

/** What a case expects of the message and of the disk. */
export interface Expectation {
  /** The command line after `trips-hw`. */
  readonly args: string[];
  /** Texts the message must contain; an array entry: any one of its texts. */
  readonly names: ReadonlyArray<string | readonly string[]>;
  /** A JSON pointer the message must contain (as text, e.g. `/network/layers/0/inC`), or a pattern. */
  readonly pointer?: string | RegExp;
  /** The line of the input file the message must name (`line 3`, `/line/3`, `:3`). */
  readonly line?: number;
  /** Further patterns the message must match (e.g. the limit). */
  readonly match?: readonly RegExp[];
  /** Paths that must be as they were afterwards (absent stays absent; existing stays byte-for-byte). */
  readonly guards: readonly string[];
  /** The command must be done within this (ms); it is killed there. Default: the case's deadline. */
  readonly withinMs?: number;
}

export interface BadCase {
  readonly id: string;
  readonly cls: CaseClass;
  readonly title: string;
  /** Kill the command after this long (ms). */
  readonly deadlineMs?: number;
  /** Runs alone (big allocations if the input is not refused). */
  readonly heavy?: boolean;
  /** Left out by TRIPS_HW_BAD_INPUT=quick: more of a kind the other cases already cover. */
  readonly extended?: boolean;
  readonly build: (dir: string, fx: Fixtures) => Expectation;
}

export const FORBIDDEN = [
  /^\s+at /m,
  /TypeError/,
  /SyntaxError/,
  /RangeError/,
  /ReferenceError/,
  /ENOENT/,
  /EISDIR/,
  /ENOTDIR/,
  /EEXIST/,
  /Invalid typed array length/,
  /Cannot read properties/,
  /is not a function/,
  /is not iterable/,
];

/** Limit wording: the message must say there is a bound, whatever its exact words. */
export const LIMIT = /(at most|≤|<=|limit|maximum|exceed|too (large|big|many|long)|no more than|up to)/i;

export const lineRe = (n: number) => new RegExp(`(line[\\s/:#]*${n}(?!\\d))|(:${n}(?!\\d))`, 'i');

/** Everything wrong with a run against its expectation (empty: the case passes). */
export function checkRun(r: TimedResult, e: Expectation, before: readonly Snapshot[], after: readonly Snapshot[]): string[] {
  const problems: string[] = [];
  if (r.killed)
    problems.push(`still running after ${(r.ms / 1e3).toFixed(0)} s (killed): the input was not refused before the work started`);
  else if (e.withinMs !== undefined && r.ms > e.withinMs)
    problems.push(`took ${(r.ms / 1e3).toFixed(1)} s, expected to fail within ${(e.withinMs / 1e3).toFixed(0)} s`);
  if (r.exitCode !== 2) problems.push(`exit ${r.exitCode}, expected 2`);
  const lines = r.stderr.split('\n').filter((l) => l.trim() !== '');
  if (lines.length !== 1) problems.push(`stderr has ${lines.length} non-empty lines, expected 1`);
  const message = lines.find((l) => l.startsWith('trips-hw: ')) ?? lines.at(-1) ?? '';
  if (!message.startsWith('trips-hw: ')) problems.push('no stderr line starts with "trips-hw: "');
  for (const bad of FORBIDDEN)
    if (bad.test(r.stderr))
      problems.push(`stderr contains ${bad.source.replace(/\\s\+|\^/g, '')} (a raw Node/JS error or stack, not a message)`);
  for (const name of e.names) {
    const options = typeof name === 'string' ? [name] : name;
    if (!options.some((o) => message.includes(o)))
      problems.push(`message does not name ${options.map((o) => JSON.stringify(o)).join(' or ')}`);
  }
  if (e.pointer !== undefined) {
    const ok = typeof e.pointer === 'string' ? message.includes(e.pointer) : e.pointer.test(message);
    if (!ok) problems.push(`message has no JSON pointer ${String(e.pointer)}`);
  }
  if (e.line !== undefined && !lineRe(e.line).test(message)) problems.push(`message does not name line ${e.line}`);
  for (const m of e.match ?? []) if (!m.test(message)) problems.push(`message does not match ${String(m)}`);
  e.guards.forEach((g, i) => problems.push(...snapshotChanges(g, before[i], after[i]).map((c) => `not left as it was: ${c}`)));
  return problems;
}

// ---------------------------------------------------------------------------------------------
// the cases

/** A path that is never created. */
