/**
 * Package paths — stage: core. In: where this module sits (src/core under tests, dist/core when
 * built). Out: the package root and the folders shipped with it: schemas/ and hw/boards/.
 */
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

/** The package root: this file sits in src/core (tests) or dist/core (built), two levels down. */
export const PACKAGE_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const SCHEMAS_DIR = join(PACKAGE_ROOT, 'schemas');
export const BOARDS_DIR = join(PACKAGE_ROOT, 'hw', 'boards');
