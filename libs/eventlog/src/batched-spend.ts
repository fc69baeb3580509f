import { KeyedBatcher } from '@loopwright/core';
import type { BudgetLedger, SpendGuard } from './budget-ledger';

/**
 * A spend guard whose charges of one run, made at once (a work's items judged side by side), go to
 * the ledger together: one compare-and-set on the goal's account instead of one each, which would
 * also contend with each other. Holds and reads go to the ledger as they come.
 */
export class BatchedSpend implements SpendGuard {
  private readonly charges: KeyedBatcher<{ decisionId: string; usd: number }>;

  constructor(private readonly ledger: BudgetLedger) {
    this.charges = new KeyedBatcher(async (runId, charges) => {
      await ledger.chargeAll(runId, charges);
      return charges.map(() => undefined);
    });
  }

  hold(runId: string, decisionId: string, usd: number, day: string): Promise<boolean> {
    return this.ledger.hold(runId, decisionId, usd, day);
  }

  charge(runId: string, decisionId: string, usd: number): Promise<void> {
    return this.charges.add(runId, { decisionId, usd });
  }

  goal(runId: string) {
    return this.ledger.goal(runId);
  }
}
