import { InnerLoopHarness, NO_DEFECTS, ofType, until, writeWorkload } from './harness';

describe('inner-loop faults, end to end', () => {
  it('with a budget of zero makes no frontier call: the run goes to a person and says so', async () => {
    const harness = await InnerLoopHarness.open('budget0', { LOOP_SIM_WORKLOAD: writeWorkload({ defects: NO_DEFECTS }) });
    try {
      await harness.start('router', 'executor', 'grader');
      await harness.submit('run-zero', 'greet', { budgetUsd: 0 });
      const events = await harness.ended('run-zero');
      expect(ofType(events, 'decision.routed').map((r) => r.data.tier)).toEqual(['human']);
      expect(ofType(events, 'decision.completed').filter((d) => d.data.tier === 'frontier')).toEqual([]);
      expect(ofType(events, 'trace.step')).toEqual([]);
      expect(ofType(events, 'task.failed')[0].data.reason).toMatch(/no model may draft: the goal budget cannot cover/);
      const notices: string[] = [];
      for await (const stored of harness.log.replay({ filter: `${harness.config.subjectRoot}.budget.>` })) notices.push(stored.event!.type);
      for await (const stored of harness.log.replay({ filter: `${harness.config.subjectRoot}.review.>` })) {
        if (stored.event?.type === 'review.requested') notices.push(`${stored.event.type}:${stored.event.data.reason}`);
      }
      expect(notices).toEqual(['budget.exhausted', 'review.requested:budget']);
    } finally {
      await harness.close();
    }
  }, 60_000);

  it('never accepts a garbage judge answer: retried once, then a person reviews it and the item is not scored', async () => {
    const harness = await InnerLoopHarness.open('garbage', {
      LOOP_SIM_WORKLOAD: writeWorkload({ defects: NO_DEFECTS, judge: { noise: 0, garbageRate: 1 } }),
    });
    try {
      await harness.start('router', 'executor', 'grader');
      await harness.submit('run-garbage', 'greet', { maxIterations: 1 });
      const events = await harness.ended('run-garbage');
      const judged = ofType(events, 'decision.completed').filter((d) => d.data.key.startsWith('grader:') && d.data.escalatedFrom === 'frontier');
      expect(judged.length).toBeGreaterThan(0);
      expect(judged.every((d) => d.data.tier === 'human' && d.data.verdict === 'unusable')).toBe(true);
      const [grade] = ofType(events, 'grade.recorded');
      const output = grade.data.rubrics.find((r) => r.rubricId === 'implementation')!;
      expect(output.notScored.sort()).toEqual(['correctness', 'error_response_quality', 'implementation_note_quality', 'smallest_coherent_change']);
      expect(output.missing!.sort()).toEqual(output.notScored.sort());
      expect(output.gates.find((g) => g.id === 'claims_match_evidence')).toMatchObject({ passed: false, tier: 'human' });
      expect(output.gates.find((g) => g.id === 'tests_pass_on_rerun')).toMatchObject({ passed: true, tier: 'deterministic' });
      const reviews: string[] = [];
      for await (const stored of harness.log.replay({ filter: `${harness.config.subjectRoot}.review.>` })) {
        if (stored.event?.type === 'review.requested') reviews.push(stored.event.data.reason);
      }
      expect(reviews.filter((r) => r === 'model-unusable').length).toBe(judged.length);
    } finally {
      await harness.close();
    }
  }, 60_000);

  it('grades the work exactly once when the grader is killed mid-grade and restarted', async () => {
    const harness = await InnerLoopHarness.open('graderkill', {
      LOOP_SIM_WORKLOAD: writeWorkload({ defects: NO_DEFECTS }),
      // each judge call takes this long: the grader judges a work's items side by side, so the kill
      // lands while they are in flight
      LOOP_SIM_LATENCY_MS: '400',
      LOOP_ACK_WAIT_MS: '3000',
    });
    try {
      await harness.start('router', 'executor', 'grader');
      await harness.submit('run-kill', 'greet');
      const midGrade = await until(async () => {
        const run = await harness.log.readRun('run-kill');
        const routed = ofType(run, 'decision.routed').filter((d) => d.data.key.startsWith('grader:') && d.data.tier === 'frontier');
        return routed.length >= 2 ? run : undefined;
      });
      await harness.stop('grader', 'SIGKILL');
      expect(ofType(midGrade, 'grade.recorded')).toEqual([]);
      await harness.start('grader');
      const events = await harness.ended('run-kill');
      expect(ofType(events, 'grade.recorded')).toHaveLength(1);
      expect(ofType(events, 'task.completed')).toHaveLength(1);
      const completions = ofType(events, 'decision.completed').filter((d) => !d.data.shadow).map((d) => d.data.decisionId);
      expect(new Set(completions).size).toBe(completions.length);
      expect(new Set(completions)).toEqual(new Set(ofType(events, 'decision.requested').map((d) => d.data.decisionId)));
    } finally {
      await harness.close();
    }
  }, 90_000);
});
