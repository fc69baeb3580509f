import { parseArgs } from 'node:util';

/** One numeric flag of a benchmark: `--name N` or `--name=N`. */
export interface FlagSpec {
  default: number;
  help: string;
  /** Accept fractions (seconds, rates); integers otherwise. */
  fractional?: boolean;
}

export type Flags<S extends Record<string, FlagSpec>> = { [K in keyof S]: number };

/** Parses the benchmark's numeric flags; `--help` prints them with their defaults and exits. */
export function parseFlags<S extends Record<string, FlagSpec>>(benchName: string, spec: S, argv = process.argv.slice(2)): Flags<S> {
  const { values } = parseArgs({
    args: argv,
    options: {
      help: { type: 'boolean', short: 'h' },
      ...Object.fromEntries(Object.keys(spec).map((name) => [name, { type: 'string' as const }])),
    },
    strict: true,
  });
  if (values['help']) {
    console.log(`usage: node -r @swc-node/register bench/${benchName}.ts [flags]`);
    for (const [name, flag] of Object.entries(spec)) console.log(`  --${name.padEnd(18)} ${flag.help} (default ${flag.default})`);
    process.exit(0);
  }
  const flags = {} as Record<string, number>;
  for (const [name, flag] of Object.entries(spec)) {
    const raw = (values as Record<string, string | boolean | undefined>)[name];
    const value = raw === undefined ? flag.default : Number(raw);
    if (!Number.isFinite(value) || value <= 0 || (!flag.fractional && !Number.isInteger(value))) {
      throw new Error(`--${name} must be a positive ${flag.fractional ? 'number' : 'integer'}, got "${String(raw)}"`);
    }
    flags[name] = value;
  }
  return flags as Flags<S>;
}
