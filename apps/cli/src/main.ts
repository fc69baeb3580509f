import 'reflect-metadata';
import { Command, CommanderError } from 'commander';
import { InfrastructureError, LoopwrightError, ValidationError } from '@loopwright/core';
import { CliContext, EXIT } from './cli-context';
import { auditCommand } from './commands/audit-command';
import { goalCommand } from './commands/goal-command';
import { importCommand } from './commands/import-command';
import { reviewsCommand } from './commands/reviews-command';
import { rulesCommand } from './commands/rules-command';
import { runsCommand } from './commands/runs-command';
import { reportCommand } from './commands/report-command';
import { projectionsCommand } from './commands/projections-command';
import { openCliDatabase } from './cli-database';

export function buildProgram(context: CliContext): Command {
  const program = new Command('loopwright')
    .description(
      'Loopwright runs agent work, grades it, and moves decisions from frontier models to cheaper tiers.\n' +
        'It reads NATS_URL (the log) and DATABASE_URL (the projections); `node scripts/services.mjs` starts both locally.',
    )
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  program.addCommand(goalCommand(context));
  program.addCommand(importCommand(context));
  program.addCommand(auditCommand(context));
  program.addCommand(reviewsCommand(context));
  program.addCommand(rulesCommand(context));
  program.addCommand(runsCommand(context));
  program.addCommand(projectionsCommand(context));
  program.addCommand(reportCommand(context));
  return program;
}

/** Runs the CLI and returns its exit code: 0 ok, 1 a problem found, 2 bad input, 3 a service unreachable. */
export async function runCli(argv: readonly string[]): Promise<number> {
  const context = new CliContext(openCliDatabase);
  process.exitCode = undefined;
  try {
    await buildProgram(context).parseAsync([...argv], { from: 'user' });
    return Number(process.exitCode ?? EXIT.ok);
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    if (error instanceof ValidationError) {
      console.error(`error: ${error.message}`);
      return EXIT.usage;
    }
    if (error instanceof InfrastructureError) {
      console.error(`error: ${error.message}`);
      return EXIT.unavailable;
    }
    console.error(`error: ${error instanceof LoopwrightError ? error.message : (error as Error).stack ?? String(error)}`);
    return EXIT.failed;
  } finally {
    await context.close().catch(() => undefined);
  }
}

if (require.main === module || process.argv[1]?.endsWith('loopwright.js')) {
  void runCli(process.argv.slice(2)).then((code) => process.exit(code));
}
