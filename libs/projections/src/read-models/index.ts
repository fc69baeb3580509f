import { ValidationError } from '@loopwright/core';
import type { ProjectionSet } from '../projector';
import { auditChainProjector } from './audit-chain';
import { budgetsProjector } from './budgets';
import { correctionsProjector } from './corrections';
import { decisionsProjector } from './decisions';
import { gradesProjector } from './grades';
import { reviewsProjector } from './reviews';
import { rubricCalibrationsProjector } from './rubric-calibrations';
import { rulesProjector } from './rules';
import { runsProjector } from './runs';
import { tasksProjector } from './tasks';

export * from './audit-chain';
export * from './budgets';
export * from './corrections';
export * from './decisions';
export * from './grades';
export * from './reviews';
export * from './rubric-calibrations';
export * from './rules';
export * from './runs';
export * from './tasks';
export * from './tier-share';

/** The projections the miner keeps live and `rebuildProjections` can rebuild, by name. */
export const ALL_PROJECTIONS: ProjectionSet = {
  readModels: [
    runsProjector, tasksProjector, gradesProjector, decisionsProjector, correctionsProjector, rulesProjector, reviewsProjector,
    budgetsProjector, rubricCalibrationsProjector,
  ],
  links: [auditChainProjector],
};

export const PROJECTION_NAMES = [...ALL_PROJECTIONS.readModels, ...ALL_PROJECTIONS.links].map((p) => p.name);

/** The subset named (all when `names` is undefined); an unknown name is an error. */
export function selectProjections(names?: readonly string[], from: ProjectionSet = ALL_PROJECTIONS): ProjectionSet {
  if (names === undefined) return from;
  const unknown = names.filter((name) => !PROJECTION_NAMES.includes(name));
  if (unknown.length > 0) throw new ValidationError(`unknown projections: ${unknown.join(', ')}; known: ${PROJECTION_NAMES.join(', ')}`);
  return {
    readModels: from.readModels.filter((p) => names.includes(p.name)),
    links: from.links.filter((p) => names.includes(p.name)),
  };
}
