/**
 * The machine line of every bench — stage: bench. In: the host. Out: CPU model, core count and
 * Node version, printed with each bench's figures: they are only comparable within one run on one
 * machine.
 */
import { cpus } from 'node:os';

/** What the figures were measured on: they are only comparable within one run on one machine. */
export function machineLine(): { cpu: string; cores: number; node: string } {
  const all = cpus();
  return { cpu: all[0]?.model ?? 'unknown', cores: all.length, node: process.version };
}
