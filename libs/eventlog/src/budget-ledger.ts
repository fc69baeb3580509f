import type { NatsConnection } from '@nats-io/nats-core';
import { JetStreamApiCodes, JetStreamApiError, StorageType } from '@nats-io/jetstream';
import { KV, Kvm } from '@nats-io/kv';
import { ConcurrencyError } from '@loopwright/core';
import {
  AccountDelta,
  BudgetAccount,
  charge,
  DayAccount,
  holdAtLeast,
  moveDay,
  NO_DELTA,
  newAccount,
  newDayAccount,
  release,
  releaseDecision,
  settle,
  StepResult,
} from './budget-account';

/** The money a decision may spend, shared by every process that spends it. */
export interface SpendGuard {
  /**
   * Holds at least `usd` for the decision against its goal's (and day's) budget; false when the
   * budgets cannot cover it. Holding what is already held changes nothing.
   */
  hold(runId: string, decisionId: string, usd: number, day: string): Promise<boolean>;
  /** Pays one model call's cost out of what the decision holds. */
  charge(runId: string, decisionId: string, usd: number): Promise<void>;
  /** The goal's account as it stands. */
  goal(runId: string): Promise<BudgetAccount | undefined>;
}

const MAX_ATTEMPTS = 200;

/** A KV key for any id: characters a key may not hold are written as `_<hex>`. */
export function ledgerKey(kind: 'goal' | 'day', id: string): string {
  return `${kind}.${id.replace(/[^-a-zA-Z0-9]/g, (c) => `_${c.codePointAt(0)!.toString(16)}`)}`;
}

function isConflict(error: unknown): boolean {
  return (
    error instanceof JetStreamApiError &&
    (error.code === JetStreamApiCodes.StreamWrongLastSequence || error.code === JetStreamApiCodes.StreamWrongLastSequenceUnknown)
  );
}

/**
 * The budget ledger: one account per goal and per day in a JetStream KV bucket, each changed only by
 * compare-and-set on its revision (a conflict reads again and retries), so any number of routers,
 * executors and graders share one budget and can never hold or spend past it together.
 */
export class BudgetLedger implements SpendGuard {
  private constructor(
    private readonly kv: KV,
    private readonly dailyLimitUsd: number,
  ) {}

  /** Opens the bucket; only an identity allowed to create it (the operator) creates it when missing. */
  static async open(nc: NatsConnection, bucket: string, dailyLimitUsd: number, replicas = 1): Promise<BudgetLedger> {
    const kv = await new Kvm(nc).create(bucket, { history: 1, storage: StorageType.File, replicas });
    return new BudgetLedger(kv, dailyLimitUsd);
  }

  private async read<T>(key: string): Promise<{ value?: T; revision: number }> {
    const entry = await this.kv.get(key);
    if (!entry || entry.operation !== 'PUT') return { revision: entry?.revision ?? 0 };
    return { value: entry.json<T>(), revision: entry.revision };
  }

  /** Reads, changes and writes one key with a revision check, again on a conflict; `step` returns undefined to leave it. */
  private async update<T, R>(key: string, step: (current: T | undefined) => { next?: T; result: R }): Promise<R> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const { value, revision } = await this.read<T>(key);
      const { next, result } = step(value);
      if (next === undefined || next === value) return result;
      try {
        const bytes = JSON.stringify(next);
        if (revision === 0) await this.kv.create(key, bytes);
        else await this.kv.update(key, bytes, revision);
        return result;
      } catch (error) {
        if (!isConflict(error)) throw error;
        await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(50, 2 * attempt)));
      }
    }
    throw new ConcurrencyError(`budget ledger key ${key}: still contended after ${MAX_ATTEMPTS} attempts`);
  }

  /** Opens a goal's account with its limit; an account that exists stays as it is. */
  async openGoal(runId: string, limitUsd: number, shadowAll: boolean): Promise<void> {
    await this.update<BudgetAccount, void>(ledgerKey('goal', runId), (current) => ({
      next: current ?? newAccount(limitUsd, shadowAll),
      result: undefined,
    }));
  }

  async goal(runId: string): Promise<BudgetAccount | undefined> {
    return (await this.read<BudgetAccount>(ledgerKey('goal', runId))).value;
  }

  async day(day: string): Promise<DayAccount> {
    return (await this.read<DayAccount>(ledgerKey('day', day))).value ?? newDayAccount(this.dailyLimitUsd);
  }

  private goalStep(runId: string, step: (account: BudgetAccount) => StepResult<BudgetAccount>): Promise<StepResult<BudgetAccount> | undefined> {
    return this.update<BudgetAccount, StepResult<BudgetAccount> | undefined>(ledgerKey('goal', runId), (current) => {
      if (!current) return { result: undefined };
      const result = step(current);
      return { next: result.account, result };
    });
  }

  private moveDay(day: string, delta: AccountDelta, check: boolean): Promise<boolean> {
    if (delta.spentMicros === 0 && delta.reservedMicros === 0) return Promise.resolve(true);
    return this.update<DayAccount, boolean>(ledgerKey('day', day), (current) => {
      const moved = moveDay(current ?? newDayAccount(this.dailyLimitUsd), delta, check);
      return { next: moved.granted ? moved.account : undefined, result: moved.granted };
    });
  }

  async hold(runId: string, decisionId: string, usd: number, day: string): Promise<boolean> {
    return this.holdAll(runId, [{ decisionId, usd, day }]);
  }

  /**
   * Holds at least each amount for its decision, all or none: one write to the goal's account and
   * one to each day's (a run's decisions requested together are held together).
   */
  async holdAll(runId: string, holds: readonly { decisionId: string; usd: number; day: string }[]): Promise<boolean> {
    const moved: { decisionId: string; day: string; micros: number }[] = [];
    const held = await this.goalStep(runId, (start) => {
      moved.length = 0;
      let account = start;
      for (const { decisionId, usd, day } of holds) {
        const step = holdAtLeast(account, decisionId, usd, day);
        if (!step.granted) return { account: start, delta: NO_DELTA, granted: false };
        account = step.account;
        if (step.delta.reservedMicros > 0) moved.push({ decisionId, day: account.open[decisionId]?.day ?? day, micros: step.delta.reservedMicros });
      }
      return { account, delta: NO_DELTA, granted: true };
    });
    if (!held?.granted) return false;
    const byDay = sumByDay(moved.map((m) => ({ day: m.day, delta: { spentMicros: 0, reservedMicros: m.micros } })));
    const daysMoved: string[] = [];
    for (const [heldDay, delta] of byDay) {
      if (!(await this.moveDay(heldDay, delta, true))) {
        // what was held is given back, on the goal and on the days already moved
        for (const back of daysMoved) await this.moveDay(back, negate(byDay.get(back)!), false);
        await this.goalStep(runId, (account) => ({
          account: moved.reduce((a, m) => release(a, m.decisionId, m.micros), account), delta: NO_DELTA, granted: true,
        }));
        return false;
      }
      daysMoved.push(heldDay);
    }
    return true;
  }

  async charge(runId: string, decisionId: string, usd: number): Promise<void> {
    await this.chargeAll(runId, [{ decisionId, usd }]);
  }

  /** Several model calls' costs of one run: one write to the goal's account and one to each day's. */
  async chargeAll(runId: string, charges: readonly { decisionId: string; usd: number }[]): Promise<void> {
    let moves: { day: string; delta: AccountDelta }[] = [];
    const charged = await this.goalStep(runId, (start) => {
      moves = [];
      let account = start;
      for (const { decisionId, usd } of charges) {
        const step = charge(account, decisionId, usd);
        account = step.account;
        moves.push({ day: account.open[decisionId]?.day ?? new Date().toISOString().slice(0, 10), delta: step.delta });
      }
      return { account, delta: NO_DELTA, granted: true };
    });
    if (!charged) return;
    for (const [day, delta] of sumByDay(moves)) await this.moveDay(day, delta, false);
  }

  /** A decision's completion: settles its cost against the goal, and the day it was held on (else `day`). */
  async settle(runId: string, settlementId: string, decisionId: string, costUsd: number, day: string): Promise<void> {
    await this.settleAll(runId, [{ settlementId, decisionId, costUsd, day }]);
  }

  /** Several completions of one run: one write to the goal's account and one to each day's. */
  settleAll(runId: string, settlements: readonly Settlement[]): Promise<void> {
    return this.endAll(runId, settlements, (account, { settlementId, decisionId, costUsd }) => settle(account, settlementId, decisionId, costUsd));
  }

  /**
   * Decisions of one run whose life ended without a completion (see releaseDecision): one write to
   * the goal's account and one to each day's.
   */
  releaseAll(runId: string, decisionIds: readonly string[]): Promise<void> {
    const today = new Date().toISOString().slice(0, 10);
    return this.endAll(runId, decisionIds.map((decisionId) => ({ decisionId, day: today })), (account, { decisionId }) => releaseDecision(account, decisionId));
  }

  private async endAll<E extends { day: string }>(
    runId: string,
    ends: readonly E[],
    step: (account: BudgetAccount, end: E) => StepResult<BudgetAccount> & { day?: string },
  ): Promise<void> {
    if (ends.length === 0) return;
    let moves: { day: string; delta: AccountDelta }[] = [];
    const ended = await this.goalStep(runId, (start) => {
      moves = [];
      let account = start;
      for (const end of ends) {
        const result = step(account, end);
        account = result.account;
        moves.push({ day: result.day ?? end.day, delta: result.delta });
      }
      return { account, delta: NO_DELTA, granted: true };
    });
    if (!ended) return;
    for (const [day, delta] of sumByDay(moves)) await this.moveDay(day, delta, false);
  }
}

export interface Settlement {
  settlementId: string;
  decisionId: string;
  costUsd: number;
  /** The day the cost counts against when the decision held nothing. */
  day: string;
}

function sumByDay(moves: readonly { day: string; delta: AccountDelta }[]): Map<string, AccountDelta> {
  const byDay = new Map<string, AccountDelta>();
  for (const { day, delta } of moves) {
    const sum = byDay.get(day) ?? NO_DELTA;
    byDay.set(day, { spentMicros: sum.spentMicros + delta.spentMicros, reservedMicros: sum.reservedMicros + delta.reservedMicros });
  }
  return byDay;
}

const negate = (delta: AccountDelta): AccountDelta => ({ spentMicros: -delta.spentMicros, reservedMicros: -delta.reservedMicros });
