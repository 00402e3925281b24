import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cliTargets, expectRun, handWritten, withProject } from '../support/cli.js';

const shopModels = `import { model, f } from 'sediment-migrations';

export const Client = model('Client', {
  name: f.char({ maxLength: 255 }),
});
`;

for (const target of cliTargets()) {
  describe(`irreversible migrations on ${target}`, () => {
    test('migrate to zero past an irreversible operation exits 1 naming it, and unapplies nothing', async () => {
      await withProject(target, { apps: { shop: shopModels } }, async (project) => {
        expectRun(await project.run('makemigrations'), { code: 0 });
        project.writeMigration(
          'shop',
          '0002_shout',
          handWritten({ dependencies: [['shop', '0001_initial']], operations: ["ops.runSql({ sql: 'UPDATE shop_client SET name = upper(name)' })"] }),
        );
        project.writeMigration(
          'shop',
          '0003_audit',
          handWritten({
            dependencies: [['shop', '0002_shout']],
            operations: ["ops.runSql({ sql: 'CREATE TABLE shop_audit (id int)', reverseSql: 'DROP TABLE shop_audit' })"],
          }),
        );
        expectRun(await project.run('migrate'), { code: 0, stdout: ['Applying shop.0003_audit... OK'] });

        expectRun(await project.run('migrate', 'shop', 'zero'), {
          code: 1,
          notStdout: ['Unapplying'],
          stderr: ['shop.0002_shout', 'operation 1 of 1 (Raw SQL operation) is not reversible', 'reverseSql', 'unchanged'],
        });
        assert.deepEqual(await project.history(), ['shop.0001_initial', 'shop.0002_shout', 'shop.0003_audit']);
        assert.ok((await project.tables()).includes('shop_audit'), 'the reversible migration after it was not unapplied');
      });
    });
  });
}
