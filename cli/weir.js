#!/usr/bin/env node
'use strict';
// Runs the TypeScript sources as they are, as the rest of the repository does, so the CLI needs no build step.
require('tsx/cjs/api').register();
require('./main.ts');
