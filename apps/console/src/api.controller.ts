import { Body, Controller, Get, HttpCode, HttpException, Inject, MessageEvent, NotFoundException, Param, Post, Query, Sse } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { firstValueFrom, map, Observable } from 'rxjs';
import type { EventLog } from '@loopwright/eventlog';
import { SubjectToken } from '@loopwright/events';
import { RuleDetail, ruleDetail, ReviewSummary, reviewsList, RunSummary, runsList, RunTimeline, runTimeline, rulesList } from '@loopwright/projections';
import { resolveReview, submitGoal, SubmittedGoal } from '@loopwright/actions';
import type { RuleCommand } from '@loopwright/mining';
import { commandRule, EVENT_LOG } from '@loopwright/service';
import { ApproveRuleRequest, goalFromRequest, parseRequest, RejectRuleRequest, ResolveReviewRequest } from './action-requests';
import { PROJECTION_WATCH, PROJECTIONS_DB } from './console.tokens';
import { TierShareView, tierShareView } from './tier-share-view';

const optionalInt = (value: string | undefined, name: string): number | undefined => {
  if (value === undefined || value === '') return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new HttpException({ statusCode: 400, error: `${name} must be a positive whole number, not "${value}"` }, 400);
  return n;
};

/** What a rule action did: the events appended, or nothing with the reason. */
export type RuleActionResult = { ruleId: string; appended: string[] } | { ruleId: string; ignored: string };

/** The JSON API: reads from the projections, actions through the same functions as the command line. */
@Controller('api')
export class ApiController {
  constructor(
    @Inject(PROJECTIONS_DB) private readonly db: DataSource,
    @Inject(EVENT_LOG) private readonly log: EventLog,
    @Inject(PROJECTION_WATCH) private readonly position: Observable<number>,
  ) {}

  @Get('runs')
  runs(@Query() q: Record<string, string | undefined>): Promise<RunSummary[]> {
    return runsList(this.db, { status: q['status'], role: q['role'], backend: q['backend'], text: q['text'], limit: optionalInt(q['limit'], 'limit') });
  }

  @Get('runs/:runId')
  async run(@Param('runId') runId: string): Promise<RunTimeline> {
    const timeline = await runTimeline(this.db, runId);
    if (!timeline) throw new NotFoundException({ statusCode: 404, error: `no run ${runId} in the projections: see GET /api/runs (a run just submitted appears once the miner has projected it)` });
    return timeline;
  }

  @Get('tier-share')
  tierShare(@Query('window') window?: string, @Query('runs') runs?: string): Promise<TierShareView> {
    return tierShareView(this.db, { windowSize: optionalInt(window, 'window'), runs: optionalInt(runs, 'runs') });
  }

  @Get('reviews')
  reviews(@Query('status') status?: string): Promise<ReviewSummary[]> {
    if (status !== undefined && status !== 'open' && status !== 'resolved') {
      throw new HttpException({ statusCode: 400, error: `status must be open or resolved, not "${status}"` }, 400);
    }
    return reviewsList(this.db, { status });
  }

  @Post('reviews/:reviewId/resolve')
  @HttpCode(200)
  async resolve(@Param('reviewId') reviewId: string, @Body() body: unknown): Promise<{ reviewId: string; resolution: string }> {
    const command = parseRequest(ResolveReviewRequest, body, 'the resolution is not valid');
    const decision = await resolveReview(this.log, reviewId, command);
    if (decision.kind === 'refuse') throw new HttpException({ statusCode: decision.reason === 'unknown' ? 404 : 409, error: decision.message }, decision.reason === 'unknown' ? 404 : 409);
    return { reviewId, resolution: command.resolution };
  }

  @Get('rules')
  async rules(@Query('state') state?: string): Promise<RuleDetail[]> {
    const rules = await rulesList(this.db, { state: state || undefined });
    return Promise.all(rules.map(async (r) => (await ruleDetail(this.db, r.ruleId))!));
  }

  @Get('rules/:ruleId')
  async rule(@Param('ruleId') ruleId: string): Promise<RuleDetail> {
    const rule = await ruleDetail(this.db, ruleId);
    if (!rule) throw new NotFoundException({ statusCode: 404, error: `no rule ${ruleId} in the projections: see GET /api/rules` });
    return rule;
  }

  @Post('rules/:ruleId/approve')
  @HttpCode(200)
  approve(@Param('ruleId') ruleId: string, @Body() body: unknown): Promise<RuleActionResult> {
    const data = parseRequest(ApproveRuleRequest, body, 'the approval is not valid');
    return this.commandRule(ruleId, { type: 'approve', data });
  }

  @Post('rules/:ruleId/reject')
  @HttpCode(200)
  reject(@Param('ruleId') ruleId: string, @Body() body: unknown): Promise<RuleActionResult> {
    const data = parseRequest(RejectRuleRequest, body, 'the rejection is not valid');
    return this.commandRule(ruleId, { type: 'reject', data });
  }

  @Post('goals')
  submit(@Body() body: unknown): Promise<SubmittedGoal> {
    const { runId, goal } = goalFromRequest(body);
    return submitGoal(this.log, runId, goal);
  }

  @Get('position')
  async currentPosition(): Promise<{ position: number }> {
    return { position: await firstValueFrom(this.position) };
  }

  /** Server-sent events: `projections` with the new position each time the projections advance. */
  @Sse('events')
  events(): Observable<MessageEvent> {
    return this.position.pipe(map((position) => ({ type: 'projections', data: { position } })));
  }

  /** Approve or reject through the rule's decider: the same refusals as on the command line. */
  private async commandRule(ruleId: string, command: RuleCommand): Promise<RuleActionResult> {
    const decision = SubjectToken.safeParse(ruleId).success ? await commandRule(this.log, ruleId, command) : undefined;
    if (!decision) throw new NotFoundException({ statusCode: 404, error: `rule ${ruleId} does not exist: see GET /api/rules for rule ids` });
    switch (decision.kind) {
      case 'append':
        return { ruleId, appended: decision.events.map((e) => e.type) };
      case 'ignore':
        return { ruleId, ignored: decision.reason };
      case 'refuse':
        throw new HttpException({ statusCode: 409, error: decision.message }, 409);
      default: {
        const unreachable: never = decision;
        throw new Error(`unknown decision ${JSON.stringify(unreachable)}`);
      }
    }
  }
}
