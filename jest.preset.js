// Shared Jest settings for every project: SWC transform (with decorator metadata for Nest) and the tsconfig path aliases.
const path = require('node:path');
const { compilerOptions } = require('./tsconfig.base.json');
const swcConfig = require('./.swcrc.jest.json');

const moduleNameMapper = {};
for (const [alias, [target]] of Object.entries(compilerOptions.paths)) {
  moduleNameMapper[`^${alias.replace(/[/]/g, '\\/')}$`] = path.join(__dirname, target);
}

module.exports = {
  testEnvironment: 'node',
  transform: { '^.+\\.(ts|js|mjs)$': ['@swc/jest', { ...swcConfig, swcrc: false }] },
  // NestJS 12 ships ES modules only; Jest's CommonJS runtime needs them compiled.
  transformIgnorePatterns: ['/node_modules/(?!(@nestjs|uid|load-esm|iterare|file-type|strtok3|token-types|@tokenizer)/)'],
  moduleFileExtensions: ['ts', 'js', 'json'],
  moduleNameMapper,
  testMatch: ['<rootDir>/**/*.spec.ts'],
  setupFiles: [path.join(__dirname, 'jest.setup.js')],
};
