import { createEvent, RuleProposed } from '@loopwright/events';
import {
  decideRule, DEFAULT_RULE_LIFECYCLE_CONFIG, evolveRule, initialRuleState, RuleCommand, RuleDecision, RuleFact,
  RuleIntent, RuleLifecycleConfig, RuleState,
} from './rule-lifecycle';

const RULE = 'r-9';
const KEY = 'grader:engineer:gate:ran_tests_before_claim';
const NO_SHADOW: RuleLifecycleConfig = { ...DEFAULT_RULE_LIFECYCLE_CONFIG, shadow: { minN: 0, threshold: 0.95 } };

const evidence = { support: 400, precision: 1, recall: 0.97, exampleEventIds: ['e1', 'e2'] };
const predicate = { all: [{ feature: 'claims_tests_pass', eq: true }, { feature: 'test_runs', eq: 0 }] };

const proposed = (extra: Partial<RuleProposed> = {}): RuleFact => ({
  type: 'rule.proposed',
  data: { ruleId: RULE, kind: 'deterministic', key: KEY, role: 'engineer', predicate, verdictWhenTrue: 'fail', verdictWhenFalse: 'pass', evidence, scopeCall: false, ...extra },
});
const validated = (shadow?: { agreement: number; n: number }): RuleFact => ({
  type: 'rule.validated',
  data: { ruleId: RULE, golden: { checked: 6, changed: [] }, history: { precision: 1, recall: 0.95, n: 120 }, ...(shadow ? { shadow } : {}) },
});
const approved = (by = 'alice'): RuleFact => ({ type: 'rule.approved', data: { ruleId: RULE, by, note: '' } });
const rejected = (reason = 'too broad'): RuleFact => ({ type: 'rule.rejected', data: { ruleId: RULE, by: 'human', reason, failedExamples: [] } });
const promoted = (): RuleFact => ({ type: 'rule.promoted', data: { ruleId: RULE, key: KEY, tier: 'deterministic', predicate, verdictWhenTrue: 'fail', verdictWhenFalse: 'pass', spotCheckRate: 0.1 } });
const shadowCheck = (agree: boolean): RuleFact => ({ type: 'shadow.observed', data: { ruleId: RULE, agree } });

/** Given these facts about the rule, when this command arrives (under this config), then… */
function given(...facts: RuleFact[]) {
  const state = facts.reduce(evolveRule, initialRuleState(RULE));
  return {
    state,
    when(command: RuleCommand, config: RuleLifecycleConfig = DEFAULT_RULE_LIFECYCLE_CONFIG) {
      const decision = decideRule(state, command, config);
      return {
        decision,
        thenAppends(...expected: { type: RuleIntent['type']; data?: object }[]): RuleIntent[] {
          expect(decision.kind).toBe('append');
          const events = (decision as Extract<RuleDecision, { kind: 'append' }>).events;
          expect(events).toHaveLength(expected.length);
          expected.forEach((e, i) => expect(events[i]).toMatchObject({ aggregateId: RULE, ...e }));
          return events;
        },
        thenRefuses(message: string | RegExp) {
          expect(decision).toEqual({ kind: 'refuse', message: typeof message === 'string' ? message : expect.stringMatching(message) });
        },
        thenIgnores(reason: string | RegExp = /./) {
          expect(decision).toEqual({ kind: 'ignore', reason: typeof reason === 'string' ? reason : expect.stringMatching(reason) });
        },
      };
    },
  };
}

describe('approving a rule', () => {
  it('is refused when the rule does not exist', () => {
    given().when({ type: 'approve', data: { by: 'alice' } }).thenRefuses('rule r-9 does not exist: there is nothing to approve');
  });

  it('is refused while the rule is only proposed', () => {
    given(proposed())
      .when({ type: 'approve', data: { by: 'alice' } })
      .thenRefuses('rule r-9 is proposed, not validated: it can be approved once validation passes');
  });

  it('records who approved a validated rule', () => {
    given(proposed(), validated())
      .when({ type: 'approve', data: { by: 'alice', note: 'matches the built-in check' } })
      .thenAppends({ type: 'rule.approved', data: { ruleId: RULE, by: 'alice', note: 'matches the built-in check' } });
  });

  it('is a no-op the second time', () => {
    given(proposed(), validated(), approved('alice')).when({ type: 'approve', data: { by: 'bob' } }).thenIgnores('rule r-9 is already approved by alice');
  });

  it('is refused for a rejected rule, with the reason', () => {
    given(proposed(), validated(), rejected('too broad (by bob)'))
      .when({ type: 'approve', data: { by: 'alice' } })
      .thenRefuses(/^rule r-9 was rejected \(too broad \(by bob\)\): it cannot be approved/);
  });
});

describe('promoting a rule', () => {
  it('counts no approval appended before the rule was validated (a raw publish past the command\'s check): it still waits for a person', () => {
    given(proposed(), approved('eve'), validated())
      .when({ type: 'promote' })
      .thenRefuses("rule r-9 is validated and waits for a person's approval (auto-approval of deterministic rules is off)");
  });

  it('promotes an approved, validated deterministic rule with its predicate and verdicts', () => {
    given(proposed(), validated({ agreement: 1, n: 30 }), approved())
      .when({ type: 'promote' })
      .thenAppends({
        type: 'rule.promoted',
        data: { ruleId: RULE, key: KEY, tier: 'deterministic', predicate, verdictWhenTrue: 'fail', verdictWhenFalse: 'pass', spotCheckRate: 0.1 },
      });
  });

  it('waits for a person when auto-approval is off (the default)', () => {
    given(proposed(), validated())
      .when({ type: 'promote' }, NO_SHADOW)
      .thenRefuses("rule r-9 is validated and waits for a person's approval (auto-approval of deterministic rules is off)");
  });

  it('promotes a validated deterministic rule without approval when auto-approval is on', () => {
    given(proposed(), validated())
      .when({ type: 'promote' }, { ...NO_SHADOW, autoApproveDeterministic: true })
      .thenAppends({ type: 'rule.promoted', data: { tier: 'deterministic' } });
  });

  it('never auto-approves a resident model', () => {
    given(proposed({ kind: 'resident', predicate: undefined, modelId: 'm-1' }), validated())
      .when({ type: 'promote' }, { ...NO_SHADOW, autoApproveDeterministic: true })
      .thenRefuses("rule r-9 is validated and waits for a person's approval");
  });

  it('promotes an approved resident model to the resident tier with its confidence threshold', () => {
    given(proposed({ kind: 'resident', predicate: undefined, verdictWhenTrue: undefined, verdictWhenFalse: undefined, modelId: 'm-engineer-1' }), validated(), approved())
      .when({ type: 'promote' }, NO_SHADOW)
      .thenAppends({ type: 'rule.promoted', data: { tier: 'resident', modelId: 'm-engineer-1', confidenceThreshold: 0.8 } });
  });

  it('keeps scope calls waiting for a person even with auto-approval on', () => {
    const rubricLine = proposed({ kind: 'rubric-line', predicate: undefined, text: 'Say which tests ran', scopeCall: true });
    given(rubricLine, validated())
      .when({ type: 'promote' }, { ...NO_SHADOW, autoApproveDeterministic: true })
      .thenRefuses("rule r-9 is a scope call (rubric-line): it waits for a person's approval");
    given(rubricLine, validated(), approved())
      .when({ type: 'promote' }, NO_SHADOW)
      .thenRefuses('rule r-9 is a rubric-line: once approved, a person applies it; it has no tier to be promoted to');
  });

  it('promotes a resident with the threshold it calibrated for itself', () => {
    given(proposed({ kind: 'resident', predicate: undefined, verdictWhenTrue: undefined, verdictWhenFalse: undefined, modelId: 'm-1', confidenceThreshold: 0.93 }), validated(), approved())
      .when({ type: 'promote' }, NO_SHADOW)
      .thenAppends({ type: 'rule.promoted', data: { tier: 'resident', modelId: 'm-1', confidenceThreshold: 0.93 } });
  });

  it('promotes an approved drafting rule without a shadow phase and without spot-checks: drafting has no verdict to shadow', () => {
    const drafting = proposed({ kind: 'resident', key: 'executor:engineer:draft', predicate: undefined, verdictWhenTrue: undefined, verdictWhenFalse: undefined, modelId: 'resident-drafter' });
    const decision = given(drafting, validated(), approved()).when({ type: 'promote' }).decision;
    expect(decision).toMatchObject({ kind: 'append', events: [{ type: 'rule.promoted', data: { tier: 'resident', modelId: 'resident-drafter', spotCheckRate: 0 } }] });
    expect((decision as { events: { data: object }[] }).events[0].data).not.toHaveProperty('confidenceThreshold');
  });

  it('waits for the shadow phase when one is configured', () => {
    given(proposed(), validated(), approved(), shadowCheck(true), shadowCheck(true))
      .when({ type: 'promote' })
      .thenRefuses('rule r-9 waits for its shadow phase: 2 of 2 checks agreed; it needs 40 checks at 0.97 agreement');
  });

  it('is refused before validation and ignored once promoted', () => {
    given(proposed()).when({ type: 'promote' }).thenRefuses('rule r-9 is proposed, not validated: it can be promoted once validation passes');
    given(proposed(), validated(), approved(), promoted()).when({ type: 'promote' }).thenIgnores('rule r-9 is already promoted');
  });
});

describe('the shadow phase', () => {
  const config = { ...DEFAULT_RULE_LIFECYCLE_CONFIG, shadow: { minN: 4, threshold: 0.75 } };

  it('stays pending until enough checks', () => {
    given(proposed(), validated(), shadowCheck(true), shadowCheck(true))
      .when({ type: 'recordShadow', data: { agree: true } }, config)
      .thenIgnores('shadow phase of r-9: 3 of 3 checks agreed; 4 needed');
  });

  it('validates the rule again, with the shadow figures, once it agrees often enough', () => {
    given(proposed(), validated(), shadowCheck(true), shadowCheck(false), shadowCheck(true))
      .when({ type: 'recordShadow', data: { agree: true } }, config)
      .thenAppends({
        type: 'rule.validated',
        data: { ruleId: RULE, golden: { checked: 6, changed: [] }, history: { precision: 1, recall: 0.95, n: 120 }, shadow: { agreement: 0.75, n: 4 } },
      });
  });

  it('rejects the rule when it disagrees too often', () => {
    given(proposed(), validated(), shadowCheck(true), shadowCheck(false), shadowCheck(true))
      .when({ type: 'recordShadow', data: { agree: false } }, config)
      .thenAppends({ type: 'rule.rejected', data: { by: 'miner', reason: 'shadow phase: agreed with the frontier on 2 of 4 checks (0.500), below 0.75' } });
  });

  it('opens the way to promotion', () => {
    const events = given(proposed(), validated(), approved(), shadowCheck(true), shadowCheck(true), shadowCheck(true))
      .when({ type: 'recordShadow', data: { agree: true } }, config)
      .thenAppends({ type: 'rule.validated' });
    given(proposed(), validated(), approved(), ...(events as RuleFact[]))
      .when({ type: 'promote' }, config)
      .thenAppends({ type: 'rule.promoted' });
  });

  it('is refused before validation', () => {
    given(proposed()).when({ type: 'recordShadow', data: { agree: true } }, config).thenRefuses(/shadow checks start once validation passes/);
  });
});

describe('drift', () => {
  const live = [proposed(), validated({ agreement: 1, n: 30 }), approved(), promoted()];

  it('demotes a promoted rule whose spot-check disagreement passes the threshold over enough checks', () => {
    given(...live)
      .when({ type: 'checkDrift', data: { disagreement: 0.2, n: 50 } })
      .thenAppends({
        type: 'rule.demoted',
        data: { ruleId: RULE, key: KEY, disagreement: 0.2, n: 50, reason: 'spot-checks disagree with the frontier on 0.200 of 50 decisions, above 0.05' },
      });
  });

  it('waits for enough spot-checks', () => {
    given(...live).when({ type: 'checkDrift', data: { disagreement: 0.5, n: 10 } }).thenIgnores('10 spot-checks of r-9; drift is judged from 30');
  });

  it('keeps a rule within its threshold', () => {
    given(...live).when({ type: 'checkDrift', data: { disagreement: 0.05, n: 100 } }).thenIgnores(/within 0.05$/);
  });

  it('applies only to promoted rules', () => {
    given(proposed(), validated()).when({ type: 'checkDrift', data: { disagreement: 0.5, n: 100 } }).thenRefuses(/is validated, not promoted/);
  });

  it('leaves the rule demoted for good', () => {
    const demoted: RuleFact = { type: 'rule.demoted', data: { ruleId: RULE, key: KEY, reason: 'drift', disagreement: 0.2, n: 50 } };
    given(...live, demoted).when({ type: 'promote' }).thenRefuses('rule r-9 was demoted (drift): it cannot be promoted again');
    given(...live, demoted).when({ type: 'approve', data: { by: 'alice' } }).thenRefuses(/was demoted/);
  });
});

describe('rejecting a rule', () => {
  it('records a person rejecting a validated rule, naming them', () => {
    given(proposed(), validated())
      .when({ type: 'reject', data: { by: 'bob', reason: 'fires on docs-only changes' } })
      .thenAppends({ type: 'rule.rejected', data: { by: 'human', reason: 'fires on docs-only changes (by bob)' } });
  });

  it('cannot retire a promoted rule', () => {
    given(proposed(), validated(), approved(), promoted())
      .when({ type: 'reject', data: { by: 'bob', reason: 'no' } })
      .thenRefuses(/is promoted: a rejection cannot retire it/);
  });
});

describe('the fold', () => {
  it('counts an event delivered twice once', () => {
    const once = given(proposed(), validated(), approved(), promoted()).state;
    const twice = given(proposed(), proposed(), validated(), validated(), approved(), approved('bob'), promoted(), promoted()).state;
    expect(twice).toEqual(once);
  });

  it('ignores facts about other rules', () => {
    const other: RuleFact = { type: 'rule.rejected', data: { ruleId: 'r-10', by: 'human', reason: 'x', failedExamples: [] } };
    expect(given(proposed(), other).state.status).toBe('proposed');
  });

  it('folds envelopes read from the log', () => {
    const envelope = createEvent({
      type: 'rule.proposed', aggregateId: RULE, producer: 'miner',
      data: { ruleId: RULE, kind: 'deterministic', key: KEY, role: 'engineer', predicate, verdictWhenTrue: 'fail', verdictWhenFalse: 'pass', evidence, scopeCall: false },
    });
    expect(evolveRule(initialRuleState(RULE), envelope).status).toBe('proposed');
  });
});

describe('event ids', () => {
  it('are derived from the rule and the command, so a retry is deduplicated', () => {
    const state: RuleState = given(proposed(), validated()).state;
    const first = decideRule(state, { type: 'approve', data: { by: 'alice' } });
    const retry = decideRule(state, { type: 'approve', data: { by: 'alice' } });
    const otherRule = decideRule({ ...state, ruleId: 'r-10' }, { type: 'approve', data: { by: 'alice' } });

    const idOf = (d: RuleDecision) => (d.kind === 'append' ? d.events[0].id : null);
    expect(idOf(first)).toMatch(/^[0-9a-f-]{36}$/);
    expect(idOf(retry)).toBe(idOf(first));
    expect(idOf(otherRule)).not.toBe(idOf(first));
  });

  it('make valid events', () => {
    const decision = given(proposed(), validated({ agreement: 1, n: 30 }), approved()).when({ type: 'promote' }).decision;
    if (decision.kind !== 'append') throw new Error(decision.kind);
    for (const e of decision.events) {
      expect(() => createEvent({ type: e.type, id: e.id, aggregateId: e.aggregateId, producer: 'miner', data: e.data } as never)).not.toThrow();
    }
  });
});

describe('drafting probation and supersession', () => {
  const drafting = proposed({ kind: 'resident', key: 'executor:engineer:draft', predicate: undefined, verdictWhenTrue: undefined, verdictWhenFalse: undefined, modelId: 'resident-drafter' });
  const live = [drafting, validated(), approved(), { type: 'rule.promoted', data: { ruleId: RULE, key: 'executor:engineer:draft', tier: 'resident', modelId: 'resident-drafter', spotCheckRate: 0 } }] as RuleFact[];

  it('demotes drafting when what the resident path wrote passes its first grade clearly less often than the frontier\'s drafts did', () => {
    given(...live)
      .when({ type: 'checkOutcomes', data: { passRate: 0.4, baseline: 0.7, n: 40 } })
      .thenAppends({ type: 'rule.demoted', data: { ruleId: RULE, key: 'executor:engineer:draft', n: 40, reason: expect.stringMatching(/passed 0\.400 of 40 first grades, the frontier's drafts 0\.700/) } });
  });

  it('keeps drafting within the shortfall, and waits for enough grades', () => {
    given(...live).when({ type: 'checkOutcomes', data: { passRate: 0.6, baseline: 0.7, n: 40 } }).thenIgnores(/within 0\.15$/);
    given(...live).when({ type: 'checkOutcomes', data: { passRate: 0, baseline: 0.7, n: 10 } }).thenIgnores(/judged from 30$/);
  });

  it('refuses an outcome check on a rule that decides verdicts', () => {
    given(proposed(), validated(), approved(), promoted()).when({ type: 'checkOutcomes', data: { passRate: 0, baseline: 1, n: 100 } }).thenRefuses(/judged on spot-checks/);
  });

  it('demotes a promoted rule superseded by a newer generation, and only a promoted one', () => {
    given(proposed(), validated(), approved(), promoted())
      .when({ type: 'supersede', data: { by: 'r-10' } })
      .thenAppends({ type: 'rule.demoted', data: { ruleId: RULE, reason: 'superseded by r-10, trained on more history', n: 0 } });
    given(proposed(), validated()).when({ type: 'supersede', data: { by: 'r-10' } }).thenIgnores(/nothing to supersede/);
  });
});
