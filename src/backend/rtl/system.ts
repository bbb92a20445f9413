/**
 * lowerSystem — the layer program → the schedule of the `trips_accel` system top (pure;
 * docs/rtl.md §9): every chunk runs its program once per pass, and in pass t a layer of stage
 * s processes image t − s. A layer sits at its producers' stage when they run on its own chunk
 * (earlier in the same pass) and one stage later when they run on another chunk, so the chunks
 * work on different images at once and, in the steady state, no layer waits for its input
 * (its producer finished it one pass earlier). Every image has a slot of DRAM; `slots` images
 * are in flight at most, one more than the deepest stage, so the slot the host fills next is
 * free once the image that used it has passed its last layer.
 */
import type { ProgramSpec } from '../types.js';

/** The sync module's code for "no second input" and for "the input image". */
export const DEP_NONE = 0xffff;
export const DEP_INPUT = 0xfffe;

export interface SystemLayer {
  readonly index: number;
  readonly name: string;
  readonly chunk: number;
  readonly stage: number;
  /** Producers: layer indices, DEP_INPUT (the input image) or DEP_NONE. */
  readonly deps: readonly [number, number];
}

export interface SystemSchedule {
  readonly layers: readonly SystemLayer[];
  /** The deepest stage: a pass's layers span images t − maxStage … t. */
  readonly maxStage: number;
  /** Image slots in DRAM: maxStage + 1. */
  readonly slots: number;
  /** Arena words of one image's slot; score words of one image. */
  readonly slotWords: number;
  readonly scoreWords: number;
}

/** A program the system top cannot run as given (the generator's bug, not bad user input). */
class ScheduleError extends Error {
  constructor(program: ProgramSpec, what: string) {
    super(`system schedule of ${program.name}: ${what}`);
    this.name = 'ScheduleError';
  }
}

export function lowerSystem(program: ProgramSpec): SystemSchedule {
  const producerAt = new Map<number, number>();
  for (const l of program.layers) if (l.rawOut !== 1) producerAt.set(l.outAddr, l.index);
  const producer = (address: number, consumer: number): number => {
    if (address === program.input.address) return DEP_INPUT;
    const p = producerAt.get(address);
    if (p === undefined || p >= consumer)
      throw new ScheduleError(program, `layer ${consumer} reads arena word ${address}, which no earlier layer writes`);
    return p;
  };
  if (program.layers.length > 0xfff0) throw new ScheduleError(program, `${program.layers.length} layers (at most 65,520)`);
  const stages: number[] = [];
  const layers = program.layers.map((l): SystemLayer => {
    const deps: [number, number] = [producer(l.inAddr, l.index), l.op === 'add' ? producer(l.in2Addr, l.index) : DEP_NONE];
    let stage = 0;
    for (const p of deps) {
      if (p === DEP_INPUT || p === DEP_NONE) continue;
      stage = Math.max(stage, stages[p] + (program.layers[p].chunk === l.chunk ? 0 : 1));
    }
    stages.push(stage);
    return { index: l.index, name: l.name, chunk: l.chunk, stage, deps };
  });
  // the host frees a slot when its image's last layer is done: every layer must feed that one
  const feeds = new Array<boolean>(layers.length).fill(false);
  feeds[layers.length - 1] = true;
  for (let i = layers.length - 1; i >= 0; i--) {
    if (!feeds[i]) throw new ScheduleError(program, `layer ${i} (${layers[i].name}) feeds no later layer`);
    for (const p of layers[i].deps) if (p < layers.length) feeds[p] = true;
  }
  const maxStage = Math.max(0, ...stages);
  return {
    layers,
    maxStage,
    slots: maxStage + 1,
    slotWords: program.arenaWords,
    scoreWords: program.classes,
  };
}

/** A parameter vector of `width`-bit fields, field i at bits [width·i +: width], as a Verilog literal. */
export function packedLiteral(values: readonly number[], width: number): string {
  let v = 0n;
  values.forEach((x, i) => (v |= BigInt(x) << BigInt(width * i)));
  return `${values.length * width}'h${v.toString(16)}`;
}

/** The schedule as trips_accel.sv prints it: the sizes and the sync's parameter vectors. */
export interface SystemView extends SystemSchedule {
  readonly nch: number;
  readonly nl: number;
  /** Lanes of the widest chunk port: every chunk's port in trips_accel is this wide. */
  readonly lmax: number;
  readonly chunkLit: string;
  readonly stageLit: string;
  readonly dep0Lit: string;
  readonly dep1Lit: string;
  /** The design hash's first 32 bits (the DESIGN register), 8 hex digits. */
  readonly designWord: string;
}

/** `lanes`: each chunk's port lanes, in chunk order. */
export function systemView(program: ProgramSpec, lanes: readonly number[]): SystemView {
  const schedule = lowerSystem(program);
  const field = (f: (l: SystemLayer) => number, width: number) => packedLiteral(schedule.layers.map(f), width);
  return {
    ...schedule,
    nch: lanes.length,
    nl: schedule.layers.length,
    lmax: Math.max(...lanes),
    chunkLit: field((l) => l.chunk, 8),
    stageLit: field((l) => l.stage, 16),
    dep0Lit: field((l) => l.deps[0], 16),
    dep1Lit: field((l) => l.deps[1], 16),
    designWord: program.designHash.slice(0, 8),
  };
}
