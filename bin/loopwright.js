#!/usr/bin/env node
// The `loopwright` command: runs the CLI's TypeScript sources through SWC.
require('@swc-node/register');
require('../apps/cli/src/main.ts');
