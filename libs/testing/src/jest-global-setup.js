// Jest globalSetup: one nats-server with the generated identities for the whole run (see nats-for-tests.ts).
// Jest compiles what this file requires, but resolves no path aliases outside the test runtime: map them here.
const Module = require('node:module');
const path = require('node:path');
const { compilerOptions } = require('../../../tsconfig.base.json');

const root = path.resolve(__dirname, '../../..');
const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function resolveAlias(request, ...rest) {
  const target = compilerOptions.paths[request]?.[0];
  return resolveFilename.call(this, target ? path.join(root, target) : request, ...rest);
};

module.exports = async () => {
  const { natsForTests } = require('./nats-for-tests');
  globalThis.__loopwrightNats = await natsForTests(process.env);
};
