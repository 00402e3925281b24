import type { Connection } from '../backends/base/connection.js';
import { createHash } from 'node:crypto';

/** What a waiter is told while another process holds the lock. */
export interface LockWaitEvent {
  readonly holderPid: number | null;
  readonly waitedMs: number;
}

/** A stable 64-bit advisory lock key per history table, as two int4 halves. */
function lockKey(historyTable: string): [number, number] {
  const digest = createHash('sha256').update(`sediment:${historyTable}`).digest();
  return [digest.readInt32BE(0), digest.readInt32BE(4)];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Takes the database-wide migrate lock: a session-level PostgreSQL advisory lock, so every process
 * running `migrate` at once applies each migration exactly once.
 *
 * Waiters poll pg_try_advisory_lock rather than block in pg_advisory_lock: a waiter blocked inside a
 * statement holds a snapshot, and CREATE INDEX CONCURRENTLY in the lock holder waits for every
 * transaction with an older snapshot to finish — the two would deadlock
 * (https://www.postgresql.org/docs/current/sql-createindex.html#SQL-CREATEINDEX-CONCURRENTLY).
 *
 * Returns the release function.
 */
export async function acquireMigrateLock(
  connection: Connection,
  historyTable: string,
  onWait: (event: LockWaitEvent) => void = () => {},
): Promise<() => Promise<void>> {
  const [high, low] = lockKey(historyTable);
  const started = Date.now();
  let nextReport = 0;
  let delay = 50;
  for (;;) {
    const { rows } = await connection.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1, $2) AS locked', [high, low]);
    if (rows[0].locked) break;
    const waitedMs = Date.now() - started;
    if (waitedMs >= nextReport) {
      onWait({ holderPid: await lockHolder(connection, high, low), waitedMs });
      nextReport = waitedMs + 10_000;
    }
    await sleep(delay);
    delay = Math.min(delay * 2, 500);
  }
  return async () => {
    // A session lock dies with its session: if the connection was lost, there is nothing to release,
    // and an error here must not hide the error that ended the run.
    await connection.query('SELECT pg_advisory_unlock($1, $2)', [high, low]).catch(() => {});
  };
}

async function lockHolder(connection: Connection, high: number, low: number): Promise<number | null> {
  try {
    const { rows } = await connection.query<{ pid: number }>(
      `SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND classid = $1::int::oid AND objid = $2::int::oid LIMIT 1`,
      [high, low],
    );
    return rows[0]?.pid ?? null;
  } catch {
    return null;
  }
}
