/**
 * The network a command works on: a network file, or a genotype file lowered with the search
 * space it names and checked against the network limits. Failures are `InputError`s naming
 * the file (exit 2), or a `UsageError` when neither is given.
 */
import { basename } from 'node:path';
import { UsageError } from '../core/diagnostics.js';
import type { NetworkSpec } from '../core/network.js';
import { loadNetwork } from '../core/network-check.js';
import { checkLoweredNetwork, lowerGenotypeToNetwork } from './lower-genotype.js';
import { loadGenotype } from './spaces.js';

/** `runs/x/cifar22-mixed.genotype.json` → `cifar22-mixed`. */
function nameOfGenotypeFile(file: string): string {
  return basename(file).replace(/(\.genotype)?\.json$/, '') || 'network';
}

/** A network file, or a genotype file lowered with its space (the network named after the file). */
export function loadNetworkInput(input: { network?: string; genotype?: string }): NetworkSpec {
  if (input.network !== undefined) return loadNetwork(input.network);
  if (input.genotype === undefined) throw new UsageError('expected --network or --genotype');
  const { genotype, space } = loadGenotype(input.genotype);
  return checkLoweredNetwork(lowerGenotypeToNetwork(space, genotype, nameOfGenotypeFile(input.genotype)), input.genotype);
}
