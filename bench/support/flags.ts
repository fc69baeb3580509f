import { parseArgs } from 'node:util';

/** A numeric flag of a benchmark (`--name N` or `--name=N`), a switch (`--name`), or a text (`--name value`). */
export type FlagSpec =
  | { default: number; help: string; /** Accept fractions (seconds, rates); integers otherwise. */ fractional?: boolean }
  | { default: boolean; help: string }
  | { default: string; help: string };

export type Flags<S extends Record<string, FlagSpec>> = {
  [K in keyof S]: S[K]['default'] extends boolean ? boolean : S[K]['default'] extends string ? string : number;
};

/** Parses the benchmark's flags; `--help` prints them with their defaults and exits. */
export function parseFlags<S extends Record<string, FlagSpec>>(benchName: string, spec: S, argv = process.argv.slice(2)): Flags<S> {
  const { values } = parseArgs({
    args: argv,
    options: {
      help: { type: 'boolean', short: 'h' },
      ...Object.fromEntries(
        Object.entries(spec).map(([name, flag]) => [name, { type: typeof flag.default === 'boolean' ? ('boolean' as const) : ('string' as const) }]),
      ),
    },
    strict: true,
  });
  if (values['help']) {
    console.log(`usage: node -r @swc-node/register bench/${benchName}.ts [flags]`);
    for (const [name, flag] of Object.entries(spec)) console.log(`  --${name.padEnd(18)} ${flag.help} (default ${flag.default})`);
    process.exit(0);
  }
  const flags = {} as Record<string, number | boolean | string>;
  for (const [name, flag] of Object.entries(spec)) {
    const raw = (values as Record<string, string | boolean | undefined>)[name];
    if (typeof flag.default === 'boolean') {
      flags[name] = raw === undefined ? flag.default : Boolean(raw);
      continue;
    }
    if (typeof flag.default === 'string') {
      flags[name] = raw === undefined ? flag.default : String(raw);
      continue;
    }
    const fractional = 'fractional' in flag && flag.fractional;
    const value = raw === undefined ? flag.default : Number(raw);
    if (!Number.isFinite(value) || value <= 0 || (!fractional && !Number.isInteger(value))) {
      throw new Error(`--${name} must be a positive ${fractional ? 'number' : 'integer'}, got "${String(raw)}"`);
    }
    flags[name] = value;
  }
  return flags as Flags<S>;
}
