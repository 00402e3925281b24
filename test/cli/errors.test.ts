import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { assertRun, cliTargets, expectRun, handWritten, withProject, type CliResult } from '../support/cli.js';

const shopModels = `import { model, f } from 'sediment-migrations';

export const Client = model('Client', {
  name: f.char({ maxLength: 255 }),
});
`;

/** An error is one block: exactly one `error:` line, on stderr, and nothing on stdout. */
function assertOneError(result: CliResult): void {
  const errors = result.stderr.split('\n').filter((line) => /^error(\[\w+\])?:/.test(line));
  assertRun(result, errors.length === 1, `expected exactly one 'error:' line on stderr, found ${errors.length}`);
}

describe('usage and configuration errors', () => {
  test('a command run outside any project exits 1 with one error whose hint mentions init', async () => {
    await withProject('pglite', { withoutConfig: true }, async (project) => {
      const result = expectRun(await project.run('migrate'), { code: 1, stderr: ['No sediment.config.ts', "'sediment init'"] });
      assertOneError(result);
    });
  });

  test('an unknown command or option is bad usage: exit 2', async () => {
    await withProject('pglite', { apps: { shop: shopModels } }, async (project) => {
      expectRun(await project.run('migrat'), { code: 2, stderr: ["unknown command 'migrat'"] });
      expectRun(await project.run('migrate', '--frobnicate'), { code: 2, stderr: ["unknown option '--frobnicate'"] });
      expectRun(await project.run('makemigrations', '--rename-field'), { code: 2, stderr: ['--rename-field'] });
    });
  });

  test('an app that is not in the config is bad usage for every command: exit 2, naming the apps there are', async () => {
    await withProject('pglite', { apps: { shop: shopModels } }, async (project) => {
      expectRun(await project.run('makemigrations'), { code: 0 });
      for (const args of [['makemigrations', 'shpo'], ['migrate', 'shpo'], ['showmigrations', 'shpo'], ['sqlmigrate', 'shpo', '0001']]) {
        const result = expectRun(await project.run(...args), { code: 2, stderr: ['shpo', 'shop'] });
        assertOneError(result);
      }
    });
  });

  test('an unknown database URL scheme exits 1 with one error naming the schemes there are', async () => {
    await withProject('pglite', { apps: { shop: shopModels } }, async (project) => {
      const result = expectRun(await project.runWith({ noDatabaseFlag: true }, 'migrate', '--database', 'foo://x'), {
        code: 1,
        stderr: ["scheme 'foo'", 'postgres://', 'pglite:'],
      });
      assertOneError(result);
    });
  });

  test('an unreachable server exits 1 with one error and no stack trace', async () => {
    await withProject('pglite', { apps: { shop: shopModels } }, async (project) => {
      const result = expectRun(await project.runWith({ noDatabaseFlag: true }, 'migrate', '--database', 'postgres://postgres@127.0.0.1:1/x'), {
        code: 1,
        stderr: ['Could not connect to PostgreSQL', '127.0.0.1:1', 'ECONNREFUSED'],
      });
      assertOneError(result);
    });
  });

  test('a syntax error in a migration file names the file and line', async () => {
    await withProject('pglite', { apps: { shop: shopModels } }, async (project) => {
      expectRun(await project.run('makemigrations'), { code: 0 });
      project.writeMigration(
        'shop',
        '0002_broken',
        handWritten({ dependencies: [['shop', '0001_initial']], operations: ["ops.runSql({ sql: 'SELECT 1' }) ops.noop"] }),
      );
      const result = expectRun(await project.run('migrate'), { code: 1, stderr: [/src\/shop\/migrations\/0002_broken\.ts:6:\d+/] });
      assertOneError(result);
    });
  });
});

for (const target of cliTargets()) {
  describe(`errors while migrating on ${target}`, () => {
    test('migrate to a migration that does not exist names the migrations the app has', async () => {
      await withProject(target, { apps: { shop: shopModels } }, async (project) => {
        expectRun(await project.run('makemigrations'), { code: 0 });
        const result = expectRun(await project.run('migrate', 'shop', '9999'), { code: 1, stderr: ["'9999'", '0001_initial'] });
        assertOneError(result);
        assert.deepEqual(await project.history(), []);
      });
    });

    test('a prefix that matches two migrations is ambiguous and names both', async () => {
      await withProject(target, { apps: { shop: shopModels } }, async (project) => {
        expectRun(await project.run('makemigrations'), { code: 0 });
        project.writeMigration('shop', '0002_data', handWritten({ dependencies: [['shop', '0001_initial']], operations: ["ops.runSql({ sql: 'SELECT 1', reverseSql: ops.noop })"] }));
        const result = expectRun(await project.run('migrate', 'shop', '000'), { code: 1, stderr: ['0001_initial', '0002_data'] });
        assertOneError(result);
        assert.deepEqual(await project.history(), []);
      });
    });

    test('two leaf migrations in one app stop migrate and makemigrations with a conflict that points to makemigrations --merge', async () => {
      await withProject(target, { apps: { shop: shopModels } }, async (project) => {
        expectRun(await project.run('makemigrations'), { code: 0 });
        for (const name of ['0002_a', '0002_b']) {
          project.writeMigration('shop', name, handWritten({ dependencies: [['shop', '0001_initial']], operations: ["ops.runSql({ sql: 'SELECT 1', reverseSql: ops.noop })"] }));
        }
        for (const args of [['migrate', 'shop', '0002'], ['makemigrations']]) {
          const result = expectRun(await project.run(...args), { code: 1, stderr: ['Conflicting migrations', '0002_a', '0002_b', 'makemigrations --merge'] });
          assertOneError(result);
        }
        assert.deepEqual(await project.history(), []);
      });
    });

    test('a dependency on a deleted migration names the missing node and the nearest existing parent', async () => {
      await withProject(target, { apps: { shop: shopModels } }, async (project) => {
        expectRun(await project.run('makemigrations'), { code: 0 });
        const step = (name: string, parent: string) =>
          project.writeMigration('shop', name, handWritten({ dependencies: [['shop', parent]], operations: ["ops.runSql({ sql: 'SELECT 1', reverseSql: ops.noop })"] }));
        step('0002_data', '0001_initial');
        step('0003_more_data', '0002_data');
        expectRun(await project.run('migrate'), { code: 0 });
        project.remove(project.migrationPath('shop', '0002'));
        const result = expectRun(await project.run('migrate'), {
          code: 1,
          stderr: ['shop.0003_more_data depends on shop.0002_data, which does not exist', 'nearest existing migration of shop before it is shop.0001_initial'],
        });
        assertOneError(result);
      });
    });

    test('a misspelt dependency is never answered with a suggestion to depend on the migration itself', async () => {
      await withProject(target, { apps: { shop: shopModels } }, async (project) => {
        expectRun(await project.run('makemigrations'), { code: 0 });
        // '0001_inital' sorts before '0001_initial', so no existing migration of shop comes before it.
        project.writeMigration('shop', '0002_data', handWritten({ dependencies: [['shop', '0001_inital']], operations: ["ops.runSql({ sql: 'SELECT 1', reverseSql: ops.noop })"] }));
        const result = expectRun(await project.run('migrate'), {
          code: 1,
          stderr: ['shop.0002_data depends on shop.0001_inital, which does not exist', "['shop', '0001_initial']"],
          notStderr: ["['shop', '0002_data']", 'latest migration of shop is shop.0002_data'],
        });
        assertOneError(result);
      });
    });

    test('a failing migration exits 1 naming the migration, operation, SQL and database message, and is rolled back and unrecorded', async () => {
      await withProject(target, { apps: { shop: shopModels } }, async (project) => {
        expectRun(await project.run('makemigrations'), { code: 0 });
        project.writeMigration(
          'shop',
          '0002_fails',
          handWritten({
            dependencies: [['shop', '0001_initial']],
            operations: ["ops.runSql({ sql: 'CREATE TABLE shop_scratch (id int)', reverseSql: 'DROP TABLE shop_scratch' })", "ops.runSql({ sql: 'SELECT 1/0' })"],
          }),
        );
        const result = expectRun(await project.run('migrate'), {
          code: 1,
          stdout: ['Applying shop.0001_initial... OK'],
          stderr: ['shop.0002_fails', 'operation 2 of 2', 'Raw SQL', 'SELECT 1/0', 'division by zero', 'rolled back', 'shop.0001_initial'],
        });
        assertOneError(result);
        expectRun(await project.run('showmigrations'), { code: 0, stdout: [' [X] 0001_initial', ' [ ] 0002_fails'] });
        assert.deepEqual(await project.history(), ['shop.0001_initial']);
        assert.ok(!(await project.tables()).includes('shop_scratch'), 'the first operation of the failed migration was rolled back');
      });
    });

    test('a failing non-atomic migration says which operations stayed committed, and never that nothing needs cleaning up', async () => {
      await withProject(target, { apps: { shop: shopModels } }, async (project) => {
        expectRun(await project.run('makemigrations'), { code: 0 });
        project.writeMigration(
          'shop',
          '0002_fails',
          handWritten({
            atomic: false,
            dependencies: [['shop', '0001_initial']],
            operations: ["ops.runSql({ sql: 'CREATE TABLE shop_scratch (id int)', reverseSql: 'DROP TABLE shop_scratch' })", "ops.runSql({ sql: 'SELECT 1/0' })"],
          }),
        );
        const result = expectRun(await project.run('migrate'), {
          code: 1,
          stderr: ['shop.0002_fails', 'operation 2 of 2', 'SELECT 1/0', 'division by zero', 'partially applied', 'not recorded as applied'],
          // Operation 1 was committed: running migrate again as it is fails with "already exists".
          notStderr: ['nothing needs cleaning up'],
        });
        assertOneError(result);
        assert.deepEqual(await project.history(), ['shop.0001_initial']);
        assert.ok((await project.tables()).includes('shop_scratch'), 'the first operation stayed committed');
      });
    });
  });
}
