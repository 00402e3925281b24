import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cliTargets, expectRun, withProject, type CliProject } from '../support/cli.js';

const shopModels = `import { model, f } from 'sediment-migrations';

export const Client = model('Client', {
  name: f.char({ maxLength: 255 }),
});

export const Order = model('Order', {
  client: f.foreignKey('Client', { onDelete: 'cascade' }),
  total: f.integer(),
});
`;

/**
 * The situation --fake-initial is for: the tables of 0001_initial exist (made here by migrate) but
 * the history does not say so (the row removed with --fake back to zero).
 */
async function tablesWithoutHistory(project: CliProject): Promise<void> {
  expectRun(await project.run('makemigrations'), { code: 0 });
  expectRun(await project.run('migrate'), { code: 0 });
  expectRun(await project.run('migrate', 'shop', 'zero', '--fake'), { code: 0, stdout: ['Unapplying shop.0001_initial... FAKED'] });
  await project.withDatabase(async (db) => {
    const { rows } = await db.query('SELECT * FROM sediment_migrations');
    assert.deepEqual(rows, []);
  });
  assert.deepEqual(await project.tables(), ['sediment_migrations', 'shop_client', 'shop_order']);
}

for (const target of cliTargets()) {
  describe(`--fake and --fake-initial on ${target}`, () => {
    test('migrate --fake records the migrations as applied without running them', async () => {
      await withProject(target, { apps: { shop: shopModels } }, async (project) => {
        expectRun(await project.run('makemigrations'), { code: 0 });
        expectRun(await project.run('migrate', '--fake'), { code: 0, stdout: ['Applying shop.0001_initial... FAKED'] });
        assert.deepEqual(await project.history(), ['shop.0001_initial']);
        assert.deepEqual(await project.tables(), ['sediment_migrations']);
        expectRun(await project.run('showmigrations'), { code: 0, stdout: [' [X] 0001_initial'] });
      });
    });

    test('migrate --fake-initial records an initial migration as FAKED when every table and column it creates exists', async () => {
      await withProject(target, { apps: { shop: shopModels } }, async (project) => {
        await tablesWithoutHistory(project);
        expectRun(await project.run('migrate', '--fake-initial'), { code: 0, stdout: ['Applying shop.0001_initial... FAKED'] });
        assert.deepEqual(await project.history(), ['shop.0001_initial']);
      });
    });

    test('migrate --fake-initial runs an initial migration when one of its columns is missing, and fails clearly', async () => {
      await withProject(target, { apps: { shop: shopModels } }, async (project) => {
        await tablesWithoutHistory(project);
        await project.sql('ALTER TABLE shop_order DROP COLUMN total');
        expectRun(await project.run('migrate', '--fake-initial'), {
          code: 1,
          notStdout: ['FAKED'],
          stderr: ['Applying shop.0001_initial failed', 'Create model Client', 'relation "shop_client" already exists', 'CREATE TABLE "shop_client"', 'rolled back'],
        });
        assert.deepEqual(await project.history(), []);
        assert.deepEqual(await project.columns('shop_order'), ['id', 'client_id']);
      });
    });
  });
}
