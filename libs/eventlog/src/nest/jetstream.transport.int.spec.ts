import { Controller, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import type { INestMicroservice } from '@nestjs/common';
import { InfrastructureError, ValidationError } from '@loopwright/core';
import { createEvent, EventOf } from '@loopwright/events';
import { dropTestStream, testLogConfig } from '@loopwright/testing';
import { EventLog, LogConfig } from '../index';
import { jetStreamContext } from './jetstream.context';
import { HandlerErrorsFilter } from './handler-errors.filter';
import { JetStreamTransport } from './jetstream.transport';

const handled: { type: string; seq: number; deliveries: number }[] = [];

@Controller()
class RecordingController {
  @EventPattern('goal.submitted')
  async onGoal(@Payload() event: EventOf<'goal.submitted'>, @Ctx() context: unknown): Promise<void> {
    const ctx = jetStreamContext(context);
    handled.push({ type: event.type, seq: ctx.getSeq(), deliveries: ctx.getDeliveries() });
  }

  @EventPattern('task.started')
  async onTask(@Payload() event: EventOf<'task.started'>, @Ctx() context: unknown): Promise<void> {
    const ctx = jetStreamContext(context);
    if (ctx.getDeliveries() === 1) throw new InfrastructureError('try again');
    handled.push({ type: event.type, seq: ctx.getSeq(), deliveries: ctx.getDeliveries() });
  }

  @EventPattern('task.failed')
  async onFailed(@Payload() event: EventOf<'task.failed'>, @Ctx() context: unknown): Promise<void> {
    handled.push({ type: event.type, seq: jetStreamContext(context).getSeq(), deliveries: jetStreamContext(context).getDeliveries() });
    throw new ValidationError(`task ${event.data.taskId} cannot fail here`);
  }
}

@Module({ controllers: [RecordingController] })
class RecordingModule {}

describe('the Nest JetStream transport', () => {
  let config: LogConfig;
  let log: EventLog;
  let app: INestMicroservice;

  beforeAll(async () => {
    const base = testLogConfig('nest');
    config = { ...base, producer: 'executor', duplicateWindowMs: 120_000, artifactBucket: `${base.streamName}_artifacts` };
    log = await EventLog.open(config);
    app = await NestFactory.createMicroservice(RecordingModule, {
      strategy: new JetStreamTransport({ service: 'recorder', log, defaults: { retryDelayMs: 50 } }),
      logger: false,
    });
    app.useGlobalFilters(new HandlerErrorsFilter());
    await app.listen();
  });

  afterAll(async () => {
    await app.close();
    await log.close();
    await dropTestStream(config.natsUrl, config.streamName);
  });

  it('delivers each event type to its @EventPattern handler through a durable consumer, retrying failures', async () => {
    const goal = await log.emit({
      type: 'goal.submitted',
      aggregateId: 'r1',
      producer: 'submitter',
      data: {
        goalId: 'g1', title: 't', description: 'd', roles: ['engineer'], allowedPaths: ['src/**'], testCommand: 'node t.js', budgetUsd: 1,
      },
    });
    const task = await log.append(
      createEvent({
        type: 'task.started', aggregateId: 'r1', producer: 'executor',
        data: { taskId: 't1', role: 'engineer', iteration: 1, allowedPaths: ['src/**'], maxTurns: 5 },
      }),
    );
    while (handled.length < 2) await new Promise((r) => setTimeout(r, 20));
    expect(handled).toEqual(
      expect.arrayContaining([
        { type: 'goal.submitted', seq: goal.seq, deliveries: 1 },
        { type: 'task.started', seq: task.seq, deliveries: 2 },
      ]),
    );
    const consumers = [];
    for await (const c of log.jsm.consumers.list(config.streamName)) consumers.push(c.name);
    expect(consumers.sort()).toEqual(['recorder-goal-submitted', 'recorder-task-failed', 'recorder-task-started']);
  });

  it('quarantines at once, with its own message, an event whose handler throws an error that is not retryable', async () => {
    const failed = await log.append(
      createEvent({ type: 'task.failed', aggregateId: 'r2', producer: 'executor', data: { taskId: 't2', role: 'engineer', iterations: 1, reason: 'r' } }),
    );
    const notice = await (async () => {
      for (;;) {
        for await (const stored of log.replay({ filter: `${config.subjectRoot}.system.>` })) {
          if (stored.event?.type === 'system.event.quarantined' && stored.event.data.originalSeq === failed.seq) return stored.event;
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    expect(notice.data).toMatchObject({ deliveries: 1, reason: expect.stringMatching(/ValidationError: task t2 cannot fail here/) });
    expect(handled.filter((h) => h.seq === failed.seq)).toHaveLength(1);
  });
});
