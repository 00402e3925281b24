import { randomUUID } from 'node:crypto';
import { closeSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { ConnectionError } from '../../errors/index.js';
import { LockTimeoutError } from '../../errors/lock-timeout.js';
import {
  LOCK_REPORT_EVERY_MS, describeHolder, sleep, thisProcess, type LockHolder, type LockWaitOptions,
} from '../base/lock-holder.js';

/**
 * One process at a time per PGlite data folder (SPEC §5). Every process that opens a folder runs its
 * own embedded PostgreSQL on the same files, with no shared memory between them, so the advisory lock
 * does not exclude anything and two processes at once destroyed the folder in 10 of 13 trials
 * (trust findings, 1). PGlite writes even when only reading, so every command takes this lock.
 *
 * Why a lock file and not a library: Node has no flock(2). proper-lockfile, the usual npm answer,
 * detects a dead holder by an mtime it refreshes on a timer; a holder whose event loop is busy in a
 * long WebAssembly query (or that was SIGSTOP'd and resumes) would be taken over while alive, which
 * is exactly the corruption this lock prevents. A holder's pid is exact on one host, so this lock file,
 * created with O_EXCL, stores the pid, host, command line and start time, and is taken over only when
 * that pid is no longer alive on this host (process.kill(pid, 0)) or is now another process (its
 * start time in /proc differs, on Linux). A holder on another host (a shared network folder) is never
 * presumed dead: the waiter says who it is and how to remove the file.
 *
 * The file lies beside the folder (`.sediment/dev.lock` for `.sediment/dev`): PGlite refuses to create
 * a database in a folder that holds any file, and the first run, which creates it, is the one that
 * most needs the lock.
 */
export interface FolderLock {
  readonly file: string;
  /** Removes the lock file if it is still this lock's; never throws. */
  release(): void;
}

interface LockFile extends LockHolder {
  /** Tells this lock from a later one at the same path (release removes only its own). */
  readonly token: string;
  /** Linux: the holder's start time in clock ticks since boot (/proc/PID/stat field 22), against pid reuse. */
  readonly processStart?: string;
}

/** Locks held by this process, by token: a lock file naming this pid but none of these is a previous life's. */
const heldHere = new Set<string>();

/** A lock file found empty or unreadable is being written; older than this it was left by a crash. */
const UNREADABLE_GRACE_MS = 5_000;

export function lockFilePath(folder: string): string {
  return join(dirname(folder), `${basename(folder)}.lock`);
}

/** Takes the folder's lock, waiting (and reporting) while another live process holds it. */
export async function lockPgliteFolder(folder: string, options: LockWaitOptions = {}): Promise<FolderLock> {
  const file = lockFilePath(folder);
  const started = Date.now();
  let nextReport = 0;
  let delay = 50;
  for (;;) {
    const attempt = tryLock(file, options.command);
    if (attempt.kind === 'acquired') return attempt.lock;
    const waitedMs = Date.now() - started;
    if (options.timeoutMs !== undefined && waitedMs >= options.timeoutMs) throw timeout(folder, file, attempt.holder, waitedMs);
    if (waitedMs >= nextReport) {
      options.onWait?.({ lock: 'pglite-folder', resource: folder, holder: attempt.holder, waitedMs, timeoutMs: options.timeoutMs });
      nextReport = waitedMs + LOCK_REPORT_EVERY_MS;
    }
    const remaining = options.timeoutMs === undefined ? delay : Math.max(0, Math.min(delay, options.timeoutMs - waitedMs));
    await sleep(remaining);
    delay = Math.min(delay * 2, 500);
  }
}

type Attempt = { kind: 'acquired'; lock: FolderLock } | { kind: 'held'; holder: LockHolder | undefined };

function tryLock(file: string, command: string | undefined): Attempt {
  // Two rounds: the second after removing a dead holder's file.
  for (let round = 0; round < 2; round++) {
    const content: LockFile = { ...thisProcess(command), token: randomUUID(), processStart: processStart(process.pid) };
    let fd: number;
    try {
      fd = openSync(file, 'wx');
    } catch (error) {
      if (code(error) !== 'EEXIST') throw unusable(file, error);
      const found = readLockFile(file);
      if (found.kind === 'missing') continue;
      if (!isDead(found)) return { kind: 'held', holder: found.kind === 'read' ? publicHolder(found.holder) : undefined };
      removeDeadLock(file, found.raw);
      continue;
    }
    try {
      writeSync(fd, `${JSON.stringify(content, null, 2)}\n`);
    } finally {
      closeSync(fd);
    }
    heldHere.add(content.token);
    const release = releaser(file, content.token);
    process.once('exit', release);
    return {
      kind: 'acquired',
      lock: {
        file,
        release() {
          process.removeListener('exit', release);
          release();
        },
      },
    };
  }
  return { kind: 'held', holder: undefined };
}

/** The holder as waiters see it, without the lock file's bookkeeping. */
function publicHolder({ pid, host, command, since }: LockFile): LockHolder {
  return { pid, host, command: String(command), since: String(since) };
}

/** Removes the lock file only if it still holds `token` (a crashed run's successor may own it now). */
function releaser(file: string, token: string): () => void {
  return () => {
    heldHere.delete(token);
    try {
      const found = readLockFile(file);
      if (found.kind === 'read' && found.holder.token === token) unlinkSync(file);
    } catch {
      // Nothing to release, or the folder's parent went away: the lock is gone either way.
    }
  };
}

type Found =
  | { kind: 'read'; holder: LockFile; raw: string }
  | { kind: 'unreadable'; raw: string; ageMs: number }
  | { kind: 'missing' };

function readLockFile(file: string): Found {
  let raw: string;
  let ageMs: number;
  try {
    raw = readFileSync(file, 'utf8');
    ageMs = Date.now() - statSync(file).mtimeMs;
  } catch (error) {
    if (code(error) === 'ENOENT') return { kind: 'missing' };
    throw unusable(file, error);
  }
  try {
    const holder = JSON.parse(raw) as LockFile;
    if (Number.isInteger(holder.pid) && typeof holder.host === 'string' && typeof holder.token === 'string') return { kind: 'read', holder, raw };
  } catch {
    // Being written (created, not yet filled), or damaged.
  }
  return { kind: 'unreadable', raw, ageMs };
}

function isDead(found: Exclude<Found, { kind: 'missing' }>): boolean {
  if (found.kind === 'unreadable') return found.ageMs > UNREADABLE_GRACE_MS;
  const { holder } = found;
  if (holder.host !== hostname()) return false;
  // This pid is ours, but not this lock: written by a previous process with the same pid (a container restarted).
  if (holder.pid === process.pid) return !heldHere.has(holder.token);
  try {
    process.kill(holder.pid, 0);
  } catch (error) {
    // EPERM: the process exists but belongs to another user; it is alive.
    if (code(error) === 'ESRCH') return true;
  }
  const start = processStart(holder.pid);
  return holder.processStart !== undefined && start !== undefined && start !== holder.processStart;
}

/**
 * Removes a dead holder's lock file, unless someone else replaced it in the meantime. Waiters that
 * find the same dead holder at once take turns through a second O_EXCL file, so that one of them
 * cannot delete the fresh lock another has just created in its place.
 */
function removeDeadLock(file: string, raw: string): void {
  const takeover = `${file}.takeover`;
  let fd: number;
  try {
    fd = openSync(takeover, 'wx');
  } catch (error) {
    if (code(error) !== 'EEXIST') throw unusable(file, error);
    // Another waiter is removing it; a takeover file its maker left behind by crashing is removed after the grace period.
    try {
      if (Date.now() - statSync(takeover).mtimeMs > UNREADABLE_GRACE_MS) unlinkSync(takeover);
    } catch {
      // Gone already.
    }
    return;
  }
  try {
    closeSync(fd);
    const now = readLockFile(file);
    if (now.kind !== 'missing' && now.raw === raw) unlinkSync(file);
  } finally {
    try {
      unlinkSync(takeover);
    } catch {
      // Removed by a waiter that judged it left behind: harmless.
    }
  }
}

/** /proc/PID/stat field 22 (starttime), or undefined where there is no /proc. */
function processStart(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 2 (the command name, in parentheses) may hold spaces: count from the last ')', field 3 on.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

function timeout(folder: string, file: string, holder: LockHolder | undefined, waitedMs: number): LockTimeoutError {
  const local = holder && holder.host === hostname();
  return new LockTimeoutError(
    `The PGlite database at ${folder} is in use by ${describeHolder(holder)}; gave up after waiting ${Math.round(waitedMs / 100) / 10} s (--lock-timeout).`,
    {
      lock: 'pglite-folder',
      holder,
      databaseState: 'unchanged (not opened)',
      hint: holder
        ? `A PGlite folder is opened by one process at a time. Wait for that process to finish, or stop it${local ? ` (kill ${holder.pid})` : ''}, ` +
          `then run the command again; raise --lock-timeout to wait longer. ` +
          `If that process no longer uses the folder${local ? '' : ` (it ran on ${holder.host})`}, remove ${file}.`
        : `A PGlite folder is opened by one process at a time, and ${file} says another is starting. Run the command again; if no other process uses the folder, remove ${file}.`,
    },
  );
}

function unusable(file: string, error: unknown): ConnectionError {
  return new ConnectionError(`Could not create or read the lock file ${file} of the PGlite database: ${(error as Error).message}`, {
    hint: 'Sediment keeps a lock file beside the PGlite folder while it is open: check that the folder above it is writable.',
    databaseState: 'unchanged (not opened)',
    cause: error,
  });
}

function code(error: unknown): string | undefined {
  return (error as { code?: string } | null)?.code;
}

