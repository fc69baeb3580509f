// Module boundaries (ARCHITECTURE.md): domain libraries stay free of Nest, TypeORM, NATS and pg;
// infrastructure builds on the domain; apps on both; only tests reach for libs/testing.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import nxPlugin from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';
import devkit from 'nx/src/devkit-exports.js';

process.env.NX_DAEMON ??= 'false';
process.env.NX_NO_CLOUD ??= 'true';

// @nx/enforce-module-boundaries reads the cached project graph and silently skips itself when
// there is none, so build it now (it is written under .nx/).
try {
  await devkit.createProjectGraphAsync({ exitOnError: false });
} catch (err) {
  process.stderr.write(`eslint.config.mjs: no Nx project graph (${err.message}); ` +
    'only the no-restricted-imports fallback guards the domain libraries\n');
}

const INFRA_PACKAGES = ['@nestjs/*', 'typeorm', 'typeorm/*', '@nats-io/*', 'pg', 'pg/*'];
// Tests, test support inside a project (src/testing/) and the end-to-end harness may use libs/testing.
const TEST_FILES = ['**/*.spec.ts', '**/*.test.ts', '**/src/testing/**/*.ts', 'apps/e2e/**/*.ts'];

const depConstraints = ({ testsMayUseTesting }) => {
  const testing = testsMayUseTesting ? ['type:testing'] : [];
  return [
    { sourceTag: 'type:domain', onlyDependOnLibsWithTags: ['type:domain', ...testing], bannedExternalImports: INFRA_PACKAGES },
    { sourceTag: 'type:infra', onlyDependOnLibsWithTags: ['type:domain', 'type:infra', ...testing] },
    { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:domain', 'type:infra', 'type:app', ...testing] },
    { sourceTag: 'type:testing', onlyDependOnLibsWithTags: ['*'] },
  ];
};
const boundaries = (options) => ['error', { enforceBuildableLibDependency: false, allow: [], depConstraints: depConstraints(options) }];

// The fallback reads the tags from the project.json files and the aliases from tsconfig.base.json itself.
const root = path.dirname(fileURLToPath(import.meta.url));
const projects = ['libs', 'apps']
  .flatMap((dir) => (fs.existsSync(path.join(root, dir)) ? fs.readdirSync(path.join(root, dir)).map((name) => `${dir}/${name}`) : []))
  .filter((dir) => fs.existsSync(path.join(root, dir, 'project.json')))
  .map((dir) => ({ dir, tags: JSON.parse(fs.readFileSync(path.join(root, dir, 'project.json'), 'utf8')).tags ?? [] }));
const domainDirs = projects.filter((p) => p.tags.includes('type:domain')).map((p) => p.dir);
const aliases = Object.entries(JSON.parse(fs.readFileSync(path.join(root, 'tsconfig.base.json'), 'utf8')).compilerOptions.paths);
const aliasesOutside = (dirs) => aliases.filter(([, [target]]) => !dirs.some((dir) => target.startsWith(`${dir}/`))).map(([alias]) => alias);
const testingDirs = projects.filter((p) => p.tags.includes('type:testing')).map((p) => p.dir);

const domainImportBan = (libraries) => ['error', {
  patterns: [
    { group: INFRA_PACKAGES, message: 'Domain libraries import nothing from Nest, TypeORM, NATS or pg (ARCHITECTURE.md).' },
    ...(libraries.length ? [{ group: libraries, message: 'Domain libraries depend only on domain libraries.' }] : []),
  ],
}];
const domainFiles = domainDirs.map((dir) => `${dir}/**/*.ts`);

export default [
  { ignores: ['**/node_modules/**', 'dist/**', 'tmp/**', 'coverage/**', '.data/**', '.nx/**', 'reports/**'] },
  {
    files: ['**/*.ts'],
    languageOptions: { parser: tseslint.parser, parserOptions: { ecmaVersion: 2022, sourceType: 'module' } },
    // Registered so that `eslint-disable` comments naming its rules resolve; none of them is switched on here.
    plugins: { '@typescript-eslint': tseslint.plugin, '@nx': nxPlugin },
    linterOptions: { reportUnusedDisableDirectives: 'off' },
    rules: { '@nx/enforce-module-boundaries': boundaries({ testsMayUseTesting: false }) },
  },
  { files: TEST_FILES, rules: { '@nx/enforce-module-boundaries': boundaries({ testsMayUseTesting: true }) } },
  // The same bans without the project graph, so they hold even where the Nx rule cannot run.
  ...(domainFiles.length ? [
    { files: domainFiles, rules: { 'no-restricted-imports': domainImportBan(aliasesOutside([...domainDirs, ...testingDirs])) } },
    { files: domainFiles, ignores: TEST_FILES, rules: { 'no-restricted-imports': domainImportBan(aliasesOutside(domainDirs)) } },
  ] : []),
];
