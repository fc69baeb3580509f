import type { Drafter } from './workload';

/** Which draft of an iteration: the first, the resident's second after its lint, or the editor's regeneration. */
export type DraftStream = 'draft' | 'redraft' | 'regenerate';

/** The editorial pass's verdicts: ship the draft, patch it, or have it written again from the notes. */
export type EditVerdict = 'approve' | 'patch' | 'regenerate';

/**
 * How a piece of work came to be, as the log records it on `work.produced` (its `drafting`): who
 * drafted the draft that was kept, and what the editorial pass did with it. Facts, not qualities.
 */
export interface SimRoute {
  drafter: Drafter;
  stream: DraftStream;
  edit?: EditVerdict;
}

/** Names one simulated piece of work: the simulation re-derives its hidden state from these. */
export interface SimWorkRef {
  seed: string;
  goalId: string;
  taskId: string;
  iteration: number;
  route: SimRoute;
}

/** What the sim agent reads on every turn; it keeps no state between calls. */
export interface SimAgentContext {
  seed: string | number;
  taskId: string;
  /** 1 for the first draft, n for the (n-1)th revision. */
  iteration: number;
  goal: {
    id: string; testCommand: string; allowedPaths: string[]; maxTurns: number;
    /** The goal's words (a probe quotes them), and its deploy and verify commands (the deployer runs them). */
    description?: string; deployCommand?: string; verifyCommand?: string;
  };
  /** The role this agent plays (absent: the engineer), and the roles it hands on to (none: it writes no handoff). */
  role?: string;
  handsOnTo?: string[];
  /** The grader's feedback for this iteration: empty on the first. */
  feedback: string[];
  /** Default `draft`. The drafter is the provider's own tier. */
  stream?: DraftStream;
}

/** What the sim judge reads: the decision, its rubric item, the work it is about and the recorded re-run. */
export interface SimJudgeContext {
  kind: 'judge';
  /** Seeds the noise and garbage draws: the same decision always gets the same verdict. */
  decisionId: string;
  role: string;
  /** The rubric item, e.g. `claims_match_evidence`. */
  item: string;
  itemKind: 'gate' | 'dimension';
  work: SimWorkRef;
  /** Whether the grader's recorded re-run exited 0: every judge answer states it. */
  rerunPassed: boolean;
}

/** What the sim editor reads: the draft under review and whether the executor's lint passed it. */
export interface SimEditorContext {
  kind: 'edit';
  decisionId: string;
  role: string;
  /** The draft: its route names the drafter and stream; `edit` is absent. */
  work: SimWorkRef;
  lintPassed: boolean;
}

export type SimAnswerContext = SimJudgeContext | SimEditorContext;
