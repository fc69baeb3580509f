import type { DataSource, EntityManager } from 'typeorm';
import type { EventLog } from '@loopwright/eventlog';
import { checkpointKeys, lockCheckpoints } from './apply-stored-batch';
import { openDatabase, schemaOf } from './data-source';
import { PROJECTION_MIGRATIONS } from './migrations';
import type { ProjectionSet } from './projector';
import { PROJECTION_NAMES, selectProjections } from './read-models';
import { replayProjections, ReplayProgress } from './replay-projections';

export interface RebuildOptions {
  /**
   * Projector names (see PROJECTION_NAMES); all when omitted. A generation left unfinished is
   * resumed with the names it was started with; names it lacks are rebuilt after it.
   */
  names?: readonly string[];
  batchSize?: number;
  /** Stops between batches, leaving the generation to be resumed by the next call. */
  signal?: AbortSignal;
  onBatch?(progress: ReplayProgress & { generation: number }): void;
}

export interface RebuildResult {
  generation: number;
  projectors: string[];
  /** The rebuild had been started by a process that stopped before swapping; this call finished it. */
  resumed: boolean;
  /** False when another process finishing the same generation swapped it in first. */
  swapped: boolean;
  /** Messages replayed by this call, and how fast. */
  events: number;
  seconds: number;
  rate: number;
  /** The checkpoint the rebuilt tables were swapped in at. */
  swappedAtSeq: number;
}

interface RebuildState {
  generation: number;
  projectors: string[];
  target_schema: string;
}

/** Messages per batch: larger batches pay the per-transaction cost less often. */
const REBUILD_BATCH = 10_000;

const quote = (identifier: string): string => `"${identifier.replace(/"/g, '""')}"`;

/**
 * Rebuilds projections from sequence 1 into a fresh table generation and swaps them in.
 *
 * The generation is a schema `<live>_rebuild_<n>` created by the same migrations as the live one;
 * `projection_rebuild` (in the live schema) records it before any work, and the rebuild schema keeps
 * its own checkpoints per batch. Nobody reads the generation before the swap, so each projector
 * replays in transactions of its own, all the projectors at once with two batches in flight, and
 * with `synchronous_commit` off. The live tables keep serving (and the live runner keeps applying)
 * throughout. A process killed midway leaves a `running` row: the next call resumes that generation
 * from its checkpoints (each projector from its own), then swaps. The swap is one transaction: it
 * locks the live checkpoints of the rebuilt projectors, moves their live tables out and the rebuilt
 * ones in, copies the rebuilt checkpoints, recreates the schema's views (they are bound to tables,
 * not names) and drops the old tables. If the live runner has applied events past the rebuilt
 * checkpoints by then, the swap is called off and the rebuild catches up first, so the tables swap
 * in at the live position (after ten tries it swaps anyway, and the runner's gap check re-reads what
 * the new tables lack).
 */
export async function rebuildProjections(log: EventLog, db: DataSource, options: RebuildOptions = {}): Promise<RebuildResult> {
  const live = schemaOf(db);
  const unfinished: RebuildState[] = await db.query(
    `SELECT generation, projectors, target_schema FROM projection_rebuild WHERE status = 'running' ORDER BY generation LIMIT 1`,
  );
  const resumed = unfinished.length > 0;
  const state = resumed ? unfinished[0] : await startGeneration(db, live, options.names ?? PROJECTION_NAMES);
  const projections = selectProjections(state.projectors);

  const target = await openDatabase({ url: (db.options as { url: string }).url, schema: state.target_schema }, PROJECTION_MIGRATIONS);
  let events = 0;
  let seconds = 0;
  let swappedAtSeq = 0;
  let outcome: SwapOutcome = 'behind';
  try {
    // Replay to the end, again for what was appended meanwhile until a pass finds nothing new, and
    // swap; if the live runner got further in the meantime, catch up and try again.
    for (let attempt = 0; outcome === 'behind' && attempt < MAX_SWAP_ATTEMPTS; attempt++) {
      for (let pass = 0; pass < 5; pass++) {
        const replay = await replayProjections(log, target, {
          projections,
          batchSize: options.batchSize ?? REBUILD_BATCH,
          apply: { relaxedDurability: true },
          projectorsApart: true,
          inFlight: 2,
          signal: options.signal,
          onBatch: (progress) => options.onBatch?.({ ...progress, events: events + progress.events, generation: state.generation }),
        });
        events += replay.events;
        seconds += replay.seconds;
        swappedAtSeq = replay.lastSeq;
        if (replay.events === 0) break;
      }
      outcome = await db.transaction((tx) => swapIn(tx, live, state, projections, attempt === MAX_SWAP_ATTEMPTS - 1));
    }
  } finally {
    await target.destroy();
  }
  const swapped = outcome === 'swapped';

  const result: RebuildResult = {
    generation: state.generation, projectors: state.projectors, resumed, swapped, events, seconds,
    rate: seconds > 0 ? events / seconds : events, swappedAtSeq,
  };
  const missing = (options.names ?? PROJECTION_NAMES).filter((name) => !state.projectors.includes(name));
  if (resumed && missing.length > 0) {
    await rebuildProjections(log, db, { ...options, names: options.names });
  }
  return result;
}

async function startGeneration(db: DataSource, live: string, names: readonly string[]): Promise<RebuildState> {
  selectProjections(names);
  const rows: RebuildState[] = await db.query(
    `INSERT INTO projection_rebuild (generation, projectors, target_schema, status)
     SELECT g, $1::jsonb, $2 || '_rebuild_' || g, 'running'
       FROM (SELECT coalesce(max(generation), 0) + 1 AS g FROM projection_rebuild) next
     RETURNING generation, projectors, target_schema`,
    [JSON.stringify(names), live],
  );
  return rows[0];
}

const MAX_SWAP_ATTEMPTS = 10;

/**
 * `taken`: another process finishing the same generation swapped it in first. `behind`: the live
 * runner applied events past the rebuilt checkpoints; swapping now would put the tables back until
 * the runner noticed the gap, so the caller catches up first (unless `force`: then the runner's gap
 * check repairs it).
 */
type SwapOutcome = 'swapped' | 'taken' | 'behind';

async function swapIn(tx: EntityManager, live: string, state: RebuildState, projections: ProjectionSet, force: boolean): Promise<SwapOutcome> {
  const [current]: { status: string }[] = await tx.query(
    `SELECT status FROM ${quote(live)}.projection_rebuild WHERE generation = $1 FOR UPDATE`,
    [state.generation],
  );
  if (current?.status !== 'running') return 'taken';
  const keys = checkpointKeys(projections);
  const liveCheckpoints = await lockCheckpoints(tx, keys);
  const rebuilt: { projector: string; last_seq: string }[] = await tx.query(
    `SELECT projector, last_seq FROM ${quote(state.target_schema)}.projection_checkpoint WHERE projector = ANY($1::text[])`,
    [keys],
  );
  const rebuiltAt = new Map(rebuilt.map((r) => [r.projector, Number(r.last_seq)]));
  if (!force && keys.some((key) => (liveCheckpoints.get(key) ?? 0) > (rebuiltAt.get(key) ?? 0))) return 'behind';

  const views: { name: string; definition: string }[] = await tx.query(
    `SELECT c.relname AS name, pg_get_viewdef(c.oid) AS definition
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND c.relkind = 'v'
      ORDER BY c.oid`,
    [live],
  );
  for (const view of [...views].reverse()) await tx.query(`DROP VIEW IF EXISTS ${quote(live)}.${quote(view.name)} CASCADE`);

  const retired = `${live}_retired_${state.generation}`;
  await tx.query(`CREATE SCHEMA ${quote(retired)}`);
  for (const table of [...projections.readModels, ...projections.links].flatMap((p) => p.tables)) {
    await tx.query(`ALTER TABLE ${quote(live)}.${quote(table)} SET SCHEMA ${quote(retired)}`);
    await tx.query(`ALTER TABLE ${quote(state.target_schema)}.${quote(table)} SET SCHEMA ${quote(live)}`);
  }
  await tx.query(
    `UPDATE ${quote(live)}.projection_checkpoint c SET last_seq = r.last_seq, updated_at = now()
       FROM unnest($1::text[], $2::bigint[]) AS r(projector, last_seq) WHERE c.projector = r.projector`,
    [rebuilt.map((r) => r.projector), rebuilt.map((r) => r.last_seq)],
  );
  for (const view of views) await tx.query(`CREATE VIEW ${quote(live)}.${quote(view.name)} AS ${view.definition}`);
  await tx.query(
    `UPDATE ${quote(live)}.projection_rebuild SET status = 'swapped', finished_at = now(), swapped_at_seq = $2 WHERE generation = $1`,
    [state.generation, rebuilt.length === 0 ? 0 : Math.min(...rebuilt.map((r) => Number(r.last_seq)))],
  );
  await tx.query(`DROP SCHEMA ${quote(retired)} CASCADE`);
  await tx.query(`DROP SCHEMA ${quote(state.target_schema)} CASCADE`);
  return 'swapped';
}
