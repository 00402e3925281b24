import assert from 'node:assert/strict';
import type { Connection } from '../../src/backends/base/connection.js';
import { UnknownNameError } from '../../src/data/errors.js';
import { f } from '../../src/model/fields.js';
import { ops } from '../../src/operations/ops.js';
import { addressBook, store } from './fixtures.js';
import { given, rows, run, testOnEachTarget } from './helpers.js';

async function shop(db: Connection) {
  const state = await given(db, 'shop', store);
  await db.query(`INSERT INTO shop_client (name) VALUES ('Ada'), ('Bob'), ('Cy')`);
  await db.query(`INSERT INTO shop_computer (brand, bought_by_id) VALUES ('Dell', 1), ('HP', 1), ('Apple', 2)`);
  return state;
}

testOnEachTarget("a foreign key's raw value is <field>Id; the row it points at is loaded with related()", async (db) => {
  const state = await shop(db);
  await run(db, state, async ({ apps }) => {
    const { objects } = apps.getModel('shop', 'Computer');
    const dell = await objects.get({ brand: 'Dell' });
    assert.equal(dell.boughtById, 1);
    assert.deepEqual(Object.keys(dell), ['id', 'brand', 'boughtById']);
    assert.throws(() => dell.boughtBy, (error: unknown) => {
      assert.ok(error instanceof UnknownNameError);
      assert.match(error.message, /shop\.Computer\.boughtBy is not loaded .*await row\.related\('boughtBy'\)/);
      return true;
    });
    const ada = await dell.related('boughtBy');
    assert.equal(ada?.name, 'Ada');
    assert.equal(dell.boughtBy, ada, 'once loaded, the property gives the row');
    await assert.rejects(dell.related('brand'), /shop\.Computer has no foreign key brand; its foreign keys are boughtBy/);
  });
});

testOnEachTarget('assigning a row to a foreign key sets its key, and save() writes it', async (db) => {
  const state = await shop(db);
  await run(db, state, async ({ apps }) => {
    const Client = apps.getModel('shop', 'Client');
    const Computer = apps.getModel('shop', 'Computer');
    const cy = await Client.objects.get({ name: 'Cy' });
    const apple = await Computer.objects.get({ brand: 'Apple' });
    apple.boughtBy = cy;
    assert.equal(apple.boughtById, 3);
    assert.equal(apple.boughtBy, cy);
    await apple.save();
    apple.boughtById = 1;
    assert.throws(() => apple.boughtBy, /not loaded/, 'a reassigned key no longer gives the old row');
    await apple.save();
    assert.deepEqual(await rows(db, `SELECT bought_by_id::int AS k FROM shop_computer WHERE brand = 'Apple'`), [{ k: 1 }]);
  });
});

testOnEachTarget('filter, create and update take a foreign key as a row, a key or null', async (db) => {
  const state = await given(db, 'site', [
    ops.createModel({ name: 'Template', fields: { id: f.bigAuto({ primaryKey: true }), name: f.text() } }),
    ops.createModel({
      name: 'Site',
      fields: { id: f.bigAuto({ primaryKey: true }), template: f.foreignKey('site.Template', { onDelete: 'setNull', null: true }) },
    }),
  ]);
  await run(db, state, async ({ apps }) => {
    const Template = apps.getModel('site', 'Template');
    const Site = apps.getModel('site', 'Site');
    const fallback = await Template.objects.create({ name: 'Accept/Reject' });
    const other = await Template.objects.create({ name: 'Other' });
    await Site.objects.create({ template: null });
    await Site.objects.create({ template: null });
    await Site.objects.create({ template: other });
    await Site.objects.create({ templateId: other.id });
    assert.equal(await Site.objects.filter({ template: null }).count(), 2);
    assert.equal(await Site.objects.filter({ template: other }).count(), 2);
    assert.equal(await Site.objects.filter({ template: other.id }).count(), 2);
    assert.equal(await Site.objects.filter({ templateId: other.id }).count(), 2);
    assert.equal(await Site.objects.filter({ template__in: [other, fallback.id] }).count(), 2);
    assert.equal(await Site.objects.filter({ template__in: Template.objects.filter({ name__startsWith: 'Oth' }) }).count(), 2);
    const t = await Template.objects.get({ name: 'Accept/Reject' });
    assert.equal(await Site.objects.filter({ template: null }).update({ template: t }), 2);
    assert.equal(await Site.objects.filter({ template: fallback }).count(), 2);
    assert.equal(await Site.objects.filter({ template__isNull: true }).count(), 0);
    await assert.rejects(Site.objects.create({ template: await Site.objects.first() }), /points at site\.Template, but was given a site\.Site row/);
  });
});

testOnEachTarget('a reverse relation is a query set of the rows pointing at this one, by relatedName', async (db) => {
  const state = await shop(db);
  await run(db, state, async ({ apps }) => {
    const Client = apps.getModel('shop', 'Client');
    const ada = await Client.objects.get({ name: 'Ada' });
    const cy = await Client.objects.get({ name: 'Cy' });
    assert.equal(await ada.computers.count(), 2);
    assert.equal(await ada.computers.exists(), true);
    assert.equal(await cy.computers.exists(), false);
    assert.deepEqual((await ada.computers.orderBy('brand').toArray()).map((c: { brand: string }) => c.brand), ['Dell', 'HP']);
    assert.equal(await ada.computers.filter({ brand: 'HP' }).count(), 1);
    const brands: string[] = [];
    for await (const computer of ada.computers.all()) brands.push(computer.brand);
    assert.deepEqual(brands, ['Dell', 'HP']);
    const made = await cy.computers.create({ brand: 'Lenovo' });
    assert.equal(made.boughtById, cy.id);
    assert.equal(await cy.computers.add(await apps.getModel('shop', 'Computer').objects.get({ brand: 'HP' })), 1);
    assert.equal(await cy.computers.count(), 2);
    assert.equal(await ada.computers.count(), 1);
  });
});

testOnEachTarget('without relatedName the reverse relation is <model>Set', async (db) => {
  const state = await given(db, 'shop', [
    store[0],
    ops.createModel({
      name: 'Invoice',
      fields: { id: f.bigAuto({ primaryKey: true }), client: f.foreignKey('shop.Client', { onDelete: 'cascade' }) },
    }),
  ]);
  await db.query(`INSERT INTO shop_client (name) VALUES ('Ada')`);
  await db.query(`INSERT INTO shop_invoice (client_id) VALUES (1), (1)`);
  await run(db, state, async ({ apps }) => {
    const ada = await apps.getModel('shop', 'Client').objects.get({ name: 'Ada' });
    assert.equal(await ada.invoiceSet.count(), 2);
  });
});

testOnEachTarget('many-to-many managers add, remove, clear and list through the automatic join table, from both sides', async (db) => {
  const state = await given(db, 'address_book', addressBook);
  await run(db, state, async ({ apps }) => {
    const Address = apps.getModel('address_book', 'Address');
    const Client = apps.getModel('address_book', 'Client');
    const [home, work, cabin] = await Promise.all(['Home St', 'Work Ave', 'Cabin Rd'].map((streetName) => Address.objects.create({ streetName })));
    const ada = await Client.objects.create({ name: 'Ada' });
    const bob = await Client.objects.create({ name: 'Bob' });
    assert.equal(await ada.addresses.add(home, work.id), 2);
    assert.equal(await ada.addresses.add(home, home), 0, 'links that exist are left alone');
    await bob.addresses.add(home);
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const streets = async (qs: AsyncIterable<Record<string, any>>) => {
      const out: string[] = [];
      for await (const a of qs) out.push(a.streetName);
      return out;
    };
    assert.deepEqual(await streets(ada.addresses.all()), ['Home St', 'Work Ave']);
    assert.equal(await ada.addresses.count(), 2);
    assert.equal(await home.clients.count(), 2, 'the reverse side, by relatedName');
    assert.deepEqual((await home.clients.orderBy('name').toArray()).map((c: { name: string }) => c.name), ['Ada', 'Bob']);
    assert.equal(await ada.addresses.filter({ streetName__startsWith: 'W' }).count(), 1);
    assert.equal(await ada.addresses.remove(work, cabin), 1);
    assert.deepEqual(await streets(ada.addresses.all()), ['Home St']);
    assert.equal(await home.clients.clear(), 2);
    assert.equal(await ada.addresses.count(), 0);
    assert.equal(await Address.objects.count(), 3, 'the linked rows themselves stay');
    await assert.rejects(ada.addresses.add(ada), /points at address_book\.Address, but was given a address_book\.Client row/);
  });
  assert.deepEqual(await rows(db, `SELECT count(*)::int AS n FROM address_book_client_addresses`), [{ n: 0 }]);
});

testOnEachTarget('many-to-many managers work on a through model, filling its other fields from their defaults', async (db) => {
  const state = await given(db, 'club', [
    ops.createModel({ name: 'Person', fields: { id: f.bigAuto({ primaryKey: true }), name: f.text() } }),
    ops.createModel({
      name: 'Group',
      fields: {
        id: f.bigAuto({ primaryKey: true }),
        name: f.text(),
        members: f.manyToMany('club.Person', { through: 'club.Membership', relatedName: 'groups' }),
      },
    }),
    ops.createModel({
      name: 'Membership',
      fields: {
        id: f.bigAuto({ primaryKey: true }),
        person: f.foreignKey('club.Person', { onDelete: 'cascade' }),
        group: f.foreignKey('club.Group', { onDelete: 'cascade' }),
        role: f.char({ maxLength: 10, default: 'member' }),
      },
    }),
  ]);
  await run(db, state, async ({ apps }) => {
    const Person = apps.getModel('club', 'Person');
    const Group = apps.getModel('club', 'Group');
    const Membership = apps.getModel('club', 'Membership');
    const ann = await Person.objects.create({ name: 'Ann' });
    const ben = await Person.objects.create({ name: 'Ben' });
    const chess = await Group.objects.create({ name: 'Chess' });
    assert.equal(await chess.members.add(ann, ben), 2);
    assert.equal(await chess.members.add(ann), 0);
    assert.equal(await ann.groups.count(), 1);
    assert.deepEqual(await Membership.objects.orderBy('id').values('person', 'role').toArray(), [
      { person: ann.id, role: 'member' }, { person: ben.id, role: 'member' },
    ]);
    assert.equal(await chess.membershipSet.count(), 2, 'the through model is also a plain reverse relation');
    assert.equal(await chess.members.remove(ben.id), 1);
    assert.deepEqual((await chess.members.toArray()).map((p: { name: string }) => p.name), ['Ann']);
  });
});

testOnEachTarget('a relation is not a column: filtering or creating with it says to use the manager', async (db) => {
  const state = await given(db, 'address_book', addressBook);
  await run(db, state, async ({ apps }) => {
    const Client = apps.getModel('address_book', 'Client');
    assert.throws(() => Client.objects.filter({ addresses: 1 }), /address_book\.Client\.addresses is a many-to-many relation, not a column; use the row's manager/);
    await assert.rejects(Client.objects.create({ name: 'x', addresses: [] }), /many-to-many relation/);
  });
});
