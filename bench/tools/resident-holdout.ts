import { DataSource } from 'typeorm';
import { evaluateResident, timeOrderedSplit, trainResident } from '@loopwright/mining';
import { decisionsForKey } from '@loopwright/projections';
import { databaseUrl } from '@loopwright/testing';
import { frontierHistory } from '../../apps/miner/src/outer-loop-pass';
import { parseFlags } from '../support/flags';
import { printTable, Row } from '../support/results';

/**
 * How the resident classifier does on a finished demo's history, key by key: trained on the first
 * part of each judged key's frontier verdicts (in time order), scored on the rest. Shows how much of
 * the later decisions a resident would answer by itself and how often those answers agree with the
 * frontier, apart from the outer loop's other gates (golden examples, minority counts, shadow phase).
 * The demo keeps its projections in the schema it prints (`Projections: schema demo_…`).
 */
const flags = parseFlags('tools/resident-holdout', {
  schema: { default: '', help: 'the demo\'s projections schema (required)' },
  train: { default: 0.7, help: 'share of each key\'s history trained on, the oldest first', fractional: true },
  target: { default: 0.98, help: 'agreement the confidence threshold is fitted to (the miner\'s default)', fractional: true },
  min: { default: 100, help: 'frontier verdicts a key needs to be scored' },
});

async function main(): Promise<void> {
  if (!/^[a-z_][a-z0-9_]*$/.test(flags.schema)) throw new Error('--schema must name the demo\'s projections schema, e.g. --schema demo_20261205151148');
  const db = new DataSource({ type: 'postgres', url: databaseUrl(), extra: { options: `-c search_path=${flags.schema}` } });
  await db.initialize();
  try {
    const keys: { key: string }[] = await db.query(`SELECT DISTINCT key FROM decisions WHERE key LIKE 'grader:%' ORDER BY key`);
    const rows: Row[] = [];
    let scored = 0;
    let answered = 0;
    let agreed = 0;
    for (const { key } of keys) {
      const history = frontierHistory(await decisionsForKey(db, key));
      if (history.length < flags.min) continue;
      const { train, test } = timeOrderedSplit(history, flags.train);
      const training = trainResident(train, { seed: 1, targetAgreement: flags.target });
      if (!training.trained) {
        rows.push({ key, verdicts: history.length, threshold: null, answers: 0, agreement: null, note: training.reason });
        continue;
      }
      const figures = evaluateResident(training.model, test);
      const right = Math.round(figures.confidentAccuracy * figures.confidentN);
      scored += test.length;
      answered += figures.confidentN;
      agreed += right;
      rows.push({
        key, verdicts: history.length, threshold: round(training.model.confidenceThreshold), answers: round(figures.coverage),
        agreement: figures.confidentN ? round(figures.confidentAccuracy) : null, note: `${figures.confidentN} of ${test.length} later decisions answered`,
      });
    }
    printTable(`a resident per key, trained on the first ${flags.train} of its frontier verdicts, threshold fitted to ${flags.target}`, rows);
    console.log(`\nall keys: answers ${round(answered / Math.max(1, scored))} of ${scored} later decisions by itself, agreeing ${round(agreed / Math.max(1, answered))} with the frontier`);
  } finally {
    await db.destroy();
  }
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
