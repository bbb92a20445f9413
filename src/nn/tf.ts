/**
 * The one TF.js import of the engine: tfjs-core plus its gradient registry. The core package's
 * Node build does not register gradients, and its registration module ships only as ES
 * modules without file extensions, which Node cannot load; `npm run build` bundles it with
 * esbuild into dist/vendor/tfjs-gradients.js. Kernel and gradient registries live in TF.js's
 * global namespace, so registering from that bundle serves this copy of the core.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PACKAGE_ROOT } from '../core/paths.js';

const gradients = join(PACKAGE_ROOT, 'dist', 'vendor', 'tfjs-gradients.js');
if (!existsSync(gradients)) throw new Error(`${gradients} is missing: run "npm run build"`);
await import(pathToFileURL(gradients).href);

export * from '@tensorflow/tfjs-core';
