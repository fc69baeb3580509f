import { Checkpoints1700000000000 } from './1700000000000-checkpoints';
import { ReadModels1700000001000 } from './1700000001000-read-models';
import { RubricCalibrations1700000002000 } from './1700000002000-rubric-calibrations';
import { DecisionTexts1700000003000 } from './1700000003000-decision-texts';
import { TierShareFixedOrder1700000004000 } from './1700000004000-tier-share-fixed-order';
import { RunEnded1700000005000 } from './1700000005000-run-ended';
import { FoldedKeys1700000006000 } from './1700000006000-folded-keys';
import { LifecycleKeys1700000007000 } from './1700000007000-lifecycle-keys';

/** Every projection migration, in order: the live schema and each rebuild generation run the same list. */
export const PROJECTION_MIGRATIONS = [Checkpoints1700000000000, ReadModels1700000001000, RubricCalibrations1700000002000, DecisionTexts1700000003000,
  TierShareFixedOrder1700000004000, RunEnded1700000005000, FoldedKeys1700000006000, LifecycleKeys1700000007000];

export {
  Checkpoints1700000000000, DecisionTexts1700000003000, FoldedKeys1700000006000, ReadModels1700000001000, RubricCalibrations1700000002000, RunEnded1700000005000,
  TierShareFixedOrder1700000004000, LifecycleKeys1700000007000,
};
