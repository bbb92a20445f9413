/**
 * Artifact schemas — stage: core, the edge of every stage. In: a value, a JSON file or a JSON-lines
 * file, and the artifact name whose schema (schemas/<name>.schema.json) it must match. Out: the
 * value, typed. What stays true: one ajv instance per process, each schema compiled once; a
 * mismatch is a one-line `InputError` naming the file and the JSON pointer.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { InputError } from './diagnostics.js';
import { type JsonLine, readJsonFile, readJsonLinesFile } from './files.js';
import { SCHEMAS_DIR } from './paths.js';

/** The artifacts that have a schema in `schemas/<name>.schema.json`. */
export type ArtifactName =
  | 'search-space'
  | 'genotype'
  | 'network'
  | 'board'
  | 'design'
  | 'calibration'
  | 'cost-report'
  | 'explore-summary'
  | 'manifest'
  | 'sim-record'
  | 'system-result'
  | 'synth-record'
  | 'program'
  | 'golden'
  | 'flow-state'
  | 'baselines'
  | 'weights-manifest'
  | 'checkpoint-state'
  | 'train-summary'
  | 'search-epoch';

let ajv: Ajv | undefined;
const validators = new Map<ArtifactName, ValidateFunction>();

/** One ajv instance for the process; every schema is added once and compiled on first use. */
function schemaRegistry(): Ajv {
  if (ajv) return ajv;
  ajv = new Ajv({ allErrors: false, strict: true, verbose: true });
  for (const file of readdirSync(SCHEMAS_DIR)
    .filter((f) => f.endsWith('.schema.json'))
    .sort()) {
    ajv.addSchema(JSON.parse(readFileSync(join(SCHEMAS_DIR, file), 'utf8')) as object);
  }
  return ajv;
}

function validatorFor(name: ArtifactName): ValidateFunction {
  let validate = validators.get(name);
  if (!validate) {
    const id = `https://trips-hw.dev/schemas/${name}.schema.json`;
    const found = schemaRegistry().getSchema(id);
    if (!found) throw new Error(`internal: schema ${id} is missing from ${SCHEMAS_DIR}`);
    validate = found;
    validators.set(name, validate);
  }
  return validate;
}

function describe(error: ErrorObject): string {
  const p = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return `missing required property "${String(p.missingProperty)}"`;
    case 'additionalProperties':
      return `unknown property "${String(p.additionalProperty)}"`;
    case 'enum':
      return `expected one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'const':
      return `expected ${JSON.stringify(p.allowedValue)}`;
    case 'maximum':
    case 'minimum':
    case 'exclusiveMaximum':
    case 'exclusiveMinimum': {
      const found = typeof error.data === 'number' ? `, found ${error.data}` : '';
      return `expected a value ${String(p.comparison)} ${String(p.limit)}${error.keyword === 'maximum' ? " (trips-hw's limit)" : ''}${found}`;
    }
    case 'maxItems':
      return `expected at most ${String(p.limit)} items (trips-hw's limit)${Array.isArray(error.data) ? `, found ${error.data.length}` : ''}`;
    case 'maxLength':
      return `expected at most ${String(p.limit)} characters${typeof error.data === 'string' ? `, found ${error.data.length}` : ''}`;
    case 'type':
      return `expected ${String(p.type)}, found ${error.data === null ? 'null' : Array.isArray(error.data) ? 'an array' : typeof error.data}`;
    default:
      return `expected a value that ${error.message ?? 'matches the schema'}`;
  }
}

/** Validate `value` as artifact `name`; a mismatch is an `InputError` for `file`. */
export function validateArtifact<T>(name: ArtifactName, value: unknown, file: string): T {
  const validate = validatorFor(name);
  if (!validate(value)) {
    const error = validate.errors?.[0];
    if (!error) throw new InputError(file, '', `not a valid ${name}`);
    const pointer = error.instancePath;
    throw new InputError(file, pointer, `${name}: ${describe(error)}`);
  }
  return value as T;
}

/** Read a JSON artifact from disk and validate it. */
export function loadArtifact<T>(name: ArtifactName, file: string): T {
  return validateArtifact<T>(name, readJsonFile(file), file);
}

/** One line of a JSON-lines file validated as artifact `name`; the pointer starts with its line (`line 3/meas/cycles`). */
export function validateArtifactLine<T>(name: ArtifactName, { line, value }: JsonLine, file: string): T {
  try {
    return validateArtifact<T>(name, value, file);
  } catch (error) {
    if (error instanceof InputError) throw new InputError(file, `line ${line}${error.pointer}`, error.expectation);
    throw error;
  }
}

/** Read a JSON-lines file whose every line is artifact `name`; a bad line is an `InputError` naming it. */
export function loadArtifactLines<T>(name: ArtifactName, file: string): T[] {
  return readJsonLinesFile(file).map((line) => validateArtifactLine<T>(name, line, file));
}
