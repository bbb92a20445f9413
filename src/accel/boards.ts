/**
 * Boards — stage: accel. In: a board name (the files shipped in hw/boards) or a board file path.
 * Out: a schema-checked BoardSpec, and what the cost model reads from it: MACs per DSP at a
 * bitwidth and DRAM bits per clock cycle. An unknown name is a `UsageError` listing the boards.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../core/diagnostics.js';
import { BOARDS_DIR } from '../core/paths.js';
import { loadArtifact } from '../core/schema.js';
import type { BoardSpec } from './types.js';

/** Names of the boards shipped in hw/boards. */
export function listBoards(): string[] {
  return readdirSync(BOARDS_DIR)
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -'.json'.length))
    .sort();
}

/** A shipped board by name (case-insensitive), or a board file by path. */
export function resolveBoard(nameOrPath: string): BoardSpec {
  const shipped = join(BOARDS_DIR, `${nameOrPath.toLowerCase()}.json`);
  if (existsSync(shipped)) return loadArtifact<BoardSpec>('board', shipped);
  if (existsSync(nameOrPath)) return loadArtifact<BoardSpec>('board', nameOrPath);
  throw new UsageError(`unknown board "${nameOrPath}": expected one of ${listBoards().join(', ')} or a board file`);
}

/** MACs per DSP at `bits`: the packing of the smallest listed bitwidth ≥ bits (1 if none). */
export function macsPerDsp(board: BoardSpec, bits: number): number {
  let best = 1;
  let bestBits = Infinity;
  for (const [key, macs] of Object.entries(board.dspPacking)) {
    const b = Number(key);
    if (b >= bits && b < bestBits) {
      best = macs;
      bestBits = b;
    }
  }
  return best;
}

/** Bits the board's DRAM delivers per accelerator clock cycle. */
export function dramBitsPerCycle(board: BoardSpec, clockMhz: number): number {
  return (board.dram.bandwidthGBps * 8e9) / (clockMhz * 1e6);
}
