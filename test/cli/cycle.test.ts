import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cliTargets, expectRun, jsonOf, withProject, type CliProject } from '../support/cli.js';

const shopModels = `import { model, f } from 'sediment-migrations';

export const Client = model('Client', {
  name: f.char({ maxLength: 255 }),
});

export const Order = model('Order', {
  client: f.foreignKey('Client', { onDelete: 'cascade', relatedName: 'orders' }),
  total: f.integer(),
});
`;

/** The same models, with a new nullable field on Client. */
const shopModelsWithEmail = shopModels.replace(
  "name: f.char({ maxLength: 255 }),",
  "name: f.char({ maxLength: 255 }),\n  email: f.email({ null: true }),",
);

/** makemigrations + migrate of the initial models, asserted only loosely (the first test checks them). */
async function applyInitial(project: CliProject): Promise<void> {
  expectRun(await project.run('makemigrations'), { code: 0 });
  expectRun(await project.run('migrate'), { code: 0 });
}

/** Two migrations written by makemigrations: the initial one, then one for the email field. */
async function writeTwoMigrations(project: CliProject): Promise<void> {
  expectRun(await project.run('makemigrations'), { code: 0 });
  project.writeModels('shop', shopModelsWithEmail);
  expectRun(await project.run('makemigrations'), { code: 0 });
}

for (const target of cliTargets()) {
  describe(`the migration cycle on ${target}`, () => {
    test('makemigrations writes the initial migration, migrate applies it, and the listing commands report it', async () => {
      // The user's first run: the PGlite database does not exist until migrate creates it.
      await withProject(target, { apps: { shop: shopModels }, databaseCreatedByCli: true }, async (project) => {
        expectRun(await project.run('makemigrations'), {
          code: 0,
          stdout: ["Migrations for 'shop':", 'src/shop/migrations/0001_initial.ts', '+ Create model Client', '+ Create model Order'],
        });
        assert.deepEqual(project.migrationFiles('shop'), ['0001_initial.ts']);
        const initial = project.readMigration('shop', '0001');
        assert.match(initial, /^import \{ f, migration, ops \} from 'sediment-migrations';$/m);
        assert.match(initial, /initial: true/);
        assert.match(initial, /dependencies: \[\]/);
        assert.match(initial, /ops\.createModel\(\{\s*name: 'Client'/);
        assert.match(initial, /ops\.createModel\(\{\s*name: 'Order'/);
        assert.match(initial, /client: f\.foreignKey\('shop\.Client', \{ onDelete: 'cascade', relatedName: 'orders' \}\)/);

        expectRun(await project.run('migrate'), { code: 0, stdout: ['Applying shop.0001_initial... OK'] });
        assert.deepEqual(await project.history(), ['shop.0001_initial']);
        assert.deepEqual((await project.columns('shop_order')).sort(), ['client_id', 'id', 'total']);

        expectRun(await project.run('showmigrations'), { code: 0, stdout: [/^shop\n \[X\] 0001_initial$/m] });
        const listed = jsonOf<Record<string, { name: string; applied: boolean }[]>>(
          expectRun(await project.run('showmigrations', '--json'), { code: 0 }),
        );
        assert.deepEqual(
          Object.fromEntries(Object.entries(listed).map(([app, rows]) => [app, rows.map(({ name, applied }) => ({ name, applied }))])),
          { shop: [{ name: '0001_initial', applied: true }] },
        );
        expectRun(await project.run('showmigrations', '--plan'), { code: 0, stdout: [/^\[X\] {2}shop\.0001_initial$/m] });

        expectRun(await project.run('makemigrations', '--check'), {
          code: 0,
          stdout: ['No changes detected', 'Scanned 1 app', 'shop (2 models in src/shop/models.ts)'],
        });
      });
    });

    test('a model change fails makemigrations --check and --dry-run writes nothing; makemigrations writes it and migrate applies it', async () => {
      await withProject(target, { apps: { shop: shopModels } }, async (project) => {
        await applyInitial(project);
        project.writeModels('shop', shopModelsWithEmail);

        expectRun(await project.run('makemigrations', '--check'), {
          code: 1,
          stdout: ["Missing migrations for 'shop':", '0002_client_email.ts', '+ Add field email to Client', "run 'sediment makemigrations'"],
        });
        assert.deepEqual(project.migrationFiles('shop'), ['0001_initial.ts']);
        expectRun(await project.run('makemigrations', '--dry-run'), { code: 0, stdout: ['would be written', '0002_client_email.ts'] });
        assert.deepEqual(project.migrationFiles('shop'), ['0001_initial.ts']);

        expectRun(await project.run('makemigrations'), { code: 0, stdout: ['src/shop/migrations/0002_client_email.ts'] });
        assert.deepEqual(project.migrationFiles('shop'), ['0001_initial.ts', '0002_client_email.ts']);
        const second = project.readMigration('shop', '0002');
        assert.match(second, /dependencies: \[\['shop', '0001_initial'\]\]/);
        assert.match(second, /ops\.addField\(\{\s*model: 'Client',\s*name: 'email'/);

        expectRun(await project.run('migrate', '--check'), { code: 1, stdout: ['1 migration(s) to apply', 'shop.0002_client_email'] });
        assert.deepEqual(await project.history(), ['shop.0001_initial'], 'migrate --check runs nothing');
        expectRun(await project.run('migrate'), {
          code: 0,
          stdout: ['Applying shop.0002_client_email... OK'],
          notStdout: ['Applying shop.0001_initial'],
        });
        expectRun(await project.run('migrate', '--check'), { code: 0, stdout: ['No unapplied migrations'] });
        assert.ok((await project.columns('shop_client')).includes('email'));
        expectRun(await project.run('makemigrations', '--check'), { code: 0, stdout: ['No changes detected'] });
      });
    });

    test('sqlmigrate prints the SQL of a migration in a transaction, and with --backwards the SQL that reverses it', async () => {
      await withProject(target, { apps: { shop: shopModels } }, async (project) => {
        await writeTwoMigrations(project);
        const forwards = expectRun(await project.run('sqlmigrate', 'shop', '0002'), {
          code: 0,
          stdout: ['-- Add field email to Client', /ALTER TABLE "shop_client" ADD COLUMN "email" varchar\(254\) NULL;/],
          notStdout: ['DROP COLUMN'],
        });
        const lines = forwards.stdout.trim().split('\n');
        assert.match(lines[0], /^-- Database: (PGlite|PostgreSQL) /, 'the target comes first, as a SQL comment');
        assert.equal(lines[1], 'BEGIN;', forwards.stdout);
        assert.equal(lines[lines.length - 1], 'COMMIT;', forwards.stdout);

        const backwards = expectRun(await project.run('sqlmigrate', 'shop', '0002', '--backwards'), {
          code: 0,
          stdout: ['-- Undo Add field email to Client', /ALTER TABLE "shop_client" DROP COLUMN "email"/],
          notStdout: ['ADD COLUMN'],
        });
        assert.match(backwards.stdout, /^-- Database: .*\nBEGIN;\n[\s\S]*\nCOMMIT;\n$/);
        assert.ok(!(await project.columns('shop_client')).includes('email'), 'sqlmigrate runs nothing');
      });
    });

    test('migrate to an earlier migration or to zero unapplies, and migrate --plan lists the operations without running them', async () => {
      await withProject(target, { apps: { shop: shopModels } }, async (project) => {
        await writeTwoMigrations(project);
        expectRun(await project.run('migrate'), { code: 0 });

        expectRun(await project.run('migrate', 'shop', '0001'), {
          code: 0,
          stdout: ['Unapplying shop.0002_client_email... OK'],
          notStdout: ['shop.0001_initial...'],
        });
        assert.deepEqual(await project.history(), ['shop.0001_initial']);
        assert.ok(!(await project.columns('shop_client')).includes('email'));

        expectRun(await project.run('migrate', 'shop', 'zero'), { code: 0, stdout: ['Unapplying shop.0001_initial... OK'] });
        assert.deepEqual(await project.history(), []);
        assert.deepEqual(await project.tables(), ['sediment_migrations']);

        expectRun(await project.run('migrate', '--plan'), {
          code: 0,
          stdout: [/shop\.0001_initial\n\s+Create model Client\n\s+Create model Order\nshop\.0002_client_email\n\s+Add field email to Client/],
          notStdout: ['Applying'],
        });
        assert.deepEqual(await project.history(), []);
        assert.deepEqual(await project.tables(), ['sediment_migrations']);
      });
    });
  });
}
