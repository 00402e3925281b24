import type { Connection } from '../base/connection.js';

/**
 * Limits how long each statement of the session waits for a lock (PostgreSQL `lock_timeout`,
 * https://www.postgresql.org/docs/current/runtime-config-client.html#GUC-LOCK-TIMEOUT): an ALTER TABLE
 * queued behind a long read holds up every later query of that table while it waits (trust findings,
 * 12: a plain SELECT waited 14.2 s), so it should fail fast, roll its migration back, and be retried
 * when the table is quiet (SQLSTATE 55P03, see executor/hints.ts). `ms` 0 sets no limit.
 *
 * CREATE/DROP INDEX CONCURRENTLY are left without the limit: they wait, by design, for every older
 * transaction to end, and block no reads or writes meanwhile; under a lock_timeout they would fail
 * behind any long transaction and leave an INVALID index behind.
 *
 * Returns the connection to use: the same session, with CONCURRENTLY statements run unlimited.
 */
export async function limitStatementLockWaits(connection: Connection, ms: number): Promise<Connection> {
  const setting = `${Math.round(ms)}ms`;
  await connection.query(`SELECT set_config('lock_timeout', $1, false)`, [setting]);
  if (ms <= 0) return connection;
  const unlimited = async <T>(sql: string, run: () => Promise<T>): Promise<T> => {
    if (!/\bCONCURRENTLY\b/i.test(sql)) return run();
    await connection.query(`SELECT set_config('lock_timeout', '0', false)`);
    try {
      return await run();
    } finally {
      await connection.query(`SELECT set_config('lock_timeout', $1, false)`, [setting]).catch(() => {});
    }
  };
  return {
    ...connection,
    query: (sql, params) => unlimited(sql, () => connection.query(sql, params)),
    script: (sql) => unlimited(sql, () => connection.script(sql)),
    close: () => connection.close(),
  };
}
