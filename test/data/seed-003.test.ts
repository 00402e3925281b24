import assert from 'node:assert/strict';
import { f } from '../../src/model/fields.js';
import { ops } from '../../src/operations/ops.js';
import { addressBook, store } from './fixtures.js';
import { migrate, migrationOf, rows, testOnEachTarget } from './helpers.js';

// Seed 003, as its data migrations read in TypeScript, run through the executor.

testOnEachTarget('seed 003, first story: a nullable bought is filled row by row from the reverse relation, then made required', async (db) => {
  const initial = migrationOf('store', '0001_initial', store.map(retarget));
  await migrate(db, [initial]);
  await db.query(`INSERT INTO store_client (name) VALUES ('Ada'), ('Grace'), ('Linus')`);
  await db.query(`INSERT INTO store_computer (brand, bought_by_id) VALUES ('Lenovo', 1), ('Apple', 1), ('Dell', 2)`);
  const history = [
    initial,
    migrationOf('store', '0002_prepopulate_bought', [
      ops.runCode({
        forward: async function addBought({ apps }) {
          const Client = apps.getModel('store', 'Client');
          for await (const c of Client.objects.all()) {
            c.bought = await c.computers.count();
            await c.save();
          }
        },
        reverse: ops.noop,
      }),
      ops.alterField({ model: 'Client', name: 'bought', field: f.integer() }),
    ], { dependencies: [['store', '0001_initial']] }),
  ];
  await migrate(db, history);
  assert.deepEqual(await rows(db, `SELECT name, bought FROM store_client ORDER BY id`), [
    { name: 'Ada', bought: 2 }, { name: 'Grace', bought: 1 }, { name: 'Linus', bought: 0 },
  ]);
  assert.deepEqual(await rows(db, `SELECT is_nullable FROM information_schema.columns WHERE table_name = 'store_client' AND column_name = 'bought'`), [
    { is_nullable: 'NO' },
  ]);
});

testOnEachTarget('seed 003, second story: a many-to-many becomes a foreign key without losing data', async (db) => {
  const initial = migrationOf('address_book', '0001_initial', addressBook);
  await migrate(db, [initial]);
  await db.query(`INSERT INTO address_book_address (street_name) VALUES ('1 Main St'), ('2 Oak Ave')`);
  await db.query(`INSERT INTO address_book_client (name) VALUES ('Ada'), ('Bob')`);
  await db.query(`INSERT INTO address_book_client_addresses (client_id, address_id) VALUES (1, 1), (1, 2), (2, 1)`);
  const history = [
    initial,
    migrationOf('address_book', '0002_newaddress', [
      ops.createModel({
        name: 'NewAddress',
        fields: {
          id: f.bigAuto({ primaryKey: true }),
          streetName: f.char({ maxLength: 255 }),
          client: f.foreignKey('address_book.Client', { onDelete: 'cascade' }),
        },
      }),
      ops.runCode({
        forward: async function migrateData({ apps }) {
          const Client = apps.getModel('address_book', 'Client');
          const NewAddress = apps.getModel('address_book', 'NewAddress');
          for await (const c of Client.objects.all()) {
            for await (const a of c.addresses.all()) {
              await NewAddress.objects.create({ streetName: a.streetName, client: c });
            }
          }
        },
        reverse: ops.noop,
      }),
    ], { dependencies: [['address_book', '0001_initial']] }),
    migrationOf('address_book', '0003_remove_address', [
      ops.removeField({ model: 'Client', name: 'addresses' }),
      ops.deleteModel({ name: 'Address' }),
    ], { dependencies: [['address_book', '0002_newaddress']] }),
    migrationOf('address_book', '0004_rename_newaddress', [ops.renameModel({ oldName: 'NewAddress', newName: 'Address' })], {
      dependencies: [['address_book', '0003_remove_address']],
    }),
  ];
  await migrate(db, history);
  assert.deepEqual(
    await rows(db, `SELECT c.name, a.street_name FROM address_book_address a JOIN address_book_client c ON c.id = a.client_id ORDER BY c.name, a.street_name`),
    [
      { name: 'Ada', street_name: '1 Main St' },
      { name: 'Ada', street_name: '2 Oak Ave' },
      { name: 'Bob', street_name: '1 Main St' },
    ],
  );
});

/** The shared store fixture lives in app 'shop'; seed 003 calls the app 'store'. */
function retarget<T>(op: T): T {
  return JSON.parse(JSON.stringify(op).replaceAll('shop.', 'store.')) as T;
}
