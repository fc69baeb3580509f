import { Command } from 'commander';
import { ValidationError } from '@loopwright/core';
import { createEvent, EventOf } from '@loopwright/events';
import type { EventLog } from '@loopwright/eventlog';
import { CliContext, EXIT } from '../cli-context';

interface ReviewView {
  requested: EventOf<'review.requested'>;
  resolved?: EventOf<'review.resolved'>;
}

async function readReviews(log: EventLog, reviewId = '*'): Promise<Map<string, ReviewView>> {
  const reviews = new Map<string, ReviewView>();
  for await (const stored of log.replay({ filter: `${log.config.subjectRoot}.review.${reviewId}.>` })) {
    const e = stored.event;
    if (e?.type === 'review.requested') reviews.set(e.data.reviewId, { requested: e });
    if (e?.type === 'review.resolved') {
      const view = reviews.get(e.data.reviewId);
      if (view) view.resolved = e;
    }
  }
  return reviews;
}

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
      if (!['accept', 'reject', 'retry'].includes(flags.resolution)) {
        throw new ValidationError(`--resolution must be accept, reject or retry, not "${flags.resolution}"`);
      }
      const log = await context.log();
      const view = (await readReviews(log, reviewId)).get(reviewId);
      if (!view) {
        console.error(`no review ${reviewId}: see \`loopwright reviews list\``);
        process.exitCode = EXIT.failed;
        return;
      }
      if (view.resolved) {
        console.error(`review ${reviewId} was already resolved (${view.resolved.data.resolution} by ${view.resolved.data.by})`);
        process.exitCode = EXIT.failed;
        return;
      }
      await log.append(
        createEvent({
          type: 'review.resolved',
          aggregateId: reviewId,
          producer: 'submitter',
          correlationId: view.requested.correlationId,
          causationId: view.requested.id,
          data: { reviewId, resolution: flags.resolution as 'accept' | 'reject' | 'retry', by: flags.by, note: flags.note },
        }),
      );
      console.log(`review ${reviewId} resolved: ${flags.resolution}`);
    });
  return reviews;
}
