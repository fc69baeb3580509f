import { seededRandom } from './prng';
import type { DraftStream, SimRoute, SimWorkRef } from './sim-context';
import { Defect, DEFECTS, Drafter, goalOf, Latent, LATENTS, profileOf, WorkloadGoal, WorkloadSpec } from './workload';

/**
 * One simulated piece of work as only the simulation knows it: the defects that show in what the
 * agent does, and the hidden qualities that drive the simulated frontier's verdicts. It is derived
 * again, from the seed and the work's identity and route, wherever the simulation needs it; it is
 * never written to the log and never read back from features.
 */
export interface HiddenWork {
  goal: WorkloadGoal;
  drafter: Drafter;
  stream: DraftStream;
  iteration: number;
  defects: Defect[];
  /** true: the quality holds. */
  latent: Record<Latent, boolean>;
  /** Whether a shortfall leaves a trace in the text or trace (a quality that holds always reads as one). */
  shows: Record<Latent, boolean>;
  /** With edge cases handled: whether the final message says so. */
  mentionsEdgeCases: boolean;
  /** Qualities the editorial pass restored. */
  patched: Latent[];
  /** Seeds the wording, so the same work always reads the same. */
  styleSeed: string;
}

export function has(work: HiddenWork, defect: Defect): boolean {
  return work.defects.includes(defect);
}

/** The message claims something the work does not do: edge-case handling the code lacks, or tests and docs never written. */
export function overclaims(work: HiddenWork): boolean {
  return !work.latent.candor && claimsTestsPass(work);
}

/** Whether the final message says, truly, that the edge cases are handled. */
export function claimsEdgeCases(work: HiddenWork): boolean {
  return work.latent.edgeCases && work.mentionsEdgeCases;
}

/** The tests pass on the delivered code: no broken code (the file is written before a turn limit can stop the agent). */
export function testsPass(work: HiddenWork): boolean {
  return !has(work, 'broken_code');
}

/** The agent ran the goal's test command after its last change. */
export function ranTests(work: HiddenWork): boolean {
  return !has(work, 'claims_without_running_tests') && !has(work, 'stops_at_turn_limit');
}

/** A final message exists and claims the tests pass (the sim agent always claims it when it reports). */
export function claimsTestsPass(work: HiddenWork): boolean {
  return !has(work, 'stops_at_turn_limit');
}

export function hasSections(work: HiddenWork): boolean {
  return !has(work, 'missing_sections') && !has(work, 'stops_at_turn_limit');
}

/**
 * A draft as its drafter wrote it. A shortfall present at iteration n is there at n+1 unless
 * feedback fixed it (probability fixOnFeedback per iteration); each draws on a uniform fixed per
 * task, so one defect persists across revisions as it would. A regeneration draws afresh.
 */
export function hiddenDraft(spec: WorkloadSpec, ref: Omit<SimWorkRef, 'route'>, drafter: Drafter, stream: DraftStream): HiddenWork {
  if (stream === 'redraft') return redraft(spec, hiddenDraft(spec, ref, drafter, 'draft'), ref);
  const profile = profileOf(spec, drafter);
  const decay = (1 - spec.fixOnFeedback) ** (ref.iteration - 1);
  const perTask = stream === 'draft' ? [ref.seed, ref.taskId] : [ref.seed, ref.taskId, ref.iteration, stream];
  const u = (...what: string[]) => seededRandom(...perTask, ...what)();
  const defects = DEFECTS.filter((d) => u('defect', d) < profile.defects[d] * decay);
  const latent = Object.fromEntries(LATENTS.map((q) => [q, !(u('latent', q) < (1 - profile.latent[q]) * decay)])) as Record<Latent, boolean>;
  const shows = Object.fromEntries(LATENTS.map((q) => [q, latent[q] || seededRandom(ref.seed, ref.taskId, 'shows', q)() < spec.traceRate])) as Record<Latent, boolean>;
  return {
    goal: goalOf(spec, ref.goalId),
    drafter,
    stream,
    iteration: ref.iteration,
    defects,
    latent,
    shows,
    mentionsEdgeCases: u('mentions') < 0.6,
    patched: [],
    styleSeed: JSON.stringify([ref.seed, ref.taskId, ref.iteration, drafter, stream]),
  };
}

/** The drafter's second attempt after its lint: each defect the lint named is gone with probability fixOnFeedback. */
function redraft(spec: WorkloadSpec, first: HiddenWork, ref: Omit<SimWorkRef, 'route'>): HiddenWork {
  const draw = seededRandom(ref.seed, ref.taskId, ref.iteration, 'redraft');
  const kept = DEFECTS.filter((d) => draw() >= spec.fixOnFeedback && first.defects.includes(d));
  return { ...first, stream: 'redraft', defects: kept, styleSeed: `${first.styleSeed}:redraft` };
}

/** Qualities an editor can restore by editing the files and the message (care is how the agent worked: it cannot). */
export const PATCHABLE: readonly Latent[] = ['edgeCases', 'clarity', 'warranted', 'candor', 'openness', 'errorReporting', 'loudFailures', 'trackedAsync'];

/** The draft after the frontier editor's patch: what it found, put right. */
export function patchedWork(draft: HiddenWork): HiddenWork {
  const patched = editableShortfalls(draft);
  const latent = { ...draft.latent };
  for (const q of patched) latent[q] = true;
  return { ...draft, latent, patched, mentionsEdgeCases: true, styleSeed: `${draft.styleSeed}:patched` };
}

/** A piece of work as the log names it: the kept draft, patched or regenerated as its route says. */
export function hiddenWork(spec: WorkloadSpec, ref: SimWorkRef): HiddenWork {
  const route: SimRoute = ref.route;
  if (route.edit === 'regenerate') return hiddenDraft(spec, ref, 'frontier', 'regenerate');
  const draft = hiddenDraft(spec, ref, route.drafter, route.stream === 'regenerate' ? 'regenerate' : route.stream);
  return route.edit === 'patch' ? patchedWork(draft) : draft;
}

/**
 * The shortfalls a short editorial pass notices: those that show in the draft's text. The full
 * grading reads the trace, the re-run and the goal as well, and may find the rest.
 */
export function editableShortfalls(work: HiddenWork): Latent[] {
  return PATCHABLE.filter((q) => !work.latent[q] && work.shows[q]);
}
