import assert from 'node:assert/strict';
import { MissingDependencyError, UnknownNameError } from '../../src/data/errors.js';
import { MigrationFailedError } from '../../src/errors/index.js';
import { f } from '../../src/model/fields.js';
import { ops } from '../../src/operations/ops.js';
import { store } from './fixtures.js';
import { given, migrate, migrationOf, rows, run, testOnEachTarget } from './helpers.js';

testOnEachTarget('a data migration written before a field was renamed still sees the old name', async (db) => {
  const seen: string[][] = [];
  const migrations = [
    migrationOf('shop', '0001_initial', [store[0]]),
    migrationOf('shop', '0002_fill_names', [
      ops.runCode({
        forward: async ({ apps }) => {
          const Client = apps.getModel('shop', 'Client');
          seen.push([...Client.fields]);
          await Client.objects.bulkCreate([{ name: 'Ada' }, { name: 'Bob' }]);
          await Client.objects.filter({ name: 'Bob' }).update({ bought: 1 });
        },
      }),
    ], { dependencies: [['shop', '0001_initial']] }),
    migrationOf('shop', '0003_rename', [ops.renameField({ model: 'Client', oldName: 'name', newName: 'fullName' })], {
      dependencies: [['shop', '0002_fill_names']],
    }),
    migrationOf('shop', '0004_use_new_name', [
      ops.runCode({
        forward: async ({ apps }) => {
          const Client = apps.getModel('shop', 'Client');
          seen.push([...Client.fields]);
          assert.throws(() => Client.objects.filter({ name: 'Ada' }), /shop\.Client has no field name .*its fields are id, fullName, bought/);
          await Client.objects.filter({ fullName: 'Ada' }).update({ bought: 2 });
        },
      }),
    ], { dependencies: [['shop', '0003_rename']] }),
  ];
  await migrate(db, migrations);
  assert.deepEqual(seen, [['id', 'name', 'bought'], ['id', 'fullName', 'bought']]);
  assert.deepEqual(await rows(db, `SELECT full_name, bought FROM shop_client ORDER BY id`), [
    { full_name: 'Ada', bought: 2 }, { full_name: 'Bob', bought: 1 },
  ]);
});

testOnEachTarget('a model created, removed or renamed later in the history is seen as the code\'s migration left it', async (db) => {
  const migrations = [
    migrationOf('shop', '0001_initial', [
      ops.createModel({ name: 'Address', fields: { id: f.bigAuto({ primaryKey: true }), street: f.text() } }),
    ]),
    migrationOf('shop', '0002_data', [
      ops.createModel({ name: 'NewAddress', fields: { id: f.bigAuto({ primaryKey: true }), street: f.text() } }),
      ops.runCode({
        forward: async ({ apps }) => {
          await apps.getModel('shop', 'Address').objects.create({ street: 'Old St' });
          for await (const a of apps.getModel('shop', 'Address').objects.all()) {
            await apps.getModel('shop', 'NewAddress').objects.create({ street: a.street });
          }
        },
      }),
      ops.deleteModel({ name: 'Address' }),
      ops.renameModel({ oldName: 'NewAddress', newName: 'Address' }),
      ops.runCode({
        forward: async ({ apps }) => {
          const Address = apps.getModel('shop', 'Address');
          assert.equal(Address.table, 'shop_address');
          assert.equal(await Address.objects.count(), 1);
          assert.throws(() => apps.getModel('shop', 'NewAddress'), /model shop\.NewAddress does not exist at this point in the migration history; app shop has: Address/i);
        },
      }),
    ], { dependencies: [['shop', '0001_initial']] }),
  ];
  await migrate(db, migrations);
  assert.deepEqual(await rows(db, `SELECT street FROM shop_address`), [{ street: 'Old St' }]);
});

testOnEachTarget('getModel() of an unknown app or model names what exists at that point', async (db) => {
  const state = await given(db, 'shop', store);
  await run(db, state, async ({ apps }) => {
    assert.throws(() => apps.getModel('store', 'Client'), (error: unknown) => {
      assert.ok(error instanceof UnknownNameError);
      assert.match(error.message, /apps\.getModel\('store', 'Client'\): there is no app 'store' with models at this point in the migration history; apps with models: shop/);
      return true;
    });
    assert.throws(() => apps.getModel('shop', 'Customer'), /apps\.getModel\('shop', 'Customer'\): Model shop\.Customer does not exist at this point in the migration history; app shop has: Client, Computer/);
    assert.equal(apps.getModel('shop', 'client').name, 'Client', 'model names are case-insensitive, as in the state');
  });
});

testOnEachTarget('getModel() of an app the migration does not depend on names the dependency to add', async (db) => {
  const billing = migrationOf('billing', '0001_initial', [
    ops.createModel({ name: 'Invoice', fields: { id: f.bigAuto({ primaryKey: true }), total: f.integer() } }),
  ]);
  const billing2 = migrationOf('billing', '0002_more', [], { dependencies: [['billing', '0001_initial']] });
  const shop1 = migrationOf('shop', '0001_initial', [store[0]]);
  const useInvoices = (dependencies: [string, string][]) => migrationOf('shop', '0002_invoices', [
    ops.runCode({
      forward: async function countInvoices({ apps }) {
        await apps.getModel('shop', 'Client').objects.count();
        await apps.getModel('billing', 'Invoice').objects.count();
      },
    }),
  ], { dependencies });
  const error = await migrate(db, [billing, billing2, shop1, useInvoices([['shop', '0001_initial']])]).catch((e: unknown) => e);
  assert.ok(error instanceof MigrationFailedError, String(error));
  const cause = error.cause;
  assert.ok(cause instanceof MissingDependencyError);
  assert.equal(cause.app, 'billing');
  assert.equal(cause.migration, 'shop.0002_invoices');
  assert.match(error.message, /apps\.getModel\('billing', 'Invoice'\) in shop\.0002_invoices: the migration does not depend on app billing/);
  assert.match(error.hint ?? '', /dependencies: \[\.\.\., \['billing', '0002_more'\]\]/);

  // A dependency on any of the app's migrations (here through shop.0001) makes it readable.
  const shopAfterBilling = migrationOf('shop', '0001_initial', [store[0]], { dependencies: [['billing', '0001_initial']] });
  await migrate(db, [billing, billing2, shopAfterBilling, useInvoices([['shop', '0001_initial']])]);
  assert.deepEqual(await rows(db, `SELECT name FROM sediment_migrations WHERE app = 'shop' ORDER BY name`), [
    { name: '0001_initial' }, { name: '0002_invoices' },
  ]);
});
