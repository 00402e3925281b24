import { hostname } from 'node:os';
import { redact } from '../../database/url.js';

/**
 * Who holds a lock, stored with the lock itself (the PGlite folder's lock file, the server session's
 * application_name) so that a waiter can say whom it waits for (SPEC §5: "a waiter says who holds the
 * lock and since when").
 */
export interface LockHolder {
  readonly pid: number;
  readonly host: string;
  /** The holder's command line, password-free: `sediment migrate shop`. */
  readonly command: string;
  /** When it took the lock, ISO 8601. */
  readonly since: string;
}

/** Which lock a waiter waits for. */
export type LockKind = 'pglite-folder' | 'migrate';

/** What a waiter is told while another process holds a lock: plain data, for text or JSON output. */
export interface LockWaitEvent {
  readonly lock: LockKind;
  /** What is locked: the PGlite data folder, or the database and history table of the migrate lock. */
  readonly resource: string;
  /** Undefined when the holder could not be identified (e.g. a session that is not Sediment's). */
  readonly holder: LockHolder | undefined;
  /** On a PostgreSQL server: the backend pid of the session holding the lock (see pg_stat_activity). */
  readonly backendPid?: number;
  readonly waitedMs: number;
  /** When the waiter gives up; undefined: it waits without limit. */
  readonly timeoutMs: number | undefined;
}

/** How a lock is waited for. */
export interface LockWaitOptions {
  /** Called when the lock is found taken, then every `reportEveryMs` while waiting. */
  readonly onWait?: (event: LockWaitEvent) => void;
  /** Give up after this long with a LockTimeoutError; undefined waits without limit, 0 does not wait. */
  readonly timeoutMs?: number;
  /** The command line stored as this process's, when it holds the lock; default: this process's argv. */
  readonly command?: string;
}

/** Waiters report on finding the lock taken, then every ten seconds. */
export const LOCK_REPORT_EVERY_MS = 10_000;

/** This process as a lock holder, from now. */
export function thisProcess(command = currentCommand()): LockHolder {
  return { pid: process.pid, host: hostname(), command, since: new Date().toISOString() };
}

/**
 * `sediment migrate shop`: this process's arguments, passwords masked, without `--database URL` (the
 * waiter knows the database, and the migrate lock's holder name has 63 bytes to spare).
 */
export function currentCommand(argv: readonly string[] = process.argv.slice(2)): string {
  const args: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--database') i++;
    else if (!argv[i].startsWith('--database=')) args.push(redact(argv[i]));
  }
  return ['sediment', ...args].join(' ');
}

/**
 * "sediment migrate (pid 3499 on web-1, PostgreSQL backend pid 3511, since 2026-12-03 16:10:28 UTC)",
 * or what is known of a holder that is not identified.
 */
export function describeHolder(holder: LockHolder | undefined, backendPid?: number): string {
  const backend = backendPid !== undefined ? `PostgreSQL backend pid ${backendPid}` : '';
  if (!holder) return backend ? `a session not identified as Sediment's (${backend}, see pg_stat_activity)` : 'another process';
  return `${holder.command} (pid ${holder.pid} on ${holder.host}${backend ? `, ${backend}` : ''}, since ${readableTime(holder.since)})`;
}

/** "Waiting for …" as one line of text, for the CLI. */
export function describeWait(event: LockWaitEvent): string {
  const what = event.lock === 'pglite-folder' ? `the PGlite database at ${event.resource}, in use by` : `the migrate lock of ${event.resource}, held by`;
  const limit = event.timeoutMs === undefined ? '' : `, giving up after ${event.timeoutMs / 1000} s`;
  return `Waiting for ${what} ${describeHolder(event.holder, event.backendPid)} (${Math.round(event.waitedMs / 1000)} s so far${limit})…`;
}

/** 2026-12-03 16:10:28 UTC */
export function readableTime(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
