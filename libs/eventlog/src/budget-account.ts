/**
 * A budget's account as the ledger bucket stores it, and the pure steps that change it. Money is
 * held in whole micro-dollars, rounded up whenever it is spent or held, so a sum never comes out
 * under what was paid and a comparison with the limit is exact.
 */
export interface BudgetAccount {
  limitMicros: number;
  spentMicros: number;
  /** Money held for decisions not settled yet, by decision id, with the day it counts against. */
  open: Record<string, { micros: number; day: string }>;
  /** Spend already charged call by call against an open decision (a session's model calls, across its attempts). */
  charged: Record<string, number>;
  /** Settlements already applied, most recent last (bounded): one seen again changes nothing. */
  settled: string[];
  /** An evaluation run (label `shadowAll: "true"`): every retired decision is also asked of the frontier. */
  shadowAll: boolean;
}

/** A day's account: totals only (each decision's detail is in its goal's account). */
export interface DayAccount {
  limitMicros: number;
  spentMicros: number;
  reservedMicros: number;
}

/** How an account's totals move: what a step adds to the spend and to what is held. */
export interface AccountDelta {
  spentMicros: number;
  reservedMicros: number;
}

/** The settled-list entry of a decision released without a completion. */
const releasedId = (decisionId: string) => `${decisionId}:released`;

export const NO_DELTA: AccountDelta = { spentMicros: 0, reservedMicros: 0 };
const SETTLED_KEPT = 2_000;

export const toMicros = (usd: number): number => Math.ceil(Math.round(usd * 1e9) / 1e3);
export const toUsd = (micros: number): number => micros / 1e6;

export function newAccount(limitUsd: number, shadowAll: boolean): BudgetAccount {
  return { limitMicros: Math.floor(limitUsd * 1e6 + 1e-6), spentMicros: 0, open: {}, charged: {}, settled: [], shadowAll };
}

export function newDayAccount(limitUsd: number): DayAccount {
  return { limitMicros: Math.floor(limitUsd * 1e6 + 1e-6), spentMicros: 0, reservedMicros: 0 };
}

export function reservedMicros(account: BudgetAccount): number {
  return Object.values(account.open).reduce((sum, held) => sum + held.micros, 0);
}

export function remainingMicros(account: BudgetAccount): number {
  return account.limitMicros - account.spentMicros - reservedMicros(account);
}

export type StepResult<A> = { account: A; delta: AccountDelta; granted: boolean };

/**
 * Holds at least `usd` for the decision: nothing changes when that much is already held; more is
 * held only when the rest of the budget covers it. A settled decision is never held again.
 */
export function holdAtLeast(account: BudgetAccount, decisionId: string, usd: number, day: string): StepResult<BudgetAccount> {
  const want = toMicros(usd);
  const held = account.open[decisionId]?.micros ?? 0;
  const over = account.settled.includes(decisionId) || account.settled.includes(releasedId(decisionId));
  if (over || held >= want) return { account, delta: NO_DELTA, granted: true };
  const more = want - held;
  if (remainingMicros(account) < more) return { account, delta: NO_DELTA, granted: false };
  const next = { ...account, open: { ...account.open, [decisionId]: { micros: want, day: account.open[decisionId]?.day ?? day } } };
  return { account: next, delta: { spentMicros: 0, reservedMicros: more }, granted: true };
}

/** Gives back what a refused step held (the day could not cover it). */
export function release(account: BudgetAccount, decisionId: string, micros: number): BudgetAccount {
  const held = account.open[decisionId];
  if (!held) return account;
  const left = held.micros - micros;
  const open = { ...account.open };
  if (left > 0) open[decisionId] = { ...held, micros: left };
  else delete open[decisionId];
  return { ...account, open };
}

/**
 * One model call's cost, paid out of what the decision holds: the spend grows by the cost, the
 * holding shrinks by as much (never below nothing), and the decision remembers it was charged.
 */
export function charge(account: BudgetAccount, decisionId: string, usd: number): StepResult<BudgetAccount> {
  const cost = toMicros(usd);
  if (cost === 0 || account.settled.includes(decisionId)) return { account, delta: NO_DELTA, granted: true };
  const held = account.open[decisionId];
  const fromHeld = Math.min(cost, held?.micros ?? 0);
  const open = { ...account.open };
  if (held) open[decisionId] = { ...held, micros: held.micros - fromHeld };
  const next = {
    ...account,
    spentMicros: account.spentMicros + cost,
    open,
    charged: { ...account.charged, [decisionId]: (account.charged[decisionId] ?? 0) + cost },
  };
  return { account: next, delta: { spentMicros: cost, reservedMicros: -fromHeld }, granted: true };
}

/**
 * A decision's completion: its reported cost counts for what its calls were not already charged for
 * (a retried session's charges cover the abandoned attempt too), and what it held is freed.
 * `settlementId` differs from the decision for a spot-check's shadow completion.
 */
export function settle(account: BudgetAccount, settlementId: string, decisionId: string, costUsd: number): StepResult<BudgetAccount> & { day?: string } {
  if (account.settled.includes(settlementId)) return { account, delta: NO_DELTA, granted: true };
  const held = account.open[decisionId];
  const charged = account.charged[decisionId] ?? 0;
  const more = Math.max(0, toMicros(costUsd) - charged);
  const open = { ...account.open };
  delete open[decisionId];
  const chargedLeft = { ...account.charged };
  delete chargedLeft[decisionId];
  const next = {
    ...account,
    spentMicros: account.spentMicros + more,
    open,
    charged: chargedLeft,
    settled: [...account.settled, settlementId].slice(-SETTLED_KEPT),
  };
  return { account: next, delta: { spentMicros: more, reservedMicros: -(held?.micros ?? 0) }, granted: true, day: held?.day };
}

/**
 * A decision whose life ended without a completion (its run ended first): what it holds is freed
 * and it is never held again, so a routing that comes later holds nothing. Its calls' charges stay
 * spent, and a completion that comes after all still counts what they did not cover.
 */
export function releaseDecision(account: BudgetAccount, decisionId: string): StepResult<BudgetAccount> & { day?: string } {
  const marker = releasedId(decisionId);
  if (account.settled.includes(decisionId) || account.settled.includes(marker)) return { account, delta: NO_DELTA, granted: true };
  const held = account.open[decisionId];
  const open = { ...account.open };
  delete open[decisionId];
  const next = { ...account, open, settled: [...account.settled, marker].slice(-SETTLED_KEPT) };
  return { account: next, delta: { spentMicros: 0, reservedMicros: -(held?.micros ?? 0) }, granted: true, day: held?.day };
}

/** A day's totals moved by a goal's step; `check` refuses growth past the day's limit. */
export function moveDay(day: DayAccount, delta: AccountDelta, check: boolean): { account: DayAccount; granted: boolean } {
  const left = day.limitMicros - day.spentMicros - day.reservedMicros;
  if (check && delta.reservedMicros + delta.spentMicros > left) return { account: day, granted: false };
  return {
    account: {
      ...day,
      spentMicros: day.spentMicros + delta.spentMicros,
      reservedMicros: Math.max(0, day.reservedMicros + delta.reservedMicros),
    },
    granted: true,
  };
}
