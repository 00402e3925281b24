import { postgresBackend } from './backend.js';
import type { Connection, QueryResult } from '../base/connection.js';
import { ConfigError, ConnectionError, databaseMessage } from '../../errors/index.js';
import { describeUrl } from '../../database/url.js';

/** A PostgreSQL server connection through node-postgres: one dedicated client, never a pool. */
export async function connectPostgres(url: string): Promise<Connection> {
  const { default: pg } = await import('pg');
  const timeoutS = connectTimeoutSeconds(url);
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutS * 1000 });
  // Without a listener, a server-side termination would crash the process with an unhandled 'error'.
  client.on('error', () => {});
  const target = describeUrl(url);
  const started = Date.now();
  try {
    await client.connect();
  } catch (error) {
    if (timeoutS > 0 && (/timeout/i.test(databaseMessage(error)) || Date.now() - started >= timeoutS * 1000)) {
      throw new ConnectionError(`Could not connect to PostgreSQL at ${target}: no answer within ${timeoutS} s (connect_timeout).`, {
        hint:
          'Something accepts connections there but does not answer as PostgreSQL does (a stopped or overloaded server, a stuck pooler ' +
          'or proxy, a firewall). Check the server and the URL; to wait longer, add ?connect_timeout=SECONDS to the URL (0 waits without limit).',
        databaseState: 'unchanged (not connected)',
        cause: error,
      });
    }
    throw new ConnectionError(`Could not connect to PostgreSQL at ${target}: ${databaseMessage(error)}`, {
      hint: 'Check that the server is running and that the URL (--database, DATABASE_URL or sediment.config) is right.',
      databaseState: 'unchanged (not connected)',
      cause: error,
    });
  }
  return {
    backend: postgresBackend,
    description: `PostgreSQL ${target}`,
    asyncCommitSurvivesExit: true,
    // processID is the backend pid the server sent at startup (BackendKeyData).
    cancel: () => cancelBackend(url, (client as unknown as { processID: number | null }).processID),
    async query<Row>(sql: string, params?: readonly unknown[]): Promise<QueryResult<Row>> {
      try {
        const result = await client.query(sql, params as unknown[] | undefined);
        return { rows: result.rows as Row[], rowCount: result.rowCount ?? result.rows.length };
      } catch (error) {
        throw lostConnection(error, target) ?? error;
      }
    },
    async script(sql: string): Promise<void> {
      try {
        await client.query(sql);
      } catch (error) {
        throw lostConnection(error, target) ?? error;
      }
    },
    async close() {
      await client.end().catch(() => {});
    },
  };
}

/** Seconds to wait for a connection when neither the URL nor PGCONNECT_TIMEOUT says (Prisma waits 5 s, libpq forever). */
export const DEFAULT_CONNECT_TIMEOUT_S = 10;

/**
 * The URL's `connect_timeout` (else PGCONNECT_TIMEOUT, else 10 s), with libpq's meaning: whole seconds,
 * zero or negative waits without limit (https://www.postgresql.org/docs/current/libpq-connect.html#LIBPQ-CONNECT-CONNECT-TIMEOUT).
 * node-postgres ignores the parameter and waits forever by default (trust findings, 14). libpq before
 * PostgreSQL 18 raised 1 to 2 seconds; the value is honoured as written here.
 */
export function connectTimeoutSeconds(url: string, env: NodeJS.ProcessEnv = process.env): number {
  let given: string | null | undefined;
  try {
    given = new URL(url).searchParams.get('connect_timeout');
  } catch {
    given = /[?&]connect_timeout=([^&]*)/.exec(url)?.[1];
  }
  const value = given ?? env.PGCONNECT_TIMEOUT;
  if (value === undefined || value === null || value === '') return DEFAULT_CONNECT_TIMEOUT_S;
  if (!/^\s*[-+]?\d+\s*$/.test(value)) {
    throw new ConfigError(`connect_timeout must be a whole number of seconds, not ${JSON.stringify(value)}.`, {
      hint: 'E.g. postgres://host/db?connect_timeout=10 (0 waits without limit).',
    });
  }
  return Math.max(0, Number(value));
}

/**
 * Cancels the statement the backend `pid` is running, from a second short-lived session:
 * pg_cancel_backend (https://www.postgresql.org/docs/current/functions-admin.html#FUNCTIONS-ADMIN-SIGNAL)
 * makes that statement fail with SQLSTATE 57014 and leaves the session open, so the caller can still
 * roll back and release its lock. Needs the same role (or pg_signal_backend), which migrate's own
 * second session has. Never throws: an unreachable server just means nothing was cancelled.
 */
async function cancelBackend(url: string, pid: number | null): Promise<boolean> {
  if (!pid) return false;
  const { default: pg } = await import('pg');
  const canceller = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  canceller.on('error', () => {});
  try {
    await canceller.connect();
    const { rows } = await canceller.query<{ cancelled: boolean }>('SELECT pg_cancel_backend($1) AS cancelled', [pid]);
    return rows[0]?.cancelled === true;
  } catch {
    return false;
  } finally {
    await canceller.end().catch(() => {});
  }
}

/**
 * A ConnectionError for an error that is the connection's, not the statement's: node-postgres fails
 * every query after the server ended the session (pg_terminate_backend, a failover, a restart) with a
 * plain Error ("Client has encountered a connection error and is not queryable", "Connection
 * terminated"), which the CLI printed as an internal error with a stack trace (found by the reliability
 * tests that terminate migrate's backend). Errors the server sent for a statement carry a SQLSTATE code
 * and are left as they are, for the executor to report with their SQL.
 */
function lostConnection(error: unknown, target: string): ConnectionError | undefined {
  const code = (error as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return undefined;
  const message = databaseMessage(error);
  const lost = ['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ECONNREFUSED'].includes(code as string) || /connection|terminated|not queryable/i.test(message);
  if (!lost) return undefined;
  return new ConnectionError(`Lost the connection to PostgreSQL at ${target}: ${message}`, {
    hint: 'The server ended the session (an administrator, a failover or a restart). Check the server, then run the command again.',
    databaseState: 'PostgreSQL rolled back the transaction that was open, if any; what was committed before stays. ' +
      "'sediment showmigrations' shows what is applied.",
    cause: error,
  });
}

/** The one password-free form of a URL for messages lives with the URL parser. */
export { describeUrl };
