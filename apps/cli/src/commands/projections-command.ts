import { Command } from 'commander';
import { PROJECTION_NAMES, rebuildProjections } from '@loopwright/projections';
import type { CliContext } from '../cli-context';

export function projectionsCommand(context: CliContext): Command {
  const projections = new Command('projections').description('the read models in PostgreSQL');
  projections
    .command('rebuild [names...]')
    .description(`replay the log from sequence 1 into fresh tables and swap them in (all, or some of: ${PROJECTION_NAMES.join(', ')})`)
    .action(async (names: string[]) => {
      const result = await rebuildProjections(await context.log(), await context.db(), {
        names: names.length > 0 ? names : undefined,
        onBatch: ({ events }) => process.stderr.write(`\r  replayed ${events} events`),
      });
      process.stderr.write('\n');
      console.log(
        `rebuilt ${result.projectors.join(', ')}: ${result.events} events in ${result.seconds.toFixed(1)} s (${Math.round(result.rate)} events/s), ` +
          `${result.swapped ? `swapped in at seq ${result.swappedAtSeq}` : 'another process swapped the same generation in first'}${result.resumed ? ' (resumed an unfinished rebuild)' : ''}`,
      );
    });
  return projections;
}
