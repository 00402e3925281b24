import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { introspectPostgres } from '../../src/backends/postgres/introspector.js';
import { connectPostgres } from '../../src/backends/postgres/pg-connection.js';
import { expectRun, withProject, type CliProject } from '../support/cli.js';
import { spawnSediment } from './support/process.js';

/**
 * Connection loss in the middle of a migration (issue 5): while `migrate` runs a migration (here in a
 * pg_sleep between two of its operations), a second connection terminates its backend
 * (pg_terminate_backend, as a failover, an idle-session killer or an administrator would). The
 * migration is rolled back — its first operation is not in the schema, it is not recorded — and
 * `migrate` reports it as one clear error, exit 1, without a stack trace; the next run applies it.
 */
const server = process.env.SEDIMENT_TEST_POSTGRES_URL;
const skip = server ? false : 'needs a PostgreSQL server: set SEDIMENT_TEST_POSTGRES_URL (e.g. postgres://postgres@127.0.0.1:5432/postgres)';

const shopModels = `import { model, f } from 'sediment-migrations';

export const Client = model('Client', {
  name: f.char({ maxLength: 255 }),
});
`;

const slowMigration = (atomic: boolean) => `import { f, migration, ops } from 'sediment-migrations';

export default migration({
${atomic ? '' : '  atomic: false,\n'}  dependencies: [['shop', '0001_initial']],
  operations: [
    ops.addField({ model: 'Client', name: 'email', field: f.email({ null: true }) }),
    ops.runSql({ sql: 'SELECT pg_sleep(1.5)', reverseSql: ops.noop }),
    ops.addField({ model: 'Client', name: 'rank', field: f.integer({ default: 0 }) }),
  ],
});
`;

/** What the database holds: the schema (as introspection reads it) and the history. */
async function databaseState(url: string): Promise<string> {
  const db = await connectPostgres(url);
  try {
    const schema = await introspectPostgres(db, { exclude: [] });
    const { rows } = await db.query<{ key: string }>(`SELECT app || '.' || name AS key FROM sediment_migrations ORDER BY 1`);
    return JSON.stringify({ schema, history: rows.map((r) => r.key) }, null, 1);
  } finally {
    await db.close();
  }
}

/** Runs `migrate` and terminates its backend once it is inside the pg_sleep; returns the run. */
async function migrateAndTerminate(project: CliProject, url: string) {
  const admin = await connectPostgres(url);
  let terminated = 0;
  let stop = false;
  const killer = (async () => {
    while (!stop && terminated === 0) {
      const { rows } = await admin.query<{ pid: number }>(
        `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND query LIKE '%pg_sleep(1.5)%' AND state = 'active'`,
      );
      for (const { pid } of rows) {
        await admin.query('SELECT pg_terminate_backend($1)', [pid]);
        terminated++;
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  })();
  try {
    const run = await spawnSediment(project.root, ['migrate', '--database', url]);
    stop = true;
    await killer;
    return { run, terminated };
  } finally {
    stop = true;
    await admin.close();
  }
}

describe('the server terminates the backend in the middle of a migration', { skip }, () => {
  test('the atomic migration is rolled back and reported as one clear error (exit 1), and the next migrate applies it', async () => {
    await withProject('postgres', { apps: { shop: shopModels } }, async (project) => {
      const url = project.databaseUrl!;
      expectRun(await project.run('makemigrations'), { code: 0 });
      expectRun(await project.run('migrate'), { code: 0 });
      project.writeMigration('shop', '0002_slow', slowMigration(true));
      const before = await databaseState(url);

      const { run, terminated } = await migrateAndTerminate(project, url);
      assert.equal(terminated, 1, 'the backend was terminated once, inside the migration');
      const result = expectRun(run, { code: 1, stderr: ['shop.0002_slow', /terminat/i] });
      const errors = result.stderr.split('\n').filter((line) => /^error(\[\w+\])?:/.test(line));
      assert.equal(errors.length, 1, `one error, not ${errors.length}:\n${result.stderr}`);
      assert.equal(await databaseState(url), before, 'the migration left nothing behind: the schema and the history are unchanged');

      expectRun(await project.run('migrate'), { code: 0, stdout: ['Applying shop.0002_slow... OK'] });
      assert.deepEqual(await project.history(), ['shop.0001_initial', 'shop.0002_slow']);
      assert.deepEqual(await project.columns('shop_client'), ['id', 'name', 'email', 'rank']);
    });
  });
});
