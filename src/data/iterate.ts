import { compileEstimate, compileSelect } from './compile.js';
import type { FieldMeta } from './model-meta.js';
import { ProgressTracker } from './progress.js';
import type { OrderTerm, SelectNode } from './query.js';
import type { DataSession } from './session.js';

/**
 * Streaming reads: the rows of a query in batches, never the whole result in memory.
 *
 * - Ordered by the primary key (the default): keyset pagination, `WHERE pk > $last ORDER BY pk LIMIT n`,
 *   one indexed query per batch. Ascending iteration stops at the largest key that existed when it
 *   started, so rows the loop itself inserts are not visited (no endless loop over a growing table).
 * - Any other order: a server-side cursor (`DECLARE ... CURSOR`, `FETCH n`), WITH HOLD outside a
 *   transaction (https://www.postgresql.org/docs/current/sql-declare.html).
 *
 * Each batch's raw rows go to `build`; the outermost iteration of a runCode reports progress.
 */
export async function* streamBatches<T>(
  session: DataSession,
  node: SelectNode,
  order: readonly OrderTerm[],
  size: number,
  build: (raw: Record<string, unknown>[]) => T[],
  label: string,
): AsyncGenerator<T[]> {
  const outermost = session.iterationDepth === 0;
  session.iterationDepth++;
  const tracker = outermost && session.progress.enabled ? new ProgressTracker(session.progress, session.migration, label, await estimate(session, node)) : null;
  try {
    const pk = node.meta.pk;
    const source = order.length === 1 && order[0].field === pk ? keyset(session, node, pk, order[0].descending, size) : cursor(session, node, order, size);
    for await (const raw of source) {
      const batch = build(raw);
      tracker?.advance(raw.length);
      yield batch;
    }
  } finally {
    session.iterationDepth--;
    tracker?.finish();
  }
}

async function* keyset(session: DataSession, node: SelectNode, pk: FieldMeta, descending: boolean, size: number): AsyncGenerator<Record<string, unknown>[]> {
  const { meta } = node;
  let bound: unknown = null;
  if (!descending) {
    // The largest key now (unfiltered: an index-only lookup on any table size).
    const top = await session.read(`SELECT max(${meta.quotedTable}.${pk.quoted}) AS top FROM ${meta.quotedTable}`);
    bound = top.rows[0]?.top ?? null;
    if (bound === null) return;
  }
  const columns = node.columns === 'row' || node.columns.includes(pk) ? node.columns : [...node.columns, pk];
  let last: unknown;
  for (;;) {
    const where = [...node.where];
    if (last !== undefined) where.push({ kind: 'compare', field: pk, op: descending ? '<' : '>', value: last });
    if (bound !== null) where.push({ kind: 'compare', field: pk, op: '<=', value: pk.codec.write(pk.codec.read(bound), pk.name) });
    const { sql, params } = compileSelect({ meta, where, order: [{ field: pk, descending }], limit: size, columns });
    const { rows } = await session.read(sql, params);
    if (rows.length === 0) return;
    last = pk.codec.write(pk.codec.read(rows[rows.length - 1][pk.attribute]), pk.name);
    yield rows;
    if (rows.length < size) return;
  }
}

let cursors = 0;

async function* cursor(session: DataSession, node: SelectNode, order: readonly OrderTerm[], size: number): AsyncGenerator<Record<string, unknown>[]> {
  const name = `sediment_cursor_${++cursors}`;
  const { sql, params } = compileSelect({ ...node, order, limit: undefined });
  await session.read(`DECLARE ${name} NO SCROLL CURSOR${session.inTransaction ? '' : ' WITH HOLD'} FOR ${sql}`, params);
  try {
    for (;;) {
      const { rows } = await session.read(`FETCH FORWARD ${size} FROM ${name}`);
      if (rows.length === 0) return;
      yield rows;
      if (rows.length < size) return;
    }
  } finally {
    await session.read(`CLOSE ${name}`).catch(() => {});
  }
}

/** The planner's row estimate (EXPLAIN, no rows read): cheap on any table, good enough for "time left". */
async function estimate(session: DataSession, node: SelectNode): Promise<number | null> {
  try {
    const { sql, params } = compileEstimate(node);
    const { rows } = await session.read<{ 'QUERY PLAN': unknown }>(sql, params);
    const plan = rows[0]?.['QUERY PLAN'];
    const parsed = (typeof plan === 'string' ? JSON.parse(plan) : plan) as { Plan?: { 'Plan Rows'?: number } }[];
    const n = parsed?.[0]?.Plan?.['Plan Rows'];
    return typeof n === 'number' && n > 0 ? n : null;
  } catch {
    return null;
  }
}
