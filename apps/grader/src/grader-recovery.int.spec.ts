import { createEvent, EventOf, LoopEvent } from '@loopwright/events';
import { EventLog, LogConfig } from '@loopwright/eventlog';
import { loadRoleBoundaries, loadRubrics } from '@loopwright/rubrics';
import { LoopMetrics } from '@loopwright/service';
import { dropTestStream, testLogConfig } from '@loopwright/testing';
import { GraderOptions, GraderService } from './grader.service';
import { sumGoalAndWork } from './sum-goal.fixture';

const rubrics = loadRubrics();
const RUN = 'run-recover';

/** Thrown where a killed process would have stopped: after what it appended, before the next append. */
class Killed extends Error {}

/** The real log, except that the process "dies" (throws) instead of appending a grade.recorded. */
function dyingBeforeTheGrade(log: EventLog): EventLog {
  return new Proxy(log, {
    get(target, property, receiver) {
      if (property === 'append') {
        return (event: LoopEvent) => {
          if (event.type === 'grade.recorded') throw new Killed('killed between the last decision.completed and grade.recorded');
          return target.append(event);
        };
      }
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

describe('the grader, killed between its last decision.completed and the grade', () => {
  let config: LogConfig;
  let log: EventLog;
  const graders: GraderService[] = [];

  const options: GraderOptions = {
    rubrics, boundaries: loadRoleBoundaries(), commandTimeoutMs: 20_000, judgeEstimateUsd: 0.01,
    resident: async () => undefined,
    frontier: () => {
      throw new Error('no item of this run goes to a model');
    },
  };
  const grader = (on: EventLog) => {
    const service = new GraderService(on, new LoopMetrics('grader'), options);
    graders.push(service);
    return service;
  };

  beforeAll(async () => {
    const base = testLogConfig('grader-recovery');
    config = { ...base, producer: 'grader', duplicateWindowMs: 120_000, artifactBucket: `${base.streamName}_artifacts` };
    log = await EventLog.open(config);
    await (await log.budgets()).openGoal(RUN, 1, false);
  });
  afterAll(async () => {
    for (const service of graders) service.onModuleDestroy();
    await log.close();
    await dropTestStream(config.natsUrl, config.streamName);
  });

  const grades = async () => (await log.readRun(RUN)).filter((e) => e.type === 'grade.recorded');

  it('records the grade, exactly once, when the last routing is delivered again after a restart', async () => {
    const { goal, work } = await sumGoalAndWork(log, RUN, [{ path: 'src/sum.js', content: 'module.exports = { sum: (xs) => xs.reduce((a, b) => a + b, 0) };' }]);
    await log.append(goal);
    await log.append(work);

    const first = grader(dyingBeforeTheGrade(log));
    await first.handle(work);
    const requests = (await log.readRun(RUN)).flatMap((e) => (e.type === 'decision.requested' ? [e] : []));
    expect(requests.length).toBeGreaterThan(0);
    // every item goes to a mined rule, so no model is asked
    const routed = requests.map((r) => createEvent({
      type: 'decision.routed', aggregateId: RUN, producer: 'router', causationId: r.id,
      data: { decisionId: r.data.decisionId, key: r.data.key, tier: 'deterministic', reason: 'a mined rule', reservedUsd: 0, ruleId: 'rule-1', ruleVerdict: r.data.key.includes(':gate:') ? 'pass' : '5' },
    }) as EventOf<'decision.routed'>);
    for (const r of routed) await log.append(r);
    for (const r of routed.slice(0, -1)) await first.handle(r);
    await expect(first.handle(routed.at(-1)!)).rejects.toThrow(Killed);
    const completed = (await log.readRun(RUN)).filter((e) => e.type === 'decision.completed');
    expect(completed).toHaveLength(routed.length);
    expect(await grades()).toHaveLength(0);

    // a new process: the unacked routing comes again
    const restarted = grader(log);
    await restarted.handle(routed.at(-1)!);
    expect(await grades()).toHaveLength(1);

    // delivered once more, and to a second process with nothing cached: still one grade
    await restarted.handle(routed.at(-1)!);
    await grader(log).handle(routed.at(-1)!);
    expect(await grades()).toHaveLength(1);
  }, 120_000);

  it('answers routed decisions delivered together in one round, and fails only the one that cannot be recorded', async () => {
    const run = 'run-together';
    await (await log.budgets()).openGoal(run, 1, false);
    const { goal, work } = await sumGoalAndWork(log, run, [{ path: 'src/sum.js', content: 'module.exports = { sum: (xs) => xs.reduce((a, b) => a + b, 0) };' }]);
    await log.append(goal);
    await log.append(work);
    await grader(log).handle(work);
    const requests = (await log.readRun(run)).flatMap((e) => (e.type === 'decision.requested' ? [e] : []));
    const routed = requests.map((r) => createEvent({
      type: 'decision.routed', aggregateId: run, producer: 'router', causationId: r.id,
      data: { decisionId: r.data.decisionId, key: r.data.key, tier: 'deterministic', reason: 'a mined rule', reservedUsd: 0, ruleId: 'rule-1', ruleVerdict: r.data.key.includes(':gate:') ? 'pass' : '5' },
    }) as EventOf<'decision.routed'>);
    for (const r of routed) await log.append(r);

    // the log refuses one decision's answer, as a broken write would
    const poisoned = routed[1].data.decisionId;
    const isPoisoned = (event: LoopEvent) => event.type === 'decision.completed' && event.data.decisionId === poisoned;
    const appendedTogether: number[] = [];
    const refusing = new Proxy(log, {
      get(target, property, receiver) {
        if (property === 'append') return (event: LoopEvent) => (isPoisoned(event) ? Promise.reject(new Error('refused')) : target.append(event));
        if (property === 'appendMany') {
          return (events: LoopEvent[]) => {
            appendedTogether.push(events.length);
            return events.some(isPoisoned) ? Promise.reject(new Error('refused')) : target.appendMany(events);
          };
        }
        const value: unknown = Reflect.get(target, property, receiver);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const together = grader(refusing);
    const outcomes = await Promise.allSettled(routed.map((r) => together.handleRouted(r)));

    expect(outcomes.map((o) => o.status)).toEqual(routed.map((_, i) => (i === 1 ? 'rejected' : 'fulfilled')));
    expect(Math.max(...appendedTogether)).toBe(routed.length);
    const completed = (await log.readRun(run)).filter((e) => e.type === 'decision.completed');
    expect(completed).toHaveLength(routed.length - 1);
    expect((await log.readRun(run)).filter((e) => e.type === 'grade.recorded')).toHaveLength(0);

    // redelivered on its own to a grader whose log takes it: answered, and the work graded once
    await grader(log).handleRouted(routed[1]);
    const after = await log.readRun(run);
    expect(after.filter((e) => e.type === 'decision.completed')).toHaveLength(routed.length);
    expect(after.filter((e) => e.type === 'grade.recorded')).toHaveLength(1);
  }, 120_000);
});
