import { after } from 'node:test';
import { randomBytes } from 'node:crypto';
import type { Connection } from '../../src/backends/base/connection.js';
import { connectPostgres } from '../../src/backends/postgres/pg-connection.js';
import { wrapPglite } from '../../src/backends/pglite/pglite-connection.js';

/**
 * Real databases for tests, each test in a place of its own:
 * - PGlite: one embedded instance per test process (it takes seconds to start), a fresh schema per test;
 * - PostgreSQL server (when SEDIMENT_TEST_POSTGRES_URL is set): a database created and dropped per test.
 */
export type TargetName = 'pglite' | 'postgres';

export interface TestTarget {
  readonly name: TargetName;
  /** Runs `fn` with a connection to an empty database (or schema) that is dropped afterwards. */
  with<T>(fn: (connection: Connection, url: string) => Promise<T>): Promise<T>;
}

type PgliteInstance = import('@electric-sql/pglite').PGlite;
let sharedPglite: Promise<PgliteInstance> | undefined;

async function pglite(): Promise<PgliteInstance> {
  sharedPglite ??= import('@electric-sql/pglite').then(async ({ PGlite }) => {
    const db = new PGlite();
    await db.waitReady;
    return db;
  });
  return sharedPglite;
}

after(async () => {
  if (sharedPglite) await (await sharedPglite).close();
});

const uniqueName = (prefix: string) => `${prefix}_${randomBytes(5).toString('hex')}`;

export const pgliteTarget: TestTarget = {
  name: 'pglite',
  async with(fn) {
    const db = await pglite();
    const schema = uniqueName('t');
    await db.exec(`CREATE SCHEMA ${schema}; SET search_path TO ${schema};`);
    try {
      return await fn(wrapPglite(db, `PGlite memory (schema ${schema})`, false), 'pglite:memory');
    } finally {
      await db.exec(`ROLLBACK; RESET search_path; DROP SCHEMA IF EXISTS ${schema} CASCADE;`).catch(async () => {
        await db.exec(`RESET search_path; DROP SCHEMA IF EXISTS ${schema} CASCADE;`);
      });
    }
  },
};

/** Creates a database on the server, hands out its URL, and drops it afterwards. */
export async function withServerDatabase<T>(fn: (url: string) => Promise<T>): Promise<T> {
  const adminUrl = process.env.SEDIMENT_TEST_POSTGRES_URL;
  if (!adminUrl) throw new Error('SEDIMENT_TEST_POSTGRES_URL is not set');
  const name = uniqueName('sediment_test');
  const admin = await connectPostgres(adminUrl);
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  try {
    return await fn(url.toString());
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => {});
    await admin.close();
  }
}

export const postgresTarget: TestTarget = {
  name: 'postgres',
  with(fn) {
    return withServerDatabase(async (url) => {
      const connection = await connectPostgres(url);
      try {
        return await fn(connection, url);
      } finally {
        await connection.close();
      }
    });
  },
};

/** PGlite always; the PostgreSQL server too when SEDIMENT_TEST_POSTGRES_URL is set. */
export function testTargets(): TestTarget[] {
  return process.env.SEDIMENT_TEST_POSTGRES_URL ? [pgliteTarget, postgresTarget] : [pgliteTarget];
}
