#!/usr/bin/env node
// The trips-hw command line: oclif dispatches to dist/cli/commands/<name>.js.
import { execute } from '@oclif/core';

await execute({ dir: import.meta.url });
