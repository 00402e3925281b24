import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cliTargets, expectRun, withProject } from '../support/cli.js';

const shopModels = `import { model, f } from 'sediment-migrations';

export const Client = model('Client', {
  name: f.char({ maxLength: 255 }),
});
`;

// Listed FIRST in the config, so applying in config order would fail: billing needs shop's table.
const billingModels = `import { model, f } from 'sediment-migrations';

export const Invoice = model('Invoice', {
  client: f.foreignKey('shop.Client', { onDelete: 'cascade' }),
  amount: f.decimal({ maxDigits: 10, decimalPlaces: 2 }),
});
`;

for (const target of cliTargets()) {
  describe(`apps that reference each other on ${target}`, () => {
    test("a foreign key to another app's model makes the migration depend on that app's migration, and migrate applies it first", async () => {
      await withProject(target, { apps: { billing: billingModels, shop: shopModels } }, async (project) => {
        expectRun(await project.run('makemigrations'), {
          code: 0,
          stdout: ["Migrations for 'billing':", 'src/billing/migrations/0001_initial.ts', "Migrations for 'shop':", 'src/shop/migrations/0001_initial.ts'],
        });
        const invoice = project.readMigration('billing', '0001');
        assert.match(invoice, /dependencies: \[\['shop', '0001_initial'\]\]/);
        assert.match(invoice, /client: f\.foreignKey\('shop\.Client', \{ onDelete: 'cascade' \}\)/);
        assert.match(project.readMigration('shop', '0001'), /dependencies: \[\]/);

        expectRun(await project.run('showmigrations', '--plan'), {
          code: 0,
          stdout: [/\[ \] {2}shop\.0001_initial\n\[ \] {2}billing\.0001_initial \.\.\. \(shop\.0001_initial\)/],
        });
        const applied = expectRun(await project.run('migrate'), {
          code: 0,
          stdout: [/Applying shop\.0001_initial\.\.\. OK.*\n\s*Applying billing\.0001_initial\.\.\. OK/],
        });
        assert.ok(applied.stdout.indexOf('shop.0001_initial') < applied.stdout.indexOf('billing.0001_initial'));
        assert.deepEqual(await project.history(), ['billing.0001_initial', 'shop.0001_initial']);
        const [reference] = await project.sql<{ referenced: string }>(
          `SELECT confrelid::regclass::text AS referenced FROM pg_constraint WHERE conrelid = 'billing_invoice'::regclass AND contype = 'f'`,
        );
        assert.equal(reference?.referenced, 'shop_client');
      });
    });

    test("migrate app zero first unapplies the other apps' migrations that depend on it", async () => {
      await withProject(target, { apps: { billing: billingModels, shop: shopModels } }, async (project) => {
        expectRun(await project.run('makemigrations'), { code: 0 });
        expectRun(await project.run('migrate'), { code: 0 });
        expectRun(await project.run('migrate', 'shop', 'zero'), {
          code: 0,
          stdout: [/Unapplying billing\.0001_initial\.\.\. OK.*\n\s*Unapplying shop\.0001_initial\.\.\. OK/],
        });
        assert.deepEqual(await project.history(), []);
        assert.deepEqual(await project.tables(), ['sediment_migrations']);
      });
    });
  });
}
