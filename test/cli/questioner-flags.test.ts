import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cliTargets, expectRun, handWritten, withProject, type CliProject } from '../support/cli.js';

const clientModels = (fields: string, extra = '') => `import { model, f } from 'sediment-migrations';

export const Client = model('Client', {
${fields}
});
${extra}`;

const withName = clientModels("  name: f.char({ maxLength: 255 }),");

/** Makes and applies the initial migration, then a hand-written one that inserts two clients. */
async function applyWithRows(project: CliProject, rows: string): Promise<void> {
  expectRun(await project.run('makemigrations'), { code: 0 });
  project.writeMigration(
    'shop',
    '0002_rows',
    handWritten({ dependencies: [['shop', '0001_initial']], operations: [`ops.runSql({ sql: ${JSON.stringify(rows)}, reverseSql: ops.noop })`] }),
  );
  expectRun(await project.run('migrate'), { code: 0, stdout: ['Applying shop.0002_rows... OK'] });
}

test('adding a NOT NULL field without a default under --no-input fails, names the flags that answer it, and writes nothing', async () => {
  await withProject('pglite', { apps: { shop: withName } }, async (project) => {
    expectRun(await project.run('makemigrations'), { code: 0 });
    project.writeModels('shop', clientModels("  name: f.char({ maxLength: 255 }),\n  age: f.integer(),"));
    expectRun(await project.run('makemigrations', '--no-input'), {
      code: 1,
      stderr: ['shop.Client.age', '--default shop.Client.age=', '--assume-handled shop.Client.age', 'Nothing was written'],
    });
    assert.deepEqual(project.migrationFiles('shop'), ['0001_initial.ts']);
  });
});

for (const target of cliTargets()) {
  describe(`makemigrations answers from flags on ${target}`, () => {
    test('--default gives a one-off value that migrate writes into the existing rows, and the column keeps no default', async () => {
      await withProject(target, { apps: { shop: withName } }, async (project) => {
        await applyWithRows(project, "INSERT INTO shop_client (name) VALUES ('Ada'), ('Grace')");
        project.writeModels('shop', clientModels("  name: f.char({ maxLength: 255 }),\n  age: f.integer(),"));

        expectRun(await project.run('makemigrations', '--no-input', '--default', 'shop.Client.age=0'), {
          code: 0,
          stdout: ['0003_client_age.ts', '+ Add field age to Client'],
        });
        const migration = project.readMigration('shop', '0003');
        assert.match(migration, /field: f\.integer\(\{ default: 0 \}\)/);
        assert.match(migration, /preserveDefault: false/);

        expectRun(await project.run('migrate'), { code: 0, stdout: ['Applying shop.0003_client_age... OK'] });
        await project.withDatabase(async (db) => {
          const { rows } = await db.query<{ name: string; age: number }>('SELECT name, age FROM shop_client ORDER BY name');
          assert.deepEqual(rows, [{ name: 'Ada', age: 0 }, { name: 'Grace', age: 0 }]);
          const { rows: [column] } = await db.query<{ is_nullable: string; column_default: string | null }>(
            `SELECT is_nullable, column_default FROM information_schema.columns WHERE table_name = 'shop_client' AND column_name = 'age'`,
          );
          assert.deepEqual(column, { is_nullable: 'NO', column_default: null });
        });
      });
    });

    test('--rename-field writes a renameField, not a removal and an addition, and the data survives', async () => {
      await withProject(target, { apps: { shop: withName } }, async (project) => {
        await applyWithRows(project, "INSERT INTO shop_client (name) VALUES ('Ada'), ('Grace')");
        project.writeModels('shop', clientModels("  fullName: f.char({ maxLength: 255 }),"));

        expectRun(await project.run('makemigrations', '--no-input', '--rename-field', 'shop.Client.name=fullName'), {
          code: 0,
          stdout: ['+ Rename field name on Client to fullName'],
        });
        const [, , third] = project.migrationFiles('shop');
        const migration = project.readMigration('shop', third);
        assert.match(migration, /ops\.renameField\(\{ model: 'Client', oldName: 'name', newName: 'fullName' \}\)/);
        assert.doesNotMatch(migration, /removeField|addField/);

        expectRun(await project.run('migrate'), { code: 0 });
        const rows = await project.sql<{ full_name: string }>('SELECT full_name FROM shop_client ORDER BY full_name');
        assert.deepEqual(rows, [{ full_name: 'Ada' }, { full_name: 'Grace' }]);
      });
    });

    test('--rename-model writes a renameModel, not a deletion and a creation, and the rows move with the table', async () => {
      const tagModels = (name: string) => clientModels("  name: f.char({ maxLength: 255 }),", `\nexport const ${name} = model('${name}', {\n  label: f.text(),\n});\n`);
      await withProject(target, { apps: { shop: tagModels('Tag') } }, async (project) => {
        await applyWithRows(project, "INSERT INTO shop_tag (label) VALUES ('new'), ('sale')");
        project.writeModels('shop', tagModels('Label'));

        expectRun(await project.run('makemigrations', '--no-input', '--rename-model', 'shop.Tag=Label'), {
          code: 0,
          stdout: ['+ Rename model Tag to Label'],
        });
        const [, , third] = project.migrationFiles('shop');
        const migration = project.readMigration('shop', third);
        assert.match(migration, /ops\.renameModel\(\{ oldName: 'Tag', newName: 'Label' \}\)/);
        assert.doesNotMatch(migration, /createModel|deleteModel/);

        expectRun(await project.run('migrate'), { code: 0 });
        assert.deepEqual(await project.sql('SELECT label FROM shop_label ORDER BY label'), [{ label: 'new' }, { label: 'sale' }]);
        assert.ok(!(await project.tables()).includes('shop_tag'));
      });
    });
  });
}
