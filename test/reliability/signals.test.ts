import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, test } from 'node:test';
import { cliTargets, expectRun, handWritten, transcript, withProject, type CliProject, type CliResult, type CliTargetName } from '../support/cli.js';
import { sedimentBin } from './support/process.js';
import { count } from './support/scale.js';

/**
 * Signals and stalls during `migrate` (issue 8, items 3, 4 and 9; SPEC §5). Each trial applies three
 * migrations — 0001 creates a table, 0002 fills it, 0003 is an atomic migration that adds a column,
 * then waits (pg_sleep on a server, a timer in a runCode on PGlite), then adds another — and sends
 * `migrate` a signal once it is inside 0003's wait. Then:
 * - SIGINT / SIGTERM: exit 130 / 143 with the usual error block (error[Interrupted], the migration and
 *   the operation, "rolled back", what this run applied before); history = schema (0003 left nothing);
 *   the lock is free (the next migrate never waits; on a server no backend still runs the statement);
 * - SIGKILL (PGlite): the migrations printed OK before the kill are still applied (their commits were
 *   synchronous);
 * - a runCode whose promise never settles (PGlite, where nothing else keeps Node alive): exit 1 naming
 *   the migration, nothing of it kept, the earlier migrations applied.
 * Trials per signal and target: SEDIMENT_RELIABILITY_SIGNAL_TRIALS (CI 1, full 5).
 */
const trials = count(1, 5, 'SEDIMENT_RELIABILITY_SIGNAL_TRIALS');

const shopModels = `import { model, f } from 'sediment-migrations';

export const Client = model('Client', {
  name: f.char({ maxLength: 255 }),
});
`;

const initial = handWritten({
  dependencies: [],
  operations: [`ops.runSql({ sql: 'CREATE TABLE shop_client (id serial PRIMARY KEY, name varchar(255) NOT NULL)', reverseSql: 'DROP TABLE shop_client' })`],
});
const fill = handWritten({
  dependencies: [['shop', '0001_initial']],
  operations: [`ops.runSql({ sql: "INSERT INTO shop_client (name) SELECT 'c' || g FROM generate_series(1, 200) g", reverseSql: ops.noop })`],
});
/** The wait: a statement the server must cancel, or (PGlite) a runCode awaiting a timer. */
const wait = (target: CliTargetName, seconds: number, style: 'timer' | 'queries' = 'timer') =>
  target === 'postgres'
    ? `ops.runSql({ sql: 'SELECT pg_sleep(${seconds})', reverseSql: ops.noop })`
    : style === 'timer'
      // Nothing can stop a timer: the executor abandons it after its grace period.
      ? `ops.runCode({ forward: () => new Promise((resolve) => setTimeout(resolve, ${seconds * 1000})), reverse: ops.noop })`
      // A loop of queries stops at its next query, which the executor refuses after the signal.
      : `ops.runCode({ forward: async ({ db }) => { for (let i = 0; i < ${seconds * 20}; i++) { await db.selectFrom('shop_client').select('id').limit(1).execute(); await new Promise((r) => setTimeout(r, 50)); } }, reverse: ops.noop })`;
const slow = (target: CliTargetName, seconds: number, style: 'timer' | 'queries' = 'timer') => handWritten({
  dependencies: [['shop', '0002_fill']],
  operations: [
    `ops.runSql({ sql: 'ALTER TABLE shop_client ADD COLUMN email varchar(100)', reverseSql: 'ALTER TABLE shop_client DROP COLUMN email' })`,
    wait(target, seconds, style),
    `ops.runSql({ sql: 'ALTER TABLE shop_client ADD COLUMN rank integer', reverseSql: 'ALTER TABLE shop_client DROP COLUMN rank' })`,
  ],
});

function project3(project: CliProject, style: 'timer' | 'queries' = 'timer', seconds = 20): void {
  project.writeMigration('shop', '0001_initial', initial);
  project.writeMigration('shop', '0002_fill', fill);
  project.writeMigration('shop', '0003_slow', slow(project.target, seconds, style));
}

/**
 * Runs `migrate` and sends `signal` once stdout shows 0003 started (plus `delayMs`, inside the wait),
 * and `again` (if given) `againAfterMs` later.
 */
function migrateAndSignal(project: CliProject, signal: NodeJS.Signals, delayMs = 400, again?: { signal: NodeJS.Signals; afterMs: number }): Promise<CliResult> {
  const args = project.databaseUrl ? ['migrate', '--database', project.databaseUrl] : ['migrate'];
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  delete env.DATABASE_URL;
  delete env.FORCE_COLOR;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [sedimentBin, ...args], { cwd: project.root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let sent = false;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      if (!sent && stdout.includes('Applying shop.0003_slow')) {
        sent = true;
        setTimeout(() => {
          child.kill(signal);
          if (again) setTimeout(() => child.kill(again.signal), again.afterMs);
        }, delayMs);
      }
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code, killedBy) => {
      clearTimeout(timer);
      resolve({ command: `sediment ${args.join(' ')}   (${signal} inside 0003)`, code, signal: killedBy, stdout, stderr });
    });
  });
}

const columns = (project: CliProject) => project.columns('shop_client');

/** The first line of an error block: `error[Code]: …` (the code is part of the contract, README "Error codes"). */
const errorLine = (code: string, start: string) => new RegExp(`^error\\[${code}\\]: ${start.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`, "m");

for (const target of cliTargets()) {
  describe(`migrate interrupted on ${target}`, () => {
    for (const [signal, exitCode] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
      test(`${signal} inside an atomic migration exits ${exitCode}, says it rolled back, keeps what was applied before and frees the lock (${trials} trial(s))`, async () => {
        for (let trial = 0; trial < trials; trial++) {
          await withProject(target, { apps: { shop: shopModels } }, async (project) => {
            project3(project, signal === 'SIGINT' ? 'queries' : 'timer');
            const run = await migrateAndSignal(project, signal);
            expectRun(run, {
              code: exitCode,
              stdout: ['Applying shop.0001_initial... OK', 'Applying shop.0002_fill... OK'],
              stderr: [errorLine('Interrupted', `Interrupted by ${signal} while applying shop.0003_slow at operation 2 of 3`), 'rolled back', 'shop.0001_initial, shop.0002_fill'],
            });
            assert.deepEqual(await project.history(), ['shop.0001_initial', 'shop.0002_fill'], transcript(run));
            assert.deepEqual(await columns(project), ['id', 'name'], `0003's first column must be rolled back\n${transcript(run)}`);
            assert.equal((await project.sql<{ n: number }>('SELECT count(*)::int AS n FROM shop_client'))[0].n, 200);
            if (project.databaseUrl) {
              const running = await project.sql(`SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND query LIKE '%pg_sleep%' AND pid <> pg_backend_pid()`);
              assert.deepEqual(running, [], `no backend may still run the cancelled statement\n${transcript(run)}`);
              const locks = await project.sql(`SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`);
              assert.deepEqual(locks, [], `the migrate lock must be released\n${transcript(run)}`);
            }
            // The lock is free: the next run applies 0003 (made quick) without waiting for anyone.
            project.writeMigration('shop', '0003_slow', slow(target, 0));
            expectRun(await project.run('migrate'), { code: 0, stdout: ['Applying shop.0003_slow... OK'], notStdout: ['Waiting'] });
            assert.deepEqual(await columns(project), ['id', 'name', 'email', 'rank']);
          });
        }
      });
    }

    // PGlite: a timer in a runCode cannot be cancelled, so the first SIGINT waits a grace period for it
    // and the second one comes in that wait (a server cancels pg_sleep at once: nothing to force).
    test('a second signal while rolling back exits at once (130), and the migration in progress is not applied', { skip: target !== 'pglite' }, async () => {
      await withProject(target, { apps: { shop: shopModels } }, async (project) => {
        project3(project, 'timer');
        const run = await migrateAndSignal(project, 'SIGINT', 400, { signal: 'SIGINT', afterMs: 200 });
        expectRun(run, { code: 130, stderr: ['Interrupted again (SIGINT): exiting now.'] });
        assert.deepEqual(await project.history(), ['shop.0001_initial', 'shop.0002_fill'], transcript(run));
        assert.deepEqual(await columns(project), ['id', 'name'], transcript(run));
      });
    });

    if (target === 'pglite') {
      test(`SIGKILL inside a migration keeps every migration printed OK before it (${trials} trial(s))`, async () => {
        for (let trial = 0; trial < trials; trial++) {
          await withProject(target, { apps: { shop: shopModels } }, async (project) => {
            project3(project);
            const run = await migrateAndSignal(project, 'SIGKILL');
            assert.equal(run.signal, 'SIGKILL', transcript(run));
            assert.match(run.stdout, /Applying shop\.0002_fill\.\.\. OK/);
            assert.deepEqual(await project.history(), ['shop.0001_initial', 'shop.0002_fill'], `migrations printed OK were lost\n${transcript(run)}`);
            assert.deepEqual(await columns(project), ['id', 'name']);
          });
        }
      });

      test('a data migration whose promise never settles exits 1 naming it, and keeps what was applied before', async () => {
        await withProject(target, { apps: { shop: shopModels } }, async (project) => {
          project.writeMigration('shop', '0001_initial', initial);
          project.writeMigration('shop', '0002_fill', fill);
          project.writeMigration('shop', '0003_slow', handWritten({
            dependencies: [['shop', '0002_fill']],
            operations: [
              `ops.runSql({ sql: 'ALTER TABLE shop_client ADD COLUMN email varchar(100)', reverseSql: ops.noop })`,
              'ops.runCode({ forward: () => new Promise(() => {}), reverse: ops.noop })',
            ],
          }));
          const run = expectRun(await project.run('migrate'), {
            code: 1,
            stdout: ['Applying shop.0002_fill... OK'],
            stderr: [errorLine('MigrationNeverFinished', 'shop.0003_slow never finished'), 'its promise never settled', 'rolled back', 'shop.0001_initial, shop.0002_fill'],
          });
          assert.deepEqual(await project.history(), ['shop.0001_initial', 'shop.0002_fill'], transcript(run));
          assert.deepEqual(await columns(project), ['id', 'name'], transcript(run));
        });
      });
    }
  });
}
