/**
 * runSweep — the calibration set: random designs (random networks of every layer kind on random
 * chunk parameters: both loop orders, both PE modes, bitwidths 4/6/8, several boards) generated
 * with seeded random weights and simulated in Verilator. Each design is one folder with its
 * sim records; a finished design is not redone, so an interrupted sweep resumes.
 */
import { join } from 'node:path';
import { InputError } from '../core/diagnostics.js';
import { isFile, readJsonFile, writeJsonAtomic } from '../core/files.js';
import { randomDesign, randomNetwork, type RandomNetworkScale } from '../accel/random-designs.js';
import { generateToFolder } from '../backend/project.js';
import { makeProvenance } from '../core/provenance.js';
import { Rng } from '../core/random.js';
import { simulateProject } from '../sim/project.js';
import { engineSourceHash } from '../sim/verilator.js';
import { PROJECT_FILES } from '../core/run-layout.js';

interface SweepOptions {
  readonly designs: number;
  readonly seed: number;
  readonly boards: readonly string[];
  /** Folder of the sweep: one sub-folder per design. */
  readonly dir: string;
  readonly scale?: RandomNetworkScale;
  readonly onDesign?: (
    index: number,
    info: { readonly name: string; readonly board: string; readonly layers: number; readonly cached: boolean; readonly seconds: number },
  ) => void;
}

/**
 * The RTL/harness hash a design's `sweep.json` was measured with, or undefined when there is no
 * stamp or it is not one the sweep wrote (unreadable, not JSON, no `hardware` string): the
 * stamp only decides whether a design is measured again, so a bad one means "measure again".
 */
export function stampedHardware(stamp: string): string | undefined {
  if (!isFile(stamp)) return undefined;
  try {
    const value = readJsonFile(stamp) as { hardware?: unknown } | null;
    return value !== null && typeof value === 'object' && typeof value.hardware === 'string' ? value.hardware : undefined;
  } catch (error) {
    if (error instanceof InputError) return undefined;
    throw error;
  }
}

/** Generate and simulate every design of the sweep; returns the sim-record files. */
export async function runSweep(options: SweepOptions): Promise<string[]> {
  const files: string[] = [];
  // records measured by another version of the RTL or harness are measured again
  const hardware = engineSourceHash();
  for (let i = 0; i < options.designs; i++) {
    const t0 = performance.now();
    const rng = new Rng(options.seed * 7919 + i);
    const name = `sweep-${options.seed}-${i}`;
    const board = options.boards[i % options.boards.length];
    const design = randomDesign(rng, randomNetwork(rng, name, options.scale), board, makeProvenance({ seed: options.seed }));
    const out = join(options.dir, name);
    const records = join(out, PROJECT_FILES.simRecords);
    const stamp = join(out, 'sweep.json');
    const cached = isFile(records) && stampedHardware(stamp) === hardware;
    if (!cached) {
      await generateToFolder({
        design,
        designFile: `${name} (sweep)`,
        out,
        tool: 'vitis-hls-2023.2',
        images: 1,
        seed: options.seed + i,
        provenance: makeProvenance({ seed: options.seed + i }),
      });
      await simulateProject(out);
      writeJsonAtomic(stamp, { hardware, board, name });
    }
    files.push(records);
    options.onDesign?.(i, { name, board, layers: design.network.layers.length, cached, seconds: (performance.now() - t0) / 1e3 });
  }
  return files;
}
