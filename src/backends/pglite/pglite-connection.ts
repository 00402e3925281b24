import { pgliteBackend } from '../postgres/backend.js';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Connection, QueryResult } from '../base/connection.js';
import type { LockWaitOptions } from '../base/lock-holder.js';
import { ConnectionError, databaseMessage } from '../../errors/index.js';
import { lockPgliteFolder, type FolderLock } from './folder-lock.js';

export interface PgliteOptions {
  /** How to wait for another process that has the folder open (see folder-lock.ts). */
  readonly lock?: LockWaitOptions;
}

/**
 * Embedded PostgreSQL (PGlite, WebAssembly). `path` is a data directory (created if missing), or
 * 'memory'. A directory is locked for this process until the connection closes (folder-lock.ts).
 * PGlite keeps Node alive until closed, so callers must close it; it is loaded only when used (it is
 * large).
 */
export async function connectPglite(path: string, options: PgliteOptions = {}): Promise<Connection> {
  if (path === 'memory') return wrapPglite(await openPglite(path, undefined), 'PGlite memory');
  mkdirSync(dirname(path), { recursive: true });
  const lock = await lockPgliteFolder(path, options.lock);
  try {
    makeFolder(path);
    const db = await openPglite(path, lock);
    return wrapPglite(db, `PGlite ${path}`, true, () => lock.release());
  } catch (error) {
    lock.release();
    throw error;
  }
}

function makeFolder(path: string): void {
  try {
    mkdirSync(path, { recursive: true });
  } catch (error) {
    throw new ConnectionError(`Could not create the PGlite database folder ${path}: ${databaseMessage(error)}`, {
      hint: 'The pglite: path must name a folder (or a place for one), not a file; check the path and that its parent is writable.',
      databaseState: 'unchanged (not opened)',
      cause: error,
    });
  }
}

async function openPglite(path: string, lock: FolderLock | undefined) {
  const { PGlite } = await import('@electric-sql/pglite');
  try {
    const db = path === 'memory' ? new PGlite() : new PGlite(path);
    await db.waitReady;
    return db;
  } catch (error) {
    // No other Sediment process has the folder open (this one holds its lock), so the cause is in the
    // folder itself, or in a program that opened it without Sediment's lock.
    throw new ConnectionError(`Could not open the embedded PGlite database at ${path}: ${databaseMessage(error)}`, {
      hint: lock
        ? 'Check that no other program (your application using PGlite, a PGlite shell) has the folder open, that it is writable, ' +
          'and that it is a PGlite data folder: a folder damaged by two processes at once (before Sediment locked it) or made by another ' +
          'PostgreSQL version cannot be opened; restore it from a copy or remove it to start empty.'
        : 'Check that there is enough memory for the embedded database.',
      databaseState: 'unchanged (not opened)',
      cause: error,
    });
  }
}

/** Wraps an already open PGlite instance (tests share one instance across many schemas). */
export function wrapPglite(
  db: {
    query: (sql: string, params?: unknown[]) => Promise<{ rows: unknown[]; affectedRows?: number }>;
    exec: (sql: string) => Promise<unknown>;
    close: () => Promise<void>;
  },
  description: string,
  ownsInstance = true,
  afterClose: () => void = () => {},
): Connection {
  return {
    backend: pgliteBackend,
    description,
    // The process is the server: an asynchronous commit not yet flushed dies with it (issue 8, item 4).
    asyncCommitSurvivesExit: false,
    // A PGlite statement runs synchronously on this thread, so none is running when this is called.
    cancel: async () => false,
    async query<Row>(sql: string, params?: readonly unknown[]): Promise<QueryResult<Row>> {
      const result = await db.query(sql, params as unknown[] | undefined);
      return { rows: result.rows as Row[], rowCount: result.affectedRows ?? result.rows.length };
    },
    async script(sql: string): Promise<void> {
      await db.exec(sql);
    },
    async close() {
      try {
        if (ownsInstance) await db.close();
      } finally {
        afterClose();
      }
    },
  };
}
