import { Command } from 'commander';
import { ValidationError } from '@loopwright/core';
import { readReviews, resolveReview, Resolution, RESOLUTIONS } from '@loopwright/actions';
import { CliContext, EXIT } from '../cli-context';

export function reviewsCommand(context: CliContext): Command {
  const reviews = new Command('reviews').description('decisions waiting for a person');
  reviews
    .command('list')
    .description('list reviews (open ones unless --all)')
    .option('--all', 'include resolved reviews')
    .action(async ({ all }: { all?: boolean }) => {
      const views = [...(await readReviews(await context.log())).values()].filter((v) => all || !v.resolved);
      if (views.length === 0) console.log(all ? 'no reviews' : 'no open reviews');
      for (const { requested, resolved } of views) {
        const d = requested.data;
        console.log(`${d.reviewId}  ${resolved ? resolved.data.resolution.padEnd(8) : 'open    '}  ${d.reason.padEnd(20)}  ${d.runId ?? '-'}  ${d.summary}`);
      }
    });
  reviews
    .command('resolve <reviewId>')
    .description('resolve a review: accept, reject, or retry')
    .requiredOption('--resolution <resolution>', 'accept | reject | retry')
    .requiredOption('--by <name>', 'who decided')
    .option('--note <text>', 'why', '')
    .action(async (reviewId: string, flags: { resolution: string; by: string; note: string }) => {
      if (!RESOLUTIONS.includes(flags.resolution as Resolution)) {
        throw new ValidationError(`--resolution must be accept, reject or retry, not "${flags.resolution}"`);
      }
      const decision = await resolveReview(await context.log(), reviewId, { resolution: flags.resolution as Resolution, by: flags.by, note: flags.note });
      if (decision.kind === 'refuse') {
        console.error(decision.reason === 'unknown' ? `${decision.message} (\`loopwright reviews list\`)` : decision.message);
        process.exitCode = EXIT.failed;
        return;
      }
      console.log(`review ${reviewId} resolved: ${flags.resolution}`);
    });
  return reviews;
}
