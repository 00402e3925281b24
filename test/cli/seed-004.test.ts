import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { cliTargets, expectRun, handWritten, jsonOf, withProject, type CliProject } from '../support/cli.js';

/**
 * Seed 004, "Fix Django Migration: pkey errors": `duplicate key value violates unique constraint
 * "django_migrations_pkey"`, because a key sequence fell behind its table. Sediment's history table has
 * no sequence at all; the project's own sequences are watched by migrate, listed by `sequences`, and
 * reset by `sequences --reset`.
 */
const shopModels = `import { model, f } from 'sediment-migrations';

export const Client = model('Client', {
  name: f.char({ maxLength: 255 }),
});

export const Order = model('Order', {
  total: f.integer(),
});
`;

/** A data migration that copies rows in with their old keys, as a restored dump would. */
const copyClients = handWritten({
  dependencies: [['shop', '0001_initial']],
  operations: ["ops.runSql({ sql: \"INSERT INTO shop_client (id, name) VALUES (1, 'Ada'), (2, 'Grace'), (25, 'Linus')\", reverseSql: 'DELETE FROM shop_client' })"],
});

async function insertClient(project: CliProject, name: string): Promise<string> {
  const [row] = await project.sql<{ id: string }>('INSERT INTO shop_client (name) VALUES ($1) RETURNING id::text AS id', [name]);
  return row.id;
}

for (const target of cliTargets()) {
  describe(`seed 004 on ${target}: key sequences behind their tables`, () => {
    test('the history table has no sequence: many migrations recorded, and no sequence belongs to it', async () => {
      await withProject(target, { apps: { shop: shopModels } }, async (project) => {
        expectRun(await project.run('makemigrations'), { code: 0 });
        for (let i = 2; i <= 6; i++) {
          project.writeMigration('shop', `000${i}_step`, handWritten({
            dependencies: [['shop', i === 2 ? '0001_initial' : `000${i - 1}_step`]],
            operations: ["ops.runSql({ sql: 'SELECT 1', reverseSql: ops.noop })"],
          }));
        }
        expectRun(await project.run('migrate'), { code: 0, notStderr: ['warning'] });
        const sequences = jsonOf<{ sequences: { table: string }[] }>(expectRun(await project.run('sequences', '--all', '--json'), { code: 0 }));
        assert.deepEqual(sequences.sequences.map((s) => s.table), ['shop_client', 'shop_order']);
        const owned = await project.sql(
          `SELECT s.relname FROM pg_catalog.pg_depend d
             JOIN pg_catalog.pg_class s ON s.oid = d.objid AND d.classid = 'pg_catalog.pg_class'::regclass AND s.relkind = 'S'
             JOIN pg_catalog.pg_class t ON t.oid = d.refobjid
            WHERE t.relname = 'sediment_migrations'`,
        );
        assert.deepEqual(owned, []);
        const [key] = await project.sql<{ columns: string }>(
          `SELECT string_agg(a.attname, ',' ORDER BY k.ord) AS columns
             FROM pg_catalog.pg_constraint c, unnest(c.conkey) WITH ORDINALITY AS k(attnum, ord), pg_catalog.pg_attribute a
            WHERE c.conrelid = 'sediment_migrations'::regclass AND c.contype = 'p' AND a.attrelid = c.conrelid AND a.attnum = k.attnum`,
        );
        assert.equal(key.columns, 'app,name');
      });
    });

    test('a data migration that writes explicit keys: migrate warns at the end, sequences lists it (exit 1), the next insert would fail, and --reset fixes it', async () => {
      await withProject(target, { apps: { shop: shopModels } }, async (project) => {
        expectRun(await project.run('makemigrations'), { code: 0 });
        project.writeMigration('shop', '0002_copy_clients', copyClients);
        expectRun(await project.run('migrate'), {
          code: 0,
          stdout: ['Applying shop.0002_copy_clients... OK'],
          stderr: ['warning: shop_client.id (identity sequence shop_client_id_seq) would hand out 1 next, but the largest id is 25', "'sediment sequences --reset'"],
          notStderr: ['shop_order'],
        });
        expectRun(await project.run('sequences'), {
          code: 1,
          stdout: ['behind  shop_client.id (identity sequence shop_client_id_seq) would hand out 1 next, but the largest id is 25', "1 key sequence is behind: run 'sediment sequences --reset'"],
          notStdout: ['shop_order'],
        });
        await assert.rejects(insertClient(project, 'Barbara'), /duplicate key value violates unique constraint "shop_client_pkey"/);
        // The failed insert took the value 1 all the same (the seed's "lazy way": each retry moves it by one).

        expectRun(await project.run('sequences', '--reset'), { code: 0, stdout: ['Reset shop_client_id_seq: the next shop_client.id is 26 (it was 2; the largest is 25).'] });
        expectRun(await project.run('sequences'), { code: 0, stdout: ["All 2 key sequences are ahead of their tables' largest keys."] });
        assert.equal(await insertClient(project, 'Barbara'), '26');
      });
    });

    test('migrate warns only about the tables it touched; a run that changes another table stays quiet', async () => {
      await withProject(target, { apps: { shop: shopModels } }, async (project) => {
        expectRun(await project.run('makemigrations'), { code: 0 });
        expectRun(await project.run('migrate'), { code: 0 });
        await project.sql("INSERT INTO shop_client (id, name) VALUES (7, 'Ada')");
        project.writeMigration('shop', '0002_order_note', handWritten({
          dependencies: [['shop', '0001_initial']],
          operations: ["ops.addField({ model: 'Order', name: 'note', field: f.text({ null: true }) })"],
        }));
        expectRun(await project.run('migrate'), { code: 0, notStderr: ['warning'] });
        project.writeMigration('shop', '0003_client_note', handWritten({
          dependencies: [['shop', '0002_order_note']],
          operations: ["ops.addField({ model: 'Client', name: 'note', field: f.text({ null: true }) })"],
        }));
        expectRun(await project.run('migrate'), { code: 0, stderr: ['warning: shop_client.id', 'the largest id is 7'] });
      });
    });

    test('sequences --json lists the sequences behind, --all lists every one, and --reset --json says what it reset', async () => {
      await withProject(target, { apps: { shop: shopModels } }, async (project) => {
        expectRun(await project.run('makemigrations'), { code: 0 });
        expectRun(await project.run('migrate'), { code: 0 });
        await project.sql("INSERT INTO shop_order (id, total) VALUES (3, 10)");
        await project.sql("INSERT INTO shop_client (name) VALUES ('Ada')");
        const behind = jsonOf<{ sequences: unknown[] }>(expectRun(await project.run('sequences', '--json'), { code: 1 }));
        assert.deepEqual(behind.sequences, [
          { table: 'shop_order', column: 'id', sequence: 'shop_order_id_seq', kind: 'identity', maxKey: '3', nextValue: '1', behind: true },
        ]);
        const all = jsonOf<{ sequences: { table: string; behind: boolean }[] }>(expectRun(await project.run('sequences', '--all', '--json'), { code: 1 }));
        assert.deepEqual(all.sequences.map((s) => [s.table, s.behind]), [['shop_client', false], ['shop_order', true]]);
        const reset = jsonOf<{ reset: { sequence: string; nextValue: string }[] }>(expectRun(await project.run('sequences', '--reset', '--json'), { code: 0 }));
        assert.deepEqual(reset.reset.map((r) => [r.sequence, r.nextValue]), [['shop_order_id_seq', '4']]);
      });
    });
  });
}
