import { baseName, invokesCommand, parseTestInvocation, PYTHON, simpleCommands, unwrap } from './test-runner';

/**
 * What a shell command line does, read from its simple commands the way a shell would run them:
 * runs code, reads a file, deploys, verifies a deployment. A command that only names a program
 * (`echo pytest`), lists or tests a file (`ls`, `test -f`), or asks a tool its version does none
 * of these: the behavior gates read these verdicts, so a worker cannot satisfy them by mentioning.
 */

/** The goal's own commands: a command line that contains one of them counts as it. */
export interface GoalCommands {
  testCommand?: string;
  /** A goal-specific deploy command (the goal's `deployCommand` label). */
  deployCommand?: string;
  /** A goal-specific live check (the goal's `verifyCommand` label). */
  verifyCommand?: string;
}

const contains = (line: string, command: string | undefined) => command !== undefined && invokesCommand(line, command);

const SHELLS = new Set(['bash', 'sh', 'zsh', 'dash', 'ksh']);
const INTERPRETERS = /^(?:node|nodejs|deno|bun|ruby|perl|php|lua|Rscript|java|tsx|ts-node|python\d*(?:\.\d+)?|pypy3?)$/;
const INLINE_FLAGS = new Set(['-e', '--eval', '-c', '-p', '--print', '-r']);
const QUERY_FLAGS = new Set(['--version', '-V', '-v', '--help', '-h', 'version', 'help']);
const NOT_RUNNING_MODULES = new Set(['pip', 'venv', 'ensurepip', 'json.tool', 'site']);
/** Programs that build or run a project's code when invoked with any (or the listed) subcommand. */
const RUN_TOOLS: Record<string, readonly string[] | 'any'> = {
  make: 'any', cmake: 'any', ninja: 'any', tsc: 'any', javac: 'any', gcc: 'any', 'g++': 'any', clang: 'any', 'clang++': 'any',
  rustc: 'any', swift: 'any', kotlinc: 'any', ghc: 'any', zig: 'any', webpack: 'any', vite: 'any', esbuild: 'any', rollup: 'any',
  uvicorn: 'any', gunicorn: 'any', flask: 'any', rails: 'any', rake: 'any', sbt: 'any', mix: 'any', mvn: 'any', gradle: 'any',
  go: ['run', 'build', 'test', 'vet', 'generate'],
  cargo: ['run', 'build', 'test', 'check', 'bench'],
  dotnet: ['run', 'build', 'test'],
  npm: ['run', 'run-script', 'start', 'test', 't', 'exec'],
  yarn: ['run', 'start', 'test', 'exec', 'dlx', 'build'],
  pnpm: ['run', 'start', 'test', 'exec', 'dlx', 'build'],
  stack: ['run', 'build', 'test'],
  cabal: ['run', 'build', 'test'],
};

/** The simple commands of a line, unwrapped to the program that really runs and its arguments. */
function programs(line: string): string[][] {
  return simpleCommands(line)
    .filter((tokens) => !['cd', 'export', 'source', '.'].includes(tokens[0]) && !tokens[0].startsWith('#'))
    .map((tokens) => unwrap(tokens))
    .filter((words) => words.length > 0);
}

/** The module form of a delivered path (`src/lib/parse.py` → `src/lib/parse`, `src.lib.parse`). */
function mentionsDelivered(code: string, delivered: readonly string[]): boolean {
  return delivered.some((path) => {
    const stem = path.replace(/\.[A-Za-z0-9]+$/, '');
    return stem.length > 1 && (code.includes(path) || code.includes(stem) || code.includes(stem.replace(/\//g, '.')));
  });
}

function interpreterRunsCode(words: readonly string[], delivered: readonly string[]): boolean {
  const args = words.slice(1);
  if (args.length === 0 || args.every((a) => QUERY_FLAGS.has(a))) return false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (INLINE_FLAGS.has(arg)) return mentionsDelivered(args[i + 1] ?? '', delivered);
    if (arg === '-m') return !NOT_RUNNING_MODULES.has(args[i + 1] ?? '');
    if (QUERY_FLAGS.has(arg)) return false;
    if (!arg.startsWith('-')) return true;
  }
  return false;
}

function programRunsCode(words: readonly string[], context: { delivered: readonly string[] }): boolean {
  const [first, second = ''] = words;
  const name = baseName(first);
  if (SHELLS.has(name)) {
    const c = words.indexOf('-c');
    if (c >= 0) return runsCode(words[c + 1] ?? '', context);
    return words.slice(1).some((a) => !a.startsWith('-'));
  }
  if (INTERPRETERS.test(name) || PYTHON.test(name)) return interpreterRunsCode(words, context.delivered);
  const tool = RUN_TOOLS[name.replace(/w$/, '')] ?? RUN_TOOLS[name];
  if (tool) return tool === 'any' ? !words.slice(1).some((a) => QUERY_FLAGS.has(a)) : tool.includes(second);
  // An executable by path (`./check.sh`, `bin/run`), unless it is a system reader under another name.
  return first.includes('/') && !first.startsWith('/');
}

/**
 * Whether a command line executes code: a test runner, a script or program of the workspace, a
 * build, inline code that loads a delivered file, or the goal's own test command.
 */
export function runsCode(line: string, context: GoalCommands & { delivered?: readonly string[] } = {}): boolean {
  if (contains(line, context.testCommand)) return true;
  const delivered = context.delivered ?? [];
  return programs(line).some((words) => parseTestInvocation(words.join(' ')) !== null || programRunsCode(words, { delivered }));
}

const READERS = new Set(['cat', 'head', 'tail', 'less', 'more', 'bat', 'batcat', 'jq', 'yq', 'nl', 'view', 'tac']);
const STDOUT_REDIRECT = /^(?:1|&)?>>?(?!&)/;
const relative = (path: string) => path.replace(/\\/g, '/').replace(/^(?:\.\/)+/, '');

/** Whether a command line prints `path` into the trace: a reader given the file, its output not sent elsewhere. */
export function readsFile(line: string, path: string): boolean {
  const target = relative(path);
  return simpleCommands(line).some((tokens) => {
    if (tokens.some((t) => STDOUT_REDIRECT.test(t))) return false;
    const words = unwrap(tokens);
    return words.length > 1 && READERS.has(baseName(words[0])) && words.slice(1).some((a) => !a.startsWith('-') && relative(a) === target);
  });
}

/** A deploy (or its dry run) recognized on a command line. */
export interface DeployInvocation {
  tool: string;
  dryRun: boolean;
}

const KUBECTL_VALUE_FLAGS = new Set(['-n', '--namespace', '--context', '--kubeconfig', '-s', '--server', '--cluster', '--user']);
const KUBECTL_DEPLOYS: Record<string, string> = { apply: 'kubectl apply', create: 'kubectl create', replace: 'kubectl replace', patch: 'kubectl patch', scale: 'kubectl scale' };

/** The subcommand words of a CLI after its global flags (`kubectl -n shop apply` → `apply`). */
function subcommands(words: readonly string[], valueFlags: ReadonlySet<string>): string[] {
  const rest: string[] = [];
  for (let i = 1; i < words.length; i++) {
    if (valueFlags.has(words[i])) i++;
    else if (!words[i].startsWith('-')) rest.push(words[i]);
  }
  return rest;
}

const isDryRun = (words: readonly string[]) => words.some((w) => (w === '--dry-run' || w.startsWith('--dry-run=')) && w !== '--dry-run=none');

function deployOf(words: readonly string[]): DeployInvocation | null {
  if (words.some((w) => w === '--help' || w === '-h')) return null;
  const name = baseName(words[0]);
  const [sub = '', sub2 = ''] = subcommands(words, name === 'kubectl' ? KUBECTL_VALUE_FLAGS : new Set());
  const found = (tool: string, dryRun = isDryRun(words)): DeployInvocation => ({ tool, dryRun });
  switch (name) {
    case 'kubectl':
      if (KUBECTL_DEPLOYS[sub]) return found(KUBECTL_DEPLOYS[sub]);
      if (sub === 'rollout' && (sub2 === 'restart' || sub2 === 'undo')) return found(`kubectl rollout ${sub2}`);
      if (sub === 'set' && sub2 === 'image') return found('kubectl set image');
      return null;
    case 'helm':
      return ['upgrade', 'install', 'rollback'].includes(sub) ? found(`helm ${sub}`) : null;
    case 'docker':
      if (sub === 'compose' && sub2 === 'up') return found('docker compose up');
      return sub === 'stack' && sub2 === 'deploy' ? found('docker stack deploy') : null;
    case 'docker-compose':
      return sub === 'up' ? found('docker compose up') : null;
    case 'terraform':
    case 'tofu':
      if (sub === 'apply') return found('terraform apply');
      return sub === 'plan' ? found('terraform plan', true) : null;
    case 'pulumi':
      if (sub === 'up') return found('pulumi up');
      return sub === 'preview' ? found('pulumi preview', true) : null;
    case 'wrangler':
      return sub === 'deploy' || sub === 'publish' ? found('wrangler deploy', isDryRun(words)) : null;
    case 'fly':
    case 'flyctl':
    case 'netlify':
    case 'serverless':
    case 'sls':
    case 'cdk':
    case 'vercel':
      return sub === 'deploy' || (name === 'vercel' && words.includes('--prod')) ? found(`${name === 'flyctl' ? 'fly' : name} deploy`) : null;
    case 'gcloud':
    case 'aws':
      return words.includes('deploy') ? found(`${name} deploy`) : null;
    case 'ansible-playbook':
      return found('ansible-playbook', words.includes('--check'));
    case 'npm':
    case 'yarn':
    case 'pnpm':
    case 'bun': {
      const script = sub === 'run' || sub === 'run-script' ? sub2 : sub;
      return /^deploy(?::|$)/.test(script) ? found('npm run deploy') : null;
    }
    case 'make':
      return /^deploy/.test(sub) ? found('make deploy') : null;
    default:
      if (SHELLS.has(name)) return /^deploy[\w.-]*$/.test(baseName(sub)) ? found('deploy script') : null;
      return words[0].includes('/') && /^deploy[\w.-]*$/.test(name) ? found('deploy script') : null;
  }
}

/** The deploy a command line runs (or dry-runs), or null when it deploys nothing. */
export function parseDeployInvocation(line: string, goal: GoalCommands = {}): DeployInvocation | null {
  for (const words of programs(line)) {
    const found = deployOf(words);
    if (found) return found;
  }
  return contains(line, goal.deployCommand) ? { tool: 'goal', dryRun: false } : null;
}

const PROBES = new Set(['curl', 'wget', 'http', 'https', 'xh', 'httpie']);
const STATUS: Record<string, readonly string[]> = {
  kubectl: ['rollout', 'get', 'describe', 'wait', 'logs', 'top'],
  helm: ['status', 'test'],
  systemctl: ['status', 'is-active'],
};

function programVerifies(words: readonly string[]): boolean {
  const name = baseName(words[0]);
  if (words.slice(1).some((w) => QUERY_FLAGS.has(w))) return false;
  if (PROBES.has(name)) return words.slice(1).some((a) => !a.startsWith('-'));
  if (name === 'nc' || name === 'ncat') return words.includes('-z');
  const [sub = '', sub2 = ''] = subcommands(words, name === 'kubectl' ? KUBECTL_VALUE_FLAGS : new Set());
  if (name === 'kubectl' && sub === 'rollout') return sub2 === 'status';
  if (STATUS[name]) return STATUS[name].includes(sub);
  if (name === 'docker') return sub === 'ps' || (sub === 'compose' && (sub2 === 'ps' || sub2 === 'logs'));
  if (name === 'docker-compose') return sub === 'ps' || sub === 'logs';
  return false;
}

/**
 * Whether a command line checks a running deployment: an HTTP probe, a rollout or status query, a
 * smoke test run, or the goal's own test or verify command.
 */
export function verifiesLive(line: string, goal: GoalCommands): boolean {
  if (contains(line, goal.testCommand) || contains(line, goal.verifyCommand)) return true;
  return programs(line).some((words) => programVerifies(words) || parseTestInvocation(words.join(' ')) !== null);
}
