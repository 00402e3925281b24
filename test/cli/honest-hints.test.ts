import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import { cliTargets, expectRun, handWritten, withProject, type CliProject } from '../support/cli.js';

/**
 * Hints and history that only record what the database verifiably has (issue 8, findings 8 and 9,
 * and item 6): an interrupted non-atomic migration is never offered --fake for operations that never
 * ran, an edited data migration is never said to be "what the database has", and --allow-edited never
 * re-records a migration the same run unapplied.
 */
const clientModels = `import { model, f } from 'sediment-migrations';

export const Client = model('Client', {
  name: f.char({ maxLength: 255 }),
});
`;

const clientAndOrderModels = `${clientModels}
export const Order = model('Order', {
  total: f.integer(),
});
`;

const createClient = "ops.createModel({ name: 'Client', fields: { id: f.bigAuto({ primaryKey: true }), name: f.char({ maxLength: 255 }) } })";
const createOrder = "ops.createModel({ name: 'Order', fields: { id: f.bigAuto({ primaryKey: true }), total: f.integer() } })";
const selectSql = "ops.runSql({ sql: 'SELECT 1', reverseSql: 'SELECT 1' })";

/**
 * The state an interrupted run of a non-atomic migration leaves: its first `committed` operations are
 * in the database (they committed as they ran), and it has no history row. Made by applying a copy of
 * the migration cut after those operations, removing its row, and restoring the whole file.
 */
async function interruptedAfter(project: CliProject, operations: readonly string[], committed: number): Promise<void> {
  const whole = handWritten({ dependencies: [], operations, atomic: false });
  project.writeMigration('shop', '0001_initial', handWritten({ dependencies: [], operations: operations.slice(0, committed), atomic: false }));
  expectRun(await project.run('migrate'), { code: 0 });
  await project.sql("DELETE FROM sediment_migrations WHERE app = 'shop'");
  project.writeMigration('shop', '0001_initial', whole);
}

for (const target of cliTargets()) {
  describe(`hints that record only what the database has, on ${target}`, () => {
    test('an interrupted non-atomic migration: the hint names what is there and what is not, the likely cause, and does not recommend --fake', async () => {
      await withProject(target, { apps: { shop: clientAndOrderModels } }, async (project) => {
        await interruptedAfter(project, [createClient, selectSql, createOrder], 1);
        const result = expectRun(await project.run('migrate'), {
          code: 1,
          stderr: [
            'already exists',
            'In the database: Create model Client.',
            'Not in the database: Create model Order.',
            'Raw SQL operation',
            /not atomic.*interrupted/,
            'Do not record it with --fake',
            'revert the committed part',
          ],
          notStderr: ['nothing of it ran', 'If the schema is already right', 'Since all of it is there'],
        });
        assert.ok(!/database:.*partially applied: nothing/.test(result.stderr));
        assert.deepEqual(await project.history(), []);
      });
    });

    test('an interrupted non-atomic migration whose schema is all there but that runs SQL: --fake only after checking the SQL ran', async () => {
      await withProject(target, { apps: { shop: clientAndOrderModels } }, async (project) => {
        await interruptedAfter(project, [createClient, createOrder, selectSql], 2);
        expectRun(await project.run('migrate'), {
          code: 1,
          stderr: ['In the database: Create model Client; Create model Order.', 'Check by hand whether the SQL or code ran', 'only if it did'],
          notStderr: ['Since all of it is there'],
        });
      });
    });

    test('an interrupted non-atomic migration whose schema is all there and that runs no SQL or code: record it with --fake', async () => {
      await withProject(target, { apps: { shop: clientAndOrderModels } }, async (project) => {
        await interruptedAfter(project, [createClient, createOrder], 2);
        expectRun(await project.run('migrate'), { code: 1, stderr: ['Since all of it is there', "'sediment migrate shop 0001_initial --fake'"] });
      });
    });

    test('migrate --allow-edited shop zero after an edit leaves nothing recorded for the migrations it unapplied', async () => {
      await withProject(target, { apps: { shop: clientModels } }, async (project) => {
        expectRun(await project.run('makemigrations'), { code: 0 });
        expectRun(await project.run('migrate'), { code: 0 });
        const file = project.migrationPath('shop', '0001');
        project.write(file, project.read(file).replace('maxLength: 255', 'maxLength: 200'));
        expectRun(await project.run('migrate', '--allow-edited', 'shop', 'zero'), { code: 0, stdout: ['Unapplying shop.0001_initial... OK'] });
        assert.deepEqual(await project.history(), []);
        assert.ok(!(await project.tables()).includes('shop_client'));
        expectRun(await project.run('showmigrations'), { code: 0, stdout: ['[ ] 0001_initial'] });
        expectRun(await project.run('migrate'), { code: 0, stdout: ['Applying shop.0001_initial... OK'] });
      });
    });

    test('an edited runSql migration is never "what the database has": --allow-edited only after checking the data yourself', async () => {
      await withProject(target, { apps: { shop: clientModels } }, async (project) => {
        expectRun(await project.run('makemigrations'), { code: 0 });
        const insert = (value: string) => `ops.runSql({ sql: "INSERT INTO shop_client (name) VALUES ('${value}')", reverseSql: 'DELETE FROM shop_client' })`;
        project.writeMigration('shop', '0002_rows', handWritten({ dependencies: [['shop', '0001_initial']], operations: [insert('old')] }));
        expectRun(await project.run('migrate'), { code: 0 });
        project.writeMigration('shop', '0002_rows', handWritten({ dependencies: [['shop', '0001_initial']], operations: [insert('new-value')] }));
        await expectHonestAboutRows(project);
      });
    });

    test('an unapplied runSql migration edited while migrate runs it (finding 9): the next run is not told the database has what the file describes', async () => {
      await withProject(target, { apps: { shop: clientModels } }, async (project) => {
        expectRun(await project.run('makemigrations'), { code: 0 });
        const insert = (value: string) => `ops.runSql({ sql: "INSERT INTO shop_client (name) VALUES ('${value}')", reverseSql: 'DELETE FROM shop_client' })`;
        project.writeMigration('shop', '0002_slow', handWritten({ dependencies: [['shop', '0001_initial']], operations: ["ops.runSql({ sql: 'SELECT pg_sleep(1.5)', reverseSql: 'SELECT 1' })"] }));
        project.writeMigration('shop', '0003_rows', handWritten({ dependencies: [['shop', '0002_slow']], operations: [insert('old')] }));
        // The files are loaded before the first migration runs: edit 0003 once 0002 has started.
        await migrateEditingWhileRunning(project, 'Applying shop.0002_slow...', () =>
          project.writeMigration('shop', '0003_rows', handWritten({ dependencies: [['shop', '0002_slow']], operations: [insert('new-value')] })));
        assert.deepEqual(await project.sql('SELECT name FROM shop_client'), [{ name: 'old' }]);
        await expectHonestAboutRows(project);
      });
    });
  });
}

async function expectHonestAboutRows(project: CliProject): Promise<void> {
  expectRun(await project.run('migrate'), {
    code: 1,
    stderr: ['runs SQL or code', 'no schema check can tell what that did to the rows', 'Only if you have checked the data yourself'],
    notStderr: ['The database has what the edited file'],
  });
  expectRun(await project.run('doctor'), {
    code: 1,
    stdout: ['Its schema matches the database, but it runs SQL or code', 'Only if you have checked the data yourself'],
    notStdout: ['The database has what the edited file describes'],
  });
  // Held without --accept-edited; with it, the decision is the user's and is described as such.
  expectRun(await project.run('doctor', '--fix'), { code: 1, stdout: ['add --accept-edited'], notStdout: ['Re-recorded'] });
}

/** Runs `migrate` and calls `edit` as soon as stdout shows `marker`; resolves when migrate exits 0. */
function migrateEditingWhileRunning(project: CliProject, marker: string, edit: () => void): Promise<void> {
  const bin = join(process.env.SEDIMENT_TEST_CLI_ROOT ? resolve(process.env.SEDIMENT_TEST_CLI_ROOT) : resolve(dirname(fileURLToPath(import.meta.url)), '..', '..'), 'bin', 'sediment.js');
  const args = project.databaseUrl ? ['migrate', '--database', project.databaseUrl] : ['migrate'];
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  delete env.DATABASE_URL;
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd: project.root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let edited = false;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      if (!edited && stdout.includes(marker)) {
        edited = true;
        edit();
      }
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0 && edited) resolvePromise();
      else reject(new Error(`migrate exited ${code} (edited: ${edited})\n${stdout}\n${stderr}`));
    });
  });
}
