import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Linter } from 'eslint';

const ROOT = path.resolve(__dirname, '../../..');

interface Snippet {
  file: string;
  code: string;
}
type Finding = Pick<Linter.LintMessage, 'ruleId' | 'severity' | 'message'>;

/**
 * Lints snippets with the `ESLint` class and the repository's eslint.config.mjs, as if each were the named file.
 * In a child process: ESLint loads its config with a dynamic import, which Jest's module sandbox does not allow.
 */
async function lintSnippets(snippets: Snippet[]): Promise<Finding[][]> {
  const script = `
    import { ESLint } from 'eslint';
    import path from 'node:path';
    const eslint = new ESLint({ cwd: process.cwd() });
    const out = [];
    for (const { file, code } of JSON.parse(process.env.SNIPPETS)) {
      const [result] = await eslint.lintText(code, { filePath: path.join(process.cwd(), file) });
      out.push(result.messages.map(({ ruleId, severity, message }) => ({ ruleId, severity, message })));
    }
    process.stdout.write(JSON.stringify(out));
  `;
  const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], {
    cwd: ROOT, env: { ...process.env, SNIPPETS: JSON.stringify(snippets) }, maxBuffer: 10 * 1024 * 1024,
  });
  return JSON.parse(stdout) as Finding[][];
}

const SNIPPETS = {
  nestInDomain: { file: 'libs/events/src/boundary-probe.ts', code: "import { Injectable } from '@nestjs/common';\nexport const x = Injectable;\n" },
  typeormInDomain: { file: 'libs/checks/src/boundary-probe.ts', code: "import { DataSource } from 'typeorm';\nexport const x = DataSource;\n" },
  natsInDomain: { file: 'libs/models/src/boundary-probe.ts', code: "import { jetstream } from '@nats-io/jetstream';\nexport const x = jetstream;\n" },
  pgInDomain: { file: 'libs/core/src/boundary-probe.ts', code: "import { Client } from 'pg';\nexport const x = Client;\n" },
  infraInDomain: { file: 'libs/rubrics/src/boundary-probe.ts', code: "import * as log from '@loopwright/eventlog';\nexport const x = log;\n" },
  domainInDomain: { file: 'libs/checks/src/boundary-probe.ts', code: "import { catalog } from '@loopwright/events';\nexport const x = catalog;\n" },
  infraUsesNats: {
    file: 'libs/eventlog/src/boundary-probe.ts',
    code: "import { connect } from '@nats-io/transport-node';\nimport { DataSource } from 'typeorm';\nexport const x = [connect, DataSource];\n",
  },
  testingInInfraCode: { file: 'libs/eventlog/src/boundary-probe.ts', code: "import { natsUrl } from '@loopwright/testing';\nexport const x = natsUrl;\n" },
  testingInInfraTest: { file: 'libs/eventlog/src/boundary-probe.int.spec.ts', code: "import { natsUrl } from '@loopwright/testing';\nexport const x = natsUrl;\n" },
  testingInAppCode: { file: 'apps/router/src/boundary-probe.ts', code: "import { natsUrl } from '@loopwright/testing';\nexport const x = natsUrl;\n" },
  testingInE2eHarness: { file: 'apps/e2e/src/boundary-probe.ts', code: "import { natsUrl } from '@loopwright/testing';\nexport const x = natsUrl;\n" },
} satisfies Record<string, Snippet>;

/** The repository's eslint.config.mjs, run by ESLint over snippets placed in real projects. */
describe('module boundaries (eslint.config.mjs)', () => {
  const findings = {} as Record<keyof typeof SNIPPETS, Finding[]>;
  const errors = (name: keyof typeof SNIPPETS) => findings[name].filter((f) => f.severity === 2);

  beforeAll(async () => {
    const names = Object.keys(SNIPPETS) as (keyof typeof SNIPPETS)[];
    const results = await lintSnippets(names.map((name) => SNIPPETS[name]));
    names.forEach((name, i) => (findings[name] = results[i]));
  });

  it('refuses @nestjs/common in a domain library, naming the import, with and without the project graph', () => {
    expect(errors('nestInDomain')).toEqual(expect.arrayContaining([
      expect.objectContaining({ ruleId: '@nx/enforce-module-boundaries', message: expect.stringContaining('@nestjs/common') }),
      expect.objectContaining({ ruleId: 'no-restricted-imports', message: expect.stringContaining('@nestjs/common') }),
    ]));
  });

  it.each([
    ['typeormInDomain', 'typeorm'],
    ['natsInDomain', '@nats-io/jetstream'],
    ['pgInDomain', 'pg'],
  ] as const)('refuses in a domain library: %s', (name, banned) => {
    expect(errors(name).map((f) => f.ruleId).sort()).toEqual(['@nx/enforce-module-boundaries', 'no-restricted-imports']);
    for (const finding of errors(name)) expect(finding.message).toMatch(new RegExp(`["']${banned.replace(/[/.]/g, '\\$&')}["']`));
  });

  it('refuses an infrastructure library in a domain library', () => {
    expect(errors('infraInDomain').map((f) => f.ruleId).sort()).toEqual(['@nx/enforce-module-boundaries', 'no-restricted-imports']);
  });

  it('lets a domain library import another domain library', () => {
    expect(findings.domainInDomain).toEqual([]);
  });

  it('lets an infrastructure library use NATS and TypeORM', () => {
    expect(findings.infraUsesNats).toEqual([]);
  });

  it('keeps libs/testing out of production code but lets tests use it', () => {
    expect(errors('testingInInfraCode')).toEqual([expect.objectContaining({ ruleId: '@nx/enforce-module-boundaries' })]);
    expect(findings.testingInInfraTest).toEqual([]);
  });

  it('keeps libs/testing out of an app but lets the end-to-end harness use it', () => {
    expect(errors('testingInAppCode')).toEqual([expect.objectContaining({ ruleId: '@nx/enforce-module-boundaries' })]);
    expect(findings.testingInE2eHarness).toEqual([]);
  });
});
