import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { assertRun, cliTargets, expectRun, handWritten, transcript, withProject, type CliResult } from '../support/cli.js';

/**
 * What a newcomer and a deploy script read (issue 8, items 13, 14, 16, 17, 18): the target named
 * first, errors named by their code, --json that is JSON on every line, destructive steps announced,
 * and a closed pipe that ends a command quietly.
 */

const shopModels = `import { model, f } from 'sediment-migrations';

export const Item = model('Item', {
  name: f.char({ maxLength: 50 }),
  code: f.char({ maxLength: 10, null: true }),
});
`;

const shopWithoutCode = `import { model, f } from 'sediment-migrations';

export const Item = model('Item', {
  name: f.char({ maxLength: 50 }),
});
`;

const bin = join(resolve(dirname(fileURLToPath(import.meta.url)), '..', '..'), 'bin', 'sediment.js');

/** Every line of stdout parses as JSON; returns the parsed lines. */
function jsonLines(result: CliResult): Record<string, unknown>[] {
  const lines = result.stdout.split('\n').filter((line) => line !== '');
  return lines.map((line) => {
    try {
      return JSON.parse(line) as Record<string, unknown>;
    } catch {
      return assert.fail(`a stdout line under --json is not JSON: ${JSON.stringify(line)}\n\n${transcript(result)}`);
    }
  });
}

for (const target of cliTargets()) {
  describe(`what the user reads, on ${target}`, () => {
    test('every connecting command names its database first, without a password', async () => {
      await withProject(target, { apps: { shop: shopModels } }, async (project) => {
        expectRun(await project.run('makemigrations'), { code: 0 });
        const expected = target === 'pglite' ? /^Database: PGlite db$/ : /^Database: PostgreSQL postgres@127\.0\.0\.1:5432\//;
        for (const args of [['migrate'], ['showmigrations'], ['doctor'], ['sequences']]) {
          const result = await project.run(...args);
          assertRun(result, expected.test(result.stdout.split('\n')[0]), `${args[0]} names its target on its first line`);
        }
      });
    });

    test('migrate --json prints only JSON lines: one per migration, and a final summary', async () => {
      await withProject(target, { apps: { shop: shopModels } }, async (project) => {
        expectRun(await project.run('makemigrations'), { code: 0 });
        const events = jsonLines(expectRun(await project.run('migrate', '--json'), { code: 0 }));
        assert.deepEqual(events.map((e) => e.event), ['migration-start', 'migration-done', 'done']);
        assert.deepEqual(events[2], { event: 'done', applied: ['shop.0001_initial'], unapplied: [], faked: [] });

        const again = jsonLines(expectRun(await project.run('migrate', '--json'), { code: 0 }));
        assert.deepEqual(again, [{ event: 'done', applied: [], unapplied: [], faked: [] }]);
      });
    });

    test('migrate --check --json is JSON, and a failing migration ends the stream with its error and code', async () => {
      await withProject(target, { apps: { shop: shopModels } }, async (project) => {
        expectRun(await project.run('makemigrations'), { code: 0 });
        project.writeMigration('shop', '0002_broken', handWritten({
          dependencies: [['shop', '0001_initial']],
          operations: ["ops.runSql({ sql: 'SELECT * FROM no_such_table', reverseSql: ops.noop })"],
        }));
        const check = jsonLines(expectRun(await project.run('migrate', '--check', '--json'), { code: 1 }));
        assert.deepEqual(check, [{ event: 'check', pending: ['shop.0001_initial', 'shop.0002_broken'], backwards: false }]);

        const run = expectRun(await project.run('migrate', '--json'), { code: 1, stderr: ['error[MigrationFailed]:', 'no_such_table'] });
        const events = jsonLines(run);
        const failed = events.find((e) => e.event === 'migration-failed');
        assert.deepEqual(failed, { event: 'migration-failed', id: 'shop.0002_broken', backwards: false, applied: ['shop.0001_initial'], unapplied: [], faked: [] });
        const last = events[events.length - 1] as { event: string; error: { code: string; message: string; databaseState: string } };
        assert.equal(last.event, 'error');
        assert.equal(last.error.code, 'MigrationFailed');
        assert.match(last.error.databaseState, /rolled back/);
      });
    });

    test('the listing commands print one JSON document on one line under --json', async () => {
      await withProject(target, { apps: { shop: shopModels } }, async (project) => {
        expectRun(await project.run('makemigrations'), { code: 0 });
        expectRun(await project.run('migrate'), { code: 0 });
        for (const args of [['showmigrations', '--json'], ['doctor', '--json'], ['sequences', '--json'], ['sqlmigrate', 'shop', '0001', '--json'], ['migrate', '--plan', '--json']]) {
          const result = await project.run(...args);
          assert.equal(jsonLines(result).length, 1, transcript(result));
        }
      });
    });

    test('an inconsistent history is named InconsistentMigrationHistory on the first line of the error', async () => {
      await withProject(target, { apps: { shop: shopModels } }, async (project) => {
        expectRun(await project.run('makemigrations'), { code: 0 });
        project.writeMigration('shop', '0002_more', handWritten({ dependencies: [['shop', '0001_initial']], operations: ["ops.runSql({ sql: 'SELECT 1', reverseSql: ops.noop })"] }));
        expectRun(await project.run('migrate', 'shop', '0002', '--fake'), { code: 0 });
        expectRun(await project.run('migrate', 'shop', '0001_initial', '--fake'), { code: 0 });
        // Record 0002 without 0001: applied before its dependency.
        await project.sql("DELETE FROM sediment_migrations WHERE name = '0001_initial'");
        await project.sql("INSERT INTO sediment_migrations (app, name, applied_at, checksum) VALUES ('shop', '0002_more', now(), NULL)");
        const result = expectRun(await project.run('migrate'), { code: 1 });
        const first = result.stderr.split('\n').find((line) => line.startsWith('error'));
        assert.match(first ?? '', /^error\[InconsistentMigrationHistory\]: /, transcript(result));
      });
    });

    test('removing a field says at makemigrations and at migrate which column and how many values are dropped', async () => {
      await withProject(target, { apps: { shop: shopModels } }, async (project) => {
        expectRun(await project.run('makemigrations'), { code: 0 });
        expectRun(await project.run('migrate'), { code: 0 });
        await project.sql("INSERT INTO shop_item (name, code) VALUES ('a', 'x'), ('b', 'y'), ('c', NULL)");
        project.writeModels('shop', shopWithoutCode);
        expectRun(await project.run('makemigrations', '--no-input'), {
          code: 0,
          stderr: ['destroy data', 'Remove field code from Item', 'column shop_item.code'],
        });
        expectRun(await project.run('migrate', '--no-input'), {
          code: 0,
          stderr: ['destroys data', 'column shop_item.code (2 rows with a value)'],
        });
      });
    });

    test('migrate app zero says which tables it drops with their rows, including those of other apps that depend on it', async () => {
      const addressModels = `import { model, f } from 'sediment-migrations';
export const Address = model('Address', { item: f.foreignKey('shop.Item', { onDelete: 'cascade' }) });
`;
      await withProject(target, { apps: { shop: shopModels, address_book: addressModels } }, async (project) => {
        expectRun(await project.run('makemigrations'), { code: 0 });
        expectRun(await project.run('migrate'), { code: 0 });
        await project.sql("INSERT INTO shop_item (name) SELECT 'n' || i FROM generate_series(1, 1000) AS i");
        const result = expectRun(await project.run('migrate', 'shop', 'zero', '--no-input'), {
          code: 0,
          stdout: ['Unapply all migrations of shop', 'address_book.0001_initial'],
          stderr: ['table shop_item (1,000 rows)', 'table address_book_address (0 rows)'],
        });
        assert.ok(!(await project.tables()).includes('shop_item'), transcript(result));
      });
    });

    test('a .env file in the project root supplies DATABASE_URL when it is not set', async () => {
      await withProject(target, { apps: { shop: shopModels } }, async (project) => {
        if (target === 'postgres') {
          project.write('.env', `DATABASE_URL=${project.databaseUrl}\n`);
        } else {
          project.write('.env', 'DATABASE_URL=pglite:./from-dotenv\n');
        }
        const config = project.read('sediment.config.ts').replace(/database: [^\n]*,\n/, 'database: process.env.DATABASE_URL ?? "pglite:./db",\n');
        project.write('sediment.config.ts', config);
        expectRun(await project.run('makemigrations'), { code: 0 });
        const result = expectRun(await project.runWith({ noDatabaseFlag: true }, 'migrate'), { code: 0 });
        const expected = target === 'pglite' ? 'Database: PGlite from-dotenv' : 'Database: PostgreSQL';
        assertRun(result, result.stdout.startsWith(expected), `migrate used the .env database (${expected})`);
      });
    });
  });
}

test('a reader that closes the pipe early ends the command quietly: no EPIPE stack trace', async () => {
  await withProject('pglite', { apps: { shop: shopModels } }, async (project) => {
    expectRun(await project.run('makemigrations'), { code: 0 });
    // `sediment sqlmigrate shop 0001 | head -0`: the reader is gone before the first line is written.
    const result = await new Promise<{ code: number | null; stderr: string }>((done) => {
      const child = spawn(process.execPath, [bin, 'sqlmigrate', 'shop', '0001'], { cwd: project.root, env: { ...process.env, NO_COLOR: '1' } });
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
      child.stdout.destroy();
      child.on('close', (code) => done({ code, stderr }));
    });
    assert.doesNotMatch(result.stderr, /EPIPE|internal error|at .*\.js:\d+/, result.stderr);
    assert.equal(result.code, 0, result.stderr);
  });
});
