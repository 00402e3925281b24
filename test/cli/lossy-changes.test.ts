import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cliTargets, expectRun, handWritten, withProject } from '../support/cli.js';

/**
 * Issue 8 item 2 through the real binary: makemigrations names the type changes that can change rows,
 * sqlmigrate prints the check that migrate sends, and migrate refuses — rolled back, rows as they were.
 */

const itemModels = (fields: string) => `import { model, f } from 'sediment-migrations';

export const Item = model('Item', {
${fields}
});
`;

for (const target of cliTargets()) {
  describe(`lossy type changes on ${target}`, () => {
    test('makemigrations warns about a shrinking maxLength and a dropped fraction, and migrate refuses them with the rows unchanged', async () => {
      await withProject(target, { apps: { shop: itemModels('  name: f.char({ maxLength: 50 }),\n  price: f.float(),') } }, async (project) => {
        expectRun(await project.run('makemigrations'), { code: 0 });
        project.writeMigration('shop', '0002_rows', handWritten({
          dependencies: [['shop', '0001_initial']],
          operations: [`ops.runSql({ sql: "INSERT INTO shop_item (name, price) VALUES ('a very long name that exceeds ten', 2.7), ('short', 3)", reverseSql: ops.noop })`],
        }));
        expectRun(await project.run('migrate'), { code: 0 });
        project.writeModels('shop', itemModels('  name: f.char({ maxLength: 10 }),\n  price: f.integer(),'));
        expectRun(await project.run('makemigrations', '--no-input'), {
          code: 0,
          stderr: [
            'shop.Item.name: maxLength 50 → 10 narrows the column; migrate refuses if a row does not fit',
            'shop.Item.price: float → integer drops fractions; migrate refuses if a row would change',
          ],
        });
        const [third] = project.migrationFiles('shop').filter((name) => name.startsWith('0003'));
        const name = third.replace(/\.ts$/, '');
        expectRun(await project.run('sqlmigrate', 'shop', name), {
          code: 0,
          stdout: ['DO $sediment_check$', 'ALTER TABLE "shop_item" ALTER COLUMN "name" TYPE varchar(10);', 'TYPE integer USING "price"::integer;'],
        });
        expectRun(await project.run('migrate'), {
          code: 1,
          stderr: [
            'shop.Item.name (column shop_item.name): 1 row(s) would change when the column becomes varchar(10)',
            "'a very long name that exceeds ten' → 'a very lon'",
            'rolled back',
            'data migration',
          ],
        });
        assert.deepEqual(await project.sql('SELECT name, price FROM shop_item ORDER BY id'), [
          { name: 'a very long name that exceeds ten', price: 2.7 },
          { name: 'short', price: 3 },
        ]);
        assert.ok(!(await project.history()).includes(`shop.${name}`));
      });
    });

    test('makemigrations says nothing about widening changes, and migrate keeps the rows', async () => {
      await withProject(target, { apps: { shop: itemModels('  name: f.char({ maxLength: 10 }),\n  count: f.integer(),') } }, async (project) => {
        expectRun(await project.run('makemigrations'), { code: 0 });
        project.writeModels('shop', itemModels('  name: f.char({ maxLength: 50 }),\n  count: f.bigInteger(),'));
        expectRun(await project.run('makemigrations', '--no-input'), { code: 0, notStderr: ['warning:'] });
        expectRun(await project.run('migrate'), { code: 0 });
      });
    });
  });
}
