import assert from 'node:assert/strict';
import { f } from '../../src/model/fields.js';
import { ops } from '../../src/operations/ops.js';
import { migrate, migrationOf, rows, testOnEachTarget } from './helpers.js';

// Seed 001: a RunPython fills a nullable foreign key, then an AlterField makes it NOT NULL in the same
// migration. Django fails with "cannot ALTER TABLE "my_app_site" because it has pending trigger events":
// its foreign keys are DEFERRABLE INITIALLY DEFERRED, so the UPDATE queues a check that is still pending
// when the ALTER TABLE runs. Sediment runs the queued checks right after the code, so both work.

const initial = migrationOf('my_app', '0021_initial', [
  ops.createModel({ name: 'Template', fields: { id: f.bigAuto({ primaryKey: true }), name: f.char({ maxLength: 100 }) } }),
  ops.createModel({
    name: 'Site',
    fields: {
      id: f.bigAuto({ primaryKey: true }),
      domain: f.char({ maxLength: 100 }),
      template: f.foreignKey('my_app.Template', { onDelete: 'cascade', null: true }),
    },
  }),
]);

const addDefaultTemplate = ops.runCode({
  forward: async function addDefaultTemplate({ apps }) {
    const Template = apps.getModel('my_app', 'Template');
    const Site = apps.getModel('my_app', 'Site');
    const acceptReject = await Template.objects.get({ name: 'Accept/Reject' });
    await Site.objects.filter({ template: null }).update({ template: acceptReject });
  },
  reverse: ops.noop,
});

async function givenSitesWithoutTemplate(db: Parameters<Parameters<typeof testOnEachTarget>[1]>[0]) {
  await migrate(db, [initial]);
  await db.query(`INSERT INTO my_app_template (name) VALUES ('Blank'), ('Accept/Reject')`);
  await db.query(`INSERT INTO my_app_site (domain, template_id) VALUES ('a.example', NULL), ('b.example', 1), ('c.example', NULL)`);
}

testOnEachTarget('seed 001: filling a nullable foreign key and making it NOT NULL in one migration has no pending trigger events', async (db) => {
  await givenSitesWithoutTemplate(db);
  await migrate(db, [
    initial,
    migrationOf('my_app', '0022_site_template_required', [
      addDefaultTemplate,
      ops.alterField({ model: 'Site', name: 'template', field: f.foreignKey('my_app.Template', { onDelete: 'cascade' }) }),
    ], { dependencies: [['my_app', '0021_initial']] }),
  ]);
  assert.deepEqual(await rows(db, `SELECT s.domain, t.name FROM my_app_site s JOIN my_app_template t ON t.id = s.template_id ORDER BY s.domain`), [
    { domain: 'a.example', name: 'Accept/Reject' },
    { domain: 'b.example', name: 'Blank' },
    { domain: 'c.example', name: 'Accept/Reject' },
  ]);
  assert.deepEqual(await rows(db, `SELECT is_nullable FROM information_schema.columns WHERE table_name = 'my_app_site' AND column_name = 'template_id'`), [
    { is_nullable: 'NO' },
  ]);
});

testOnEachTarget("seed 001, Django's failing variant: altering another column of the same table after the data change works too", async (db) => {
  await givenSitesWithoutTemplate(db);
  await migrate(db, [
    initial,
    migrationOf('my_app', '0022_site_changes', [
      addDefaultTemplate,
      ops.alterField({ model: 'Site', name: 'domain', field: f.char({ maxLength: 255 }) }),
      ops.addField({ model: 'Site', name: 'active', field: f.boolean({ default: true }), preserveDefault: false }),
    ], { dependencies: [['my_app', '0021_initial']] }),
  ]);
  assert.deepEqual(await rows(db, `SELECT count(*)::int AS n FROM my_app_site WHERE template_id IS NULL OR NOT active`), [{ n: 0 }]);
  assert.deepEqual(await rows(db, `SELECT character_maximum_length AS length FROM information_schema.columns WHERE table_name = 'my_app_site' AND column_name = 'domain'`), [
    { length: 255 },
  ]);
});

testOnEachTarget('seed 001 with raw SQL: an UPDATE through runSql followed by ALTER TABLE in one migration works as well', async (db) => {
  await givenSitesWithoutTemplate(db);
  await migrate(db, [
    initial,
    migrationOf('my_app', '0022_site_template_sql', [
      ops.runSql({
        sql: "UPDATE my_app_site SET template_id = (SELECT id FROM my_app_template WHERE name = 'Accept/Reject') WHERE template_id IS NULL",
        reverseSql: ops.noop,
      }),
      ops.alterField({ model: 'Site', name: 'template', field: f.foreignKey('my_app.Template', { onDelete: 'cascade' }) }),
    ], { dependencies: [['my_app', '0021_initial']] }),
  ]);
  assert.deepEqual(await rows(db, `SELECT count(*)::int AS n FROM my_app_site WHERE template_id IS NULL`), [{ n: 0 }]);
});
