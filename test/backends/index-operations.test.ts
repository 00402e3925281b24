import assert from 'node:assert/strict';
import { SedimentError } from '../../src/errors/index.js';
import { f } from '../../src/model/fields.js';
import { check, index, unique } from '../../src/model/model.js';
import { ops } from '../../src/operations/ops.js';
import { createPostgresSchemaEditor } from '../../src/backends/postgres/schema-editor.js';
import { Naming } from '../../src/state/names.js';
import { applyForwards } from '../support/apply-operations.js';
import { assertRoundTrip, assertSchemaMatches, given, rows, testOnEachTarget } from './helpers.js';

const pk = { id: f.bigAuto({ primaryKey: true }) };
const article = ops.createModel({
  name: 'Article',
  fields: { ...pk, title: f.char({ maxLength: 200 }), slug: f.slug(), published: f.boolean({ default: false }), rank: f.integer({ null: true }) },
});

testOnEachTarget('addIndex creates a multi-column index and removeIndex drops it', async (db) => {
  const before = await given(db, 'blog', [article]);
  await assertRoundTrip(db, before, 'blog', [ops.addIndex({ model: 'Article', index: index(['title', '-rank'], { name: 'article_title_rank_idx' }) })]);
});

testOnEachTarget('addIndex with a condition creates a partial index', async (db) => {
  const before = await given(db, 'blog', [article]);
  await assertRoundTrip(db, before, 'blog', [
    ops.addIndex({ model: 'Article', index: index(['slug'], { name: 'article_live_slug_idx', condition: 'published' }) }),
  ]);
});

testOnEachTarget('removeIndex drops an index created with the model, and reversing recreates it', async (db) => {
  const before = await given(db, 'blog', [
    ops.createModel({ name: 'Note', fields: { ...pk, body: f.text() }, options: { indexes: [index(['body'], { name: 'note_body_idx' })] } }),
  ]);
  await assertRoundTrip(db, before, 'blog', [ops.removeIndex({ model: 'Note', name: 'note_body_idx' })]);
});

testOnEachTarget('renameIndex renames the index in both directions', async (db) => {
  const before = await given(db, 'blog', [article, ops.addIndex({ model: 'Article', index: index(['slug'], { name: 'old_slug_idx' }) })]);
  await assertRoundTrip(db, before, 'blog', [ops.renameIndex({ model: 'Article', oldName: 'old_slug_idx', newName: 'article_slug_idx' })]);
});

testOnEachTarget('addConstraint adds a unique constraint and removeConstraint drops it', async (db) => {
  const before = await given(db, 'blog', [article]);
  await assertRoundTrip(db, before, 'blog', [
    ops.addConstraint({ model: 'Article', constraint: unique(['title', 'slug'], { name: 'article_title_slug_uniq' }) }),
  ]);
});

testOnEachTarget('a unique constraint with a condition becomes a partial unique index', async (db) => {
  const before = await given(db, 'blog', [article]);
  await db.query(`INSERT INTO blog_article (title, slug, published) VALUES ('a', 's', false), ('b', 's', false)`);
  await assertRoundTrip(db, before, 'blog', [
    ops.addConstraint({ model: 'Article', constraint: unique(['slug'], { name: 'article_live_slug_uniq', condition: 'published' }) }),
  ], {
    between: async () => {
      await db.query(`INSERT INTO blog_article (title, slug, published) VALUES ('c', 's', true)`);
      await assert.rejects(db.query(`INSERT INTO blog_article (title, slug, published) VALUES ('d', 's', true)`), /duplicate key/);
      await db.query(`DELETE FROM blog_article WHERE published`);
    },
  });
});

testOnEachTarget('addConstraint adds a check constraint that the database enforces', async (db) => {
  const before = await given(db, 'blog', [article]);
  await assertRoundTrip(db, before, 'blog', [
    ops.addConstraint({ model: 'Article', constraint: check("title <> '' AND (rank IS NULL OR rank BETWEEN 1 AND 10)", { name: 'article_sane' }) }),
  ], {
    between: async () => {
      await assert.rejects(db.query(`INSERT INTO blog_article (title, slug, published) VALUES ('', 's', true)`), /article_sane/);
    },
  });
});

testOnEachTarget('removeConstraint drops a partial unique index created with the model', async (db) => {
  const before = await given(db, 'blog', [
    ops.createModel({
      name: 'Post',
      fields: { ...pk, slug: f.slug(), live: f.boolean() },
      options: { constraints: [unique(['slug'], { name: 'post_live_slug_uniq', condition: 'live' }), check('length(slug) > 0', { name: 'post_slug_set' })] },
    }),
  ]);
  await assertRoundTrip(db, before, 'blog', [
    ops.removeConstraint({ model: 'Post', name: 'post_live_slug_uniq' }),
    ops.removeConstraint({ model: 'Post', name: 'post_slug_set' }),
  ]);
});

testOnEachTarget('addIndexConcurrently builds the index outside a transaction and reversing drops it', async (db) => {
  const before = await given(db, 'blog', [article]);
  await assertRoundTrip(db, before, 'blog', [
    ops.addIndexConcurrently({ model: 'Article', index: index(['rank'], { name: 'article_rank_idx' }) }),
  ], { atomic: false });
});

testOnEachTarget('addIndexConcurrently writes CREATE INDEX CONCURRENTLY on a server and a plain build on PGlite', async (db, target) => {
  const before = await given(db, 'blog', [article]);
  const collect: string[] = [];
  await applyForwards(db, before, 'blog', [ops.addIndexConcurrently({ model: 'Article', index: index(['rank'], { name: 'article_rank_idx' }) })], { collect });
  const concurrently = target === 'pglite' ? '' : 'CONCURRENTLY ';
  assert.deepEqual(collect, [`CREATE INDEX ${concurrently}"article_rank_idx" ON "blog_article" ("rank");`]);
});

testOnEachTarget('removeIndexConcurrently drops the index outside a transaction and reversing rebuilds it', async (db) => {
  const before = await given(db, 'blog', [article, ops.addIndex({ model: 'Article', index: index(['rank'], { name: 'article_rank_idx' }) })]);
  await assertRoundTrip(db, before, 'blog', [ops.removeIndexConcurrently({ model: 'Article', name: 'article_rank_idx' })], { atomic: false });
});

testOnEachTarget('addConstraintNotValid accepts existing rows that break the check, and validateConstraint then refuses them', async (db) => {
  const before = await given(db, 'blog', [article]);
  await db.query(`INSERT INTO blog_article (title, slug, published, rank) VALUES ('a', 's', false, -5)`);
  const after = await applyForwards(db, before, 'blog', [
    ops.addConstraintNotValid({ model: 'Article', constraint: check('rank >= 0', { name: 'article_rank_positive' }) }),
  ]);
  await assertSchemaMatches(db, after, 'after adding the constraint NOT VALID');
  await assert.rejects(db.query(`INSERT INTO blog_article (title, slug, published, rank) VALUES ('b', 's', false, -1)`), /article_rank_positive/);
  await assert.rejects(applyForwards(db, after, 'blog', [ops.validateConstraint({ model: 'Article', name: 'article_rank_positive' })]), /article_rank_positive/);
});

testOnEachTarget('validateConstraint marks a NOT VALID check as validated once the rows comply', async (db) => {
  const before = await given(db, 'blog', [article]);
  const after = await assertRoundTrip(db, before, 'blog', [
    ops.addConstraintNotValid({ model: 'Article', constraint: check('rank >= 0', { name: 'article_rank_positive' }) }),
    ops.validateConstraint({ model: 'Article', name: 'article_rank_positive' }),
  ]);
  await applyForwards(db, before, 'blog', [
    ops.addConstraintNotValid({ model: 'Article', constraint: check('rank >= 0', { name: 'article_rank_positive' }) }),
  ]);
  const validity = async () => (await rows<{ v: boolean }>(db, `SELECT convalidated AS v FROM pg_constraint WHERE conname = 'article_rank_positive'`))[0].v;
  assert.equal(await validity(), false);
  await applyForwards(db, after, 'blog', [ops.validateConstraint({ model: 'Article', name: 'article_rank_positive' })]);
  assert.equal(await validity(), true);
});

testOnEachTarget('createExtension installs an available contrib extension and reversing drops it', async (db, target, t) => {
  const available = await rows<{ name: string }>(db, `SELECT name FROM pg_available_extensions WHERE name IN ('citext', 'pg_trgm') ORDER BY name`);
  if (available.length === 0) {
    assert.equal(target, 'pglite', 'the PostgreSQL server ships the contrib extensions');
    t.skip('PGlite offers contrib extensions only when opened with them (see the next test)');
    return;
  }
  const name = available[0].name;
  const installed = async () => (await rows(db, 'SELECT 1 FROM pg_extension WHERE extname = $1', [name])).length === 1;
  const before = await given(db, 'blog', []);
  await assertRoundTrip(db, before, 'blog', [ops.createExtension({ name })], {
    between: async () => assert.equal(await installed(), true),
  });
  assert.equal(await installed(), false);
});

testOnEachTarget('createExtension of an extension the database does not ship fails with a clear error', async (db) => {
  const editor = createPostgresSchemaEditor(db, new Naming());
  await assert.rejects(editor.createExtension('no_such_extension'), (error: unknown) =>
    error instanceof SedimentError && error.code === 'ExtensionUnavailable' && /no_such_extension is not available/.test(error.message));
});

testOnEachTarget('addConstraintNotValid refuses a unique constraint, which PostgreSQL cannot add NOT VALID', async (db) => {
  const before = await given(db, 'blog', [article]);
  await assert.rejects(
    applyForwards(db, before, 'blog', [ops.addConstraintNotValid({ model: 'Article', constraint: unique(['slug'], { name: 'article_slug_uniq' }) })]),
    (error: unknown) => error instanceof SedimentError && /NOT VALID/.test(error.message),
  );
  await assertSchemaMatches(db, before, 'after the refused operation');
});
