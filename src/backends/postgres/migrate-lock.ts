import type { Connection } from '../base/connection.js';
import { createHash } from 'node:crypto';
import {
  LOCK_REPORT_EVERY_MS, describeHolder, sleep, thisProcess, type LockHolder, type LockWaitEvent, type LockWaitOptions,
} from '../base/lock-holder.js';
import { LockTimeoutError } from '../../errors/lock-timeout.js';

export type { LockWaitEvent, LockWaitOptions } from '../base/lock-holder.js';

/** A stable 64-bit advisory lock key per history table, as two int4 halves. */
function lockKey(historyTable: string): [number, number] {
  const digest = createHash('sha256').update(`sediment:${historyTable}`).digest();
  return [digest.readInt32BE(0), digest.readInt32BE(4)];
}

/**
 * Takes the database-wide migrate lock: a session-level PostgreSQL advisory lock, so every process
 * running `migrate` at once applies each migration exactly once.
 *
 * Waiters poll pg_try_advisory_lock rather than block in pg_advisory_lock: a waiter blocked inside a
 * statement holds a snapshot, and CREATE INDEX CONCURRENTLY in the lock holder waits for every
 * transaction with an older snapshot to finish — the two would deadlock
 * (https://www.postgresql.org/docs/current/sql-createindex.html#SQL-CREATEINDEX-CONCURRENTLY).
 * Polling also lets a waiter give up after `timeoutMs` (--lock-timeout).
 *
 * The holder names itself in its session's application_name while it holds the lock, the one place
 * another session can read without writing anything to the user's database: pg_stat_activity shows
 * application_name to every role, even where it hides the rest of another user's session
 * (https://www.postgresql.org/docs/current/monitoring-stats.html#MONITORING-PG-STAT-ACTIVITY-VIEW).
 * A waiter so says which process (host, pid, command, since when) it waits for, not only the backend pid.
 *
 * Returns the release function.
 */
export async function acquireMigrateLock(
  connection: Connection,
  historyTable: string,
  options: LockWaitOptions = {},
): Promise<() => Promise<void>> {
  const [high, low] = lockKey(historyTable);
  const resource = `${connection.description} (history table ${historyTable})`;
  const started = Date.now();
  let nextReport = 0;
  let delay = 50;
  // Named before the first try, so that no waiter finds the lock held by a session without a name;
  // named again once the lock is held, for "since".
  const previousName = await nameHolder(connection, thisProcess(options.command));
  for (;;) {
    const { rows } = await connection.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1, $2) AS locked', [high, low]);
    if (rows[0].locked) break;
    const waitedMs = Date.now() - started;
    const timedOut = options.timeoutMs !== undefined && waitedMs >= options.timeoutMs;
    if (timedOut || waitedMs >= nextReport) {
      const { holder, backendPid } = await lockHolder(connection, high, low);
      // No holder any more: it let go between the try and the look; try again at once.
      if (backendPid === undefined && !timedOut) continue;
      if (timedOut) {
        await restoreName(connection, previousName);
        throw timeout(resource, holder, backendPid, waitedMs);
      }
      options.onWait?.({ lock: 'migrate', resource, holder, backendPid, waitedMs, timeoutMs: options.timeoutMs });
      nextReport = waitedMs + LOCK_REPORT_EVERY_MS;
    }
    const remaining = options.timeoutMs === undefined ? delay : Math.max(0, Math.min(delay, options.timeoutMs - waitedMs));
    await sleep(remaining);
    delay = Math.min(delay * 2, 500);
  }
  if (previousName !== undefined) await nameHolder(connection, thisProcess(options.command));
  return async () => {
    // A session lock dies with its session: if the connection was lost, there is nothing to release,
    // and an error here must not hide the error that ended the run.
    // Unlocked first: a waiter may look at the holder's name until the lock is gone.
    await connection.query('SELECT pg_advisory_unlock($1, $2)', [high, low]).catch(() => {});
    await restoreName(connection, previousName);
  };
}

async function restoreName(connection: Connection, previousName: string | undefined): Promise<void> {
  if (previousName === undefined) return;
  await connection.query(`SELECT set_config('application_name', $1, false)`, [previousName]).catch(() => {});
}

/** Sets application_name to name the holder; returns the name it had, or undefined if it could not be set. */
async function nameHolder(connection: Connection, holder: LockHolder): Promise<string | undefined> {
  try {
    const { rows } = await connection.query<{ name: string }>(`SELECT current_setting('application_name') AS name`);
    await connection.query(`SELECT set_config('application_name', $1, false)`, [encodeHolder(holder)]);
    return rows[0]?.name ?? '';
  } catch {
    // Only the waiters' messages depend on it.
    return undefined;
  }
}

/**
 * "sediment 3499@web-1 1764778228 sediment migrate shop": application_name holds at most 63 bytes of
 * printable ASCII (NAMEDATALEN - 1; other characters become '?'), so the host is cut to 24 characters
 * and the command line, last, to what fits (ending in '...').
 */
export function encodeHolder(holder: LockHolder): string {
  const ascii = (text: string) => text.replace(/[^\x20-\x7e]/g, '?');
  const seconds = Math.floor(new Date(holder.since).getTime() / 1000);
  const host = ascii(holder.host).replace(/\s/g, '').slice(0, 24);
  const name = `sediment ${holder.pid}@${host} ${seconds} ${ascii(holder.command)}`;
  return name.length <= 63 ? name : `${name.slice(0, 60)}...`;
}

export function decodeHolder(name: string | null | undefined): LockHolder | undefined {
  const match = /^sediment (\d+)@(\S*) (\d+) (.*)$/.exec(name ?? '');
  if (!match) return undefined;
  return { pid: Number(match[1]), host: match[2], since: new Date(Number(match[3]) * 1000).toISOString(), command: match[4] };
}

async function lockHolder(connection: Connection, high: number, low: number): Promise<{ holder?: LockHolder; backendPid?: number }> {
  try {
    // Advisory locks belong to one database: a lock of the same key in another database is not this one.
    const { rows } = await connection.query<{ pid: number; name: string | null }>(
      `SELECT l.pid, a.application_name AS name
         FROM pg_locks l LEFT JOIN pg_stat_activity a ON a.pid = l.pid
        WHERE l.locktype = 'advisory' AND l.granted AND l.classid = $1::int::oid AND l.objid = $2::int::oid AND l.objsubid = 2
          AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
        LIMIT 1`,
      [high, low],
    );
    const row = rows[0];
    return row ? { holder: decodeHolder(row.name), backendPid: row.pid } : {};
  } catch {
    return {};
  }
}

function timeout(resource: string, holder: LockHolder | undefined, backendPid: number | undefined, waitedMs: number): LockTimeoutError {
  const who = describeHolder(holder, backendPid);
  return new LockTimeoutError(
    `Another process is migrating ${resource}: ${who} holds the migrate lock; gave up after waiting ${Math.round(waitedMs / 100) / 10} s (--lock-timeout).`,
    {
      lock: 'migrate',
      holder,
      databaseState: 'unchanged: nothing was run.',
      hint:
        'Wait for it to finish and run the command again (it may well have applied what you wanted: ' +
        "'sediment showmigrations'), or raise --lock-timeout (or `lockTimeout` in sediment.config.ts) to wait longer. " +
        (backendPid !== undefined
          ? `If that process is stuck, stop it; its lock goes with its session (SELECT pg_terminate_backend(${backendPid}) ends it from the server side).`
          : ''),
    },
  );
}
