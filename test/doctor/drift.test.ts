import assert from 'node:assert/strict';
import { describe } from 'node:test';
import { f } from '../../src/model/fields.js';
import { index } from '../../src/model/model.js';
import { ops } from '../../src/operations/ops.js';
import { doctor, migrateAll, migration, summarize, testOnEachTarget } from './helpers.js';

/**
 * Schema drift: the live database against the state of the applied migrations, each difference with
 * the migration that explains it. The schema is broken by hand, as a person with psql would.
 */
const pk = { id: f.bigAuto({ primaryKey: true }) };
const initial = migration(
  'shop.0001_initial',
  [],
  ops.createModel({ name: 'Client', fields: { ...pk, name: f.char({ maxLength: 255 }), code: f.char({ maxLength: 10, unique: true }) } }),
  ops.createModel({
    name: 'Tag',
    fields: { ...pk, name: f.char({ maxLength: 100 }), client: f.foreignKey('Client', { onDelete: 'cascade' }), score: f.positiveInteger() },
    options: { indexes: [index(['name'], { name: 'shop_tag_name_idx' })] },
  }),
);
const tagType = migration('shop.0002_tag_type', ['shop.0001_initial'], ops.addField({ model: 'Tag', name: 'type', field: f.char({ maxLength: 100, null: true }) }));
const longerName = migration('shop.0003_client_name', ['shop.0002_tag_type'], ops.alterField({ model: 'Client', name: 'name', field: f.char({ maxLength: 300 }) }));
const history = [initial, tagType, longerName];

describe('schema drift found by doctor', () => {
  testOnEachTarget('a database that matches its applied migrations has no findings', async (db) => {
    await migrateAll(db, history);
    const report = await doctor(db, history);
    assert.deepEqual(summarize(report), []);
    assert.equal(report.summary.applied, 3);
    assert.equal(report.summary.tablesCompared, 2);
  });

  testOnEachTarget('a column dropped by hand is missing, explained by the migration that added it', async (db) => {
    await migrateAll(db, history);
    await db.query('ALTER TABLE shop_tag DROP COLUMN type');
    const report = await doctor(db, history);
    assert.deepEqual(summarize(report), ['missing-column shop_tag.type <- set-by shop.0002_tag_type']);
    const [finding] = report.findings;
    assert.equal(finding.message, 'Column shop_tag.type (character varying(100) NULL) is missing (added by shop.0002_tag_type).');
    assert.match(finding.fix.text, /ALTER TABLE "shop_tag" ADD COLUMN "type" character varying\(100\)/);
    assert.equal(finding.fix.action, undefined, 'putting a column back is not a fix doctor applies by itself');
  });

  testOnEachTarget('a column added by hand is extra, and no migration creates it', async (db) => {
    await migrateAll(db, history);
    await db.query('ALTER TABLE shop_tag ADD COLUMN extra integer');
    const report = await doctor(db, history);
    assert.deepEqual(summarize(report), ['extra-column shop_tag.extra <- none']);
    assert.equal(report.findings[0].message, 'Column shop_tag.extra (integer NULL) exists, but no applied migration adds it.');
  });

  testOnEachTarget("a column's type changed by hand is a type mismatch, explained by the migration that last set the type", async (db) => {
    await migrateAll(db, history);
    await db.query('ALTER TABLE shop_client ALTER COLUMN name TYPE text');
    const report = await doctor(db, history);
    assert.deepEqual(summarize(report), ['type-mismatch shop_client.name <- set-by shop.0003_client_name']);
    assert.equal(report.findings[0].message, 'Column shop_client.name is text; expected character varying(300) (set by shop.0003_client_name).');
    assert.match(report.findings[0].fix.text, /ALTER TABLE "shop_client" ALTER COLUMN "name" TYPE character varying\(300\)/);
  });

  testOnEachTarget('an index dropped by hand is missing, explained by the migration that created it', async (db) => {
    await migrateAll(db, history);
    await db.query('DROP INDEX shop_tag_name_idx');
    const report = await doctor(db, history);
    assert.deepEqual(summarize(report), ['missing-index shop_tag shop_tag_name_idx <- set-by shop.0001_initial']);
    assert.match(report.findings[0].fix.text, /CREATE INDEX "shop_tag_name_idx" ON "shop_tag" \("name"\)/);
  });

  testOnEachTarget('a foreign key, a unique constraint and a check dropped by hand, and a default added, are each reported with the SQL that undoes it', async (db) => {
    await migrateAll(db, history);
    await db.query('ALTER TABLE shop_tag DROP CONSTRAINT shop_tag_client_id_fk');
    await db.query('ALTER TABLE shop_client DROP CONSTRAINT shop_client_code_uniq');
    await db.query('ALTER TABLE shop_tag DROP CONSTRAINT shop_tag_score_check');
    await db.query('ALTER TABLE shop_tag ALTER COLUMN score SET DEFAULT 1');
    const report = await doctor(db, history);
    assert.deepEqual(summarize(report), [
      'missing-constraint shop_client shop_client_code_uniq <- set-by shop.0001_initial',
      'default-mismatch shop_tag.score <- set-by shop.0001_initial',
      'missing-foreign-key shop_tag shop_tag_client_id_fk <- set-by shop.0001_initial',
      'missing-constraint shop_tag shop_tag_score_check <- set-by shop.0001_initial',
    ]);
    assert.deepEqual(report.findings.map((finding) => /(ALTER TABLE [^;]*?)(;|\.$)/.exec(finding.fix.text)?.[1]), [
      'ALTER TABLE "shop_client" ADD CONSTRAINT "shop_client_code_uniq" UNIQUE ("code")',
      'ALTER TABLE "shop_tag" ALTER COLUMN "score" DROP DEFAULT',
      'ALTER TABLE "shop_tag" ADD CONSTRAINT "shop_tag_client_id_fk" FOREIGN KEY ("client_id") REFERENCES "shop_client" ("id") ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED',
      'ALTER TABLE "shop_tag" ADD CONSTRAINT "shop_tag_score_check" CHECK ("score" >= 0)',
    ]);
  });

  testOnEachTarget('a NOT NULL dropped by hand and a table made by hand are both reported', async (db) => {
    await migrateAll(db, history);
    await db.query('ALTER TABLE shop_client ALTER COLUMN name DROP NOT NULL');
    await db.query('CREATE TABLE stray (id integer)');
    const report = await doctor(db, history);
    // 0003 changed the length, not the nullability: NOT NULL is as 0001 made it.
    assert.deepEqual(summarize(report), [
      'nullability-mismatch shop_client.name <- set-by shop.0001_initial',
      'extra-table stray <- none',
    ]);
  });

  testOnEachTarget('a column whose removal was faked is extra, explained by the migration that removed it', async (db) => {
    const removal = migration('shop.0004_remove_type', ['shop.0003_client_name'], ops.removeField({ model: 'Tag', name: 'type' }));
    await migrateAll(db, history);
    await migrateAll(db, [...history, removal], { fake: true });
    const report = await doctor(db, [...history, removal]);
    assert.deepEqual(summarize(report), ['extra-column shop_tag.type <- removed-by shop.0004_remove_type']);
  });

  testOnEachTarget("unmanaged models' tables and the history table are never drift", async (db) => {
    const legacy = migration('shop.0004_legacy', ['shop.0003_client_name'], ops.createModel({
      name: 'Legacy',
      fields: { ...pk, code: f.text() },
      options: { managed: false, dbTable: 'legacy_codes' },
    }));
    await migrateAll(db, [...history, legacy]);
    await db.query('CREATE TABLE legacy_codes (id bigint PRIMARY KEY, code text, note text)');
    assert.deepEqual(summarize(await doctor(db, [...history, legacy])), []);
  });

  testOnEachTarget('a difference the unapplied migrations explain names the unapplied migration', async (db) => {
    await migrateAll(db, [initial]);
    // The database has 0002's column and also 0003's type: 0003 is pending, and 0002 is already there.
    await db.query('ALTER TABLE shop_tag ADD COLUMN type varchar(100)');
    await db.query('ALTER TABLE shop_client ALTER COLUMN name TYPE varchar(300)');
    const report = await doctor(db, history);
    assert.deepEqual(summarize(report), [
      'unapplied shop.0002_tag_type: present',
      'unapplied shop.0003_client_name: present',
    ]);
  });
});
