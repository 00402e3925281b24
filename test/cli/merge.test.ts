import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { cliTargets, expectRun, handWritten, jsonOf, withProject, type CliProject } from '../support/cli.js';

/**
 * `makemigrations --merge`: two people each added a migration to the same app (the "Version control"
 * part of seed 002's documentation); Sediment writes the migration that joins them, or linearizes.
 */
const models = (clientFields: string, orderFields: string) => `import { model, f } from 'sediment-migrations';

export const Client = model('Client', {
  name: f.char({ maxLength: 255 }),
${clientFields}});

export const Order = model('Order', {
  total: f.integer(),
${orderFields}});
`;

/** 0001_initial, then two branches from it. */
async function forked(project: CliProject, a: string, b: string): Promise<void> {
  expectRun(await project.run('makemigrations'), { code: 0 });
  project.writeMigration('shop', '0002_client_email', handWritten({ dependencies: [['shop', '0001_initial']], operations: [a] }));
  project.writeMigration('shop', '0002_order_paid', handWritten({ dependencies: [['shop', '0001_initial']], operations: [b] }));
}

const addEmail = "ops.addField({ model: 'Client', name: 'email', field: f.email({ null: true }) })";
const addPaid = "ops.addField({ model: 'Order', name: 'paid', field: f.boolean({ null: true }) })";

for (const target of cliTargets()) {
  describe(`makemigrations --merge on ${target}`, () => {
    test('branches that change different models: the merge migration depends on both leaves, has no operations, and migrate applies everything', async () => {
      const final = models('  email: f.email({ null: true }),\n', '  paid: f.boolean({ null: true }),\n');
      await withProject(target, { apps: { shop: models('', '') } }, async (project) => {
        await forked(project, addEmail, addPaid);
        project.writeModels('shop', final);
        expectRun(await project.run('migrate'), { code: 1, stderr: ['Conflicting migrations', 'makemigrations --merge'] });

        expectRun(await project.run('makemigrations', '--merge'), {
          code: 0,
          stdout: [
            'Merging shop: 2 branches from 0001_initial.',
            'Branch 0002_client_email (changes shop.Client):',
            'Add field email to Client',
            'Branch 0002_order_paid (changes shop.Order):',
            'The branches change different models and fields: merging them is safe.',
            'Wrote src/shop/migrations/0003_merge_0002_client_email_0002_order_paid.ts (depends on 0002_client_email and 0002_order_paid; no operations).',
            "'sediment makemigrations --merge --linearize shop'",
          ],
        });
        const source = project.readMigration('shop', '0003_merge').replace(/\s+/g, ' ');
        assert.match(source, /dependencies: \[ \['shop', '0002_client_email'\], \['shop', '0002_order_paid'\], \]/);
        assert.match(source, /operations: \[\]/);

        expectRun(await project.run('migrate'), { code: 0, stdout: ['Applying shop.0003_merge_0002_client_email_0002_order_paid... OK'] });
        expectRun(await project.run('makemigrations', '--check'), { code: 0, stdout: ['No changes detected'] });
        expectRun(await project.run('doctor'), { code: 0 });
      });
    });

    test('branches that change the same field: the conflicting operations are listed, and without input the merge is written with a warning', async () => {
      await withProject(target, { apps: { shop: models('', '') } }, async (project) => {
        await forked(
          project,
          "ops.alterField({ model: 'Client', name: 'name', field: f.char({ maxLength: 100 }) })",
          "ops.alterField({ model: 'Client', name: 'name', field: f.text() })",
        );
        const result = jsonOf<{ merges: { app: string; disjoint: boolean; file: string; written: boolean }[] }>(
          expectRun(await project.run('makemigrations', '--merge', '--no-input', '--json'), { code: 0 }),
        );
        assert.deepEqual(result.merges, [{ app: 'shop', leaves: ['0002_client_email', '0002_order_paid'], disjoint: false, file: 'src/shop/migrations/0003_merge_0002_client_email_0002_order_paid.ts', written: true }]);

        project.remove(project.migrationPath('shop', '0003_merge'));
        expectRun(await project.run('makemigrations', '--merge', '--no-input'), {
          code: 0,
          stdout: [
            'Both branches change the same models or fields:',
            'shop.Client.name: shop.0002_client_email (Alter field name on Client) and shop.0002_order_paid (Alter field name on Client)',
            'the last change to a model or field wins',
            'Wrote src/shop/migrations/0003_merge_0002_client_email_0002_order_paid.ts',
          ],
          notStdout: ['--linearize'],
          stderr: ['warning: the branches of shop change the same models or fields; the merge migration was written anyway'],
        });
      });
    });

    test('--linearize makes the later branch start from the other leaf, so no merge migration is needed; --dry-run writes nothing', async () => {
      await withProject(target, { apps: { shop: models('', '') } }, async (project) => {
        await forked(project, addEmail, addPaid);
        project.writeModels('shop', models('  email: f.email({ null: true }),\n', '  paid: f.boolean({ null: true }),\n'));
        expectRun(await project.run('makemigrations', '--merge', '--dry-run'), { code: 0, stdout: ['Would write src/shop/migrations/0003_merge'] });
        expectRun(await project.run('makemigrations', '--merge', '--linearize', '--dry-run'), { code: 0, stdout: ['Would linearize: shop.0002_order_paid now depends on shop.0002_client_email'] });
        assert.deepEqual(project.migrationFiles('shop'), ['0001_initial.ts', '0002_client_email.ts', '0002_order_paid.ts']);

        expectRun(await project.run('makemigrations', '--merge', '--linearize'), {
          code: 0,
          stdout: ['Linearized: shop.0002_order_paid now depends on shop.0002_client_email instead of shop.0001_initial'],
          stderr: ['now sees it as edited'],
        });
        assert.deepEqual(project.migrationFiles('shop'), ['0001_initial.ts', '0002_client_email.ts', '0002_order_paid.ts']);
        expectRun(await project.run('migrate'), { code: 0, stdout: ['Applying shop.0002_client_email... OK', 'Applying shop.0002_order_paid... OK'] });
        expectRun(await project.run('doctor'), { code: 0 });
      });
    });

    test('--linearize refuses branches that change the same field, and writes nothing', async () => {
      await withProject(target, { apps: { shop: models('', '') } }, async (project) => {
        await forked(project, "ops.removeField({ model: 'Client', name: 'name' })", "ops.alterField({ model: 'Client', name: 'name', field: f.text() })");
        expectRun(await project.run('makemigrations', '--merge', '--linearize'), {
          code: 1,
          stderr: ['Cannot linearize shop: the branches change the same models or fields', "'sediment makemigrations --merge shop' (without --linearize)"],
        });
        assert.deepEqual(project.migrationFiles('shop'), ['0001_initial.ts', '0002_client_email.ts', '0002_order_paid.ts']);
      });
    });

    test('with no conflicts there is nothing to merge', async () => {
      await withProject(target, { apps: { shop: models('', '') } }, async (project) => {
        expectRun(await project.run('makemigrations'), { code: 0 });
        expectRun(await project.run('makemigrations', '--merge'), { code: 0, stdout: ['No conflicts to merge'] });
        expectRun(await project.run('makemigrations', '--linearize'), { code: 2, stderr: ['--linearize only applies with --merge'] });
      });
    });
  });
}
