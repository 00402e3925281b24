import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { cliTargets, expectRun, handWritten, jsonOf, withProject, type CliProject } from '../support/cli.js';

/**
 * Seed 002, "Django migrations error": the tour of what goes wrong when the recorded history, the
 * migration files and the real schema disagree — each story as the seed tells it, and what Sediment
 * says and does instead. End to end, through the real binary.
 */
const tagModels = (fields: string) => `import { model, f } from 'sediment-migrations';

export const Tag = model('Tag', {
  name: f.char({ maxLength: 100 }),
${fields}});
`;
const withName = tagModels('');
const withType = tagModels('  type: f.char({ maxLength: 100, null: true }),\n');
const withTypeName = tagModels('  typeName: f.char({ maxLength: 100, null: true }),\n');

async function rowCount(project: CliProject, table: string): Promise<number> {
  const [row] = await project.sql<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`);
  return row.n;
}

for (const target of cliTargets()) {
  describe(`seed 002 on ${target}: the migration errors tour`, () => {
    test('"not applied by you": showmigrations shows [ ] for the unapplied migration, doctor says so, and migrate app name applies it', async () => {
      await withProject(target, { apps: { shop: withName } }, async (project) => {
        expectRun(await project.run('makemigrations'), { code: 0 });
        expectRun(await project.run('migrate'), { code: 0 });
        project.writeModels('shop', withType);
        expectRun(await project.run('makemigrations'), { code: 0, stdout: ['0002_tag_type'] });

        expectRun(await project.run('showmigrations'), { code: 0, stdout: [' [X] 0001_initial', ' [ ] 0002_tag_type'] });
        expectRun(await project.run('doctor'), { code: 1, stdout: ['shop.0002_tag_type is not applied.', "Apply it: 'sediment migrate'."] });
        expectRun(await project.run('migrate', 'shop', '0002_tag_type'), { code: 0, stdout: ['Applying shop.0002_tag_type... OK'] });
        expectRun(await project.run('showmigrations'), { code: 0, stdout: [' [X] 0002_tag_type'] });
        expectRun(await project.run('doctor'), { code: 0, stdout: ['No problems found'] });
      });
    });

    test('"you removed a migration\'s file": the regenerated migration fails with "column … already exists", migrate says the schema is already there and to --fake it, and doctor --fix does', async () => {
      await withProject(target, { apps: { shop: withName } }, async (project) => {
        expectRun(await project.run('makemigrations'), { code: 0 });
        expectRun(await project.run('migrate'), { code: 0 });
        // "You added a field type to a class Tag. You made a migration, number 0002 …"
        project.writeModels('shop', withType);
        expectRun(await project.run('makemigrations', '--name', 'something'), { code: 0 });
        expectRun(await project.run('migrate'), { code: 0 });
        await project.sql("INSERT INTO shop_tag (name, type) VALUES ('red', 'colour'), ('big', 'size')");
        // "… then you removed the migration", lived your best life, and made migrations again.
        project.remove(project.migrationPath('shop', '0002_something'));
        expectRun(await project.run('makemigrations'), { code: 0, stdout: ['0002_tag_type', 'Add field type to Tag'] });

        expectRun(await project.run('migrate'), {
          code: 1,
          stderr: [
            'column "type" of relation "shop_tag" already exists',
            'The schema is already there',
            'column shop_tag.type exists',
            "'sediment migrate shop 0002_tag_type --fake'",
            'shop.0002_something is recorded as applied but its file is missing',
            'rolled back',
          ],
        });
        const report = jsonOf<{ ok: boolean; findings: { kind: string; migration?: string; fix: { action?: { kind: string } } }[] }>(
          expectRun(await project.run('doctor', '--json'), { code: 1 }),
        );
        assert.deepEqual(report.findings.map((f) => `${f.kind} ${f.migration} -> ${f.fix.action?.kind}`), [
          'missing-file shop.0002_something -> prune',
          'unapplied shop.0002_tag_type -> fake',
        ]);

        expectRun(await project.run('doctor', '--fix'), {
          code: 0,
          stdout: [
            'Remove the history row of shop.0002_something',
            'Record shop.0002_tag_type as applied without running it',
            'No problems left',
          ],
        });
        expectRun(await project.run('doctor'), { code: 0, stdout: ['No problems found'] });
        expectRun(await project.run('migrate'), { code: 0, stdout: ['No migrations to apply'], notStderr: ['warning'] });
        assert.deepEqual(await project.history(), ['shop.0001_initial', 'shop.0002_tag_type']);
        assert.equal(await rowCount(project, 'shop_tag'), 2, 'no row was lost');
      });
    });

    test('"renaming a field was not applied" after a search-and-replace inside an applied migration: migrate refuses naming the file and what the database has; undoing the edit and renaming properly works', async () => {
      await withProject(target, { apps: { shop: withName } }, async (project) => {
        expectRun(await project.run('makemigrations'), { code: 0 });
        project.writeModels('shop', withType);
        expectRun(await project.run('makemigrations'), { code: 0 });
        expectRun(await project.run('migrate'), { code: 0 });
        await project.sql("INSERT INTO shop_tag (name, type) VALUES ('red', 'colour')");
        const original = project.readMigration('shop', '0002');
        // "While changing names in the whole project automatically, I also changed them in the migrations files."
        project.writeModels('shop', withTypeName);
        project.write(project.migrationPath('shop', '0002'), original.replaceAll("'type'", "'typeName'"));

        expectRun(await project.run('makemigrations'), { code: 0, stdout: ['No changes detected'] });
        expectRun(await project.run('migrate'), {
          code: 1,
          notStdout: ['Applying'],
          stderr: [
            'shop.0002_tag_type (src/shop/migrations/0002_tag_type.ts) was edited after it was applied',
            'Column shop_tag.type_name (character varying(100) NULL) is missing',
            'Column shop_tag.type (character varying(100) NULL) exists',
            '--rename-field',
            '--allow-edited would only re-record the checksum',
            'nothing was run',
          ],
        });
        expectRun(await project.run('doctor'), {
          code: 1,
          stdout: ['it has column shop_tag.type where the file says shop_tag.type_name — a rename made in the file only', 'Undo the edit'],
        });

        // The fix: undo the edit, and write the rename as a migration of its own.
        project.write(project.migrationPath('shop', '0002'), original);
        expectRun(await project.run('makemigrations', '--rename-field', 'shop.Tag.type=typeName'), { code: 0, stdout: ['Rename field type on Tag to typeName'] });
        expectRun(await project.run('migrate'), { code: 0, stdout: ['Applying shop.0003'] });
        expectRun(await project.run('doctor'), { code: 0, stdout: ['No problems found'] });
        assert.deepEqual(await project.sql('SELECT name, type_name FROM shop_tag'), [{ name: 'red', type_name: 'colour' }]);
      });
    });

    test('NodeNotFoundError after a deleted file names the nearest parent to use, and following it works', async () => {
      await withProject(target, { apps: { shop: withName } }, async (project) => {
        expectRun(await project.run('makemigrations'), { code: 0 });
        const step = (name: string, parent: string) =>
          project.writeMigration('shop', name, handWritten({ dependencies: [['shop', parent]], operations: ["ops.runSql({ sql: 'SELECT 1', reverseSql: ops.noop })"] }));
        step('0002_something_before', '0001_initial');
        step('0003_something', '0002_something_before');
        step('0004_brave_new', '0003_something');
        project.remove(project.migrationPath('shop', '0003'));

        expectRun(await project.run('migrate'), {
          code: 1,
          stderr: [
            'Migration shop.0004_brave_new depends on shop.0003_something, which does not exist',
            'the nearest existing migration of shop before it is shop.0002_something_before',
            "Change the dependency in shop.0004_brave_new to ['shop', '0002_something_before']",
          ],
        });
        expectRun(await project.run('doctor'), { code: 1, stdout: ['The migration files do not form a history', "['shop', '0002_something_before']"] });

        step('0004_brave_new', '0002_something_before');
        expectRun(await project.run('migrate'), { code: 0, stdout: ['Applying shop.0004_brave_new... OK'] });
        expectRun(await project.run('doctor'), { code: 0 });
      });
    });

    test('a deleted file whose migrations were applied: the dependency fix counts as an edit, and doctor --fix --accept-edited settles the history', async () => {
      await withProject(target, { apps: { shop: withName } }, async (project) => {
        expectRun(await project.run('makemigrations'), { code: 0 });
        const step = (name: string, parent: string) =>
          project.writeMigration('shop', name, handWritten({ dependencies: [['shop', parent]], operations: ["ops.runSql({ sql: 'SELECT 1', reverseSql: ops.noop })"] }));
        step('0002_something_before', '0001_initial');
        step('0003_something', '0002_something_before');
        step('0004_brave_new', '0003_something');
        expectRun(await project.run('migrate'), { code: 0 });
        project.remove(project.migrationPath('shop', '0003'));
        step('0004_brave_new', '0002_something_before');

        expectRun(await project.run('migrate'), {
          code: 1,
          stderr: ['shop.0003_something', '--prune', 'shop.0004_brave_new (src/shop/migrations/0004_brave_new.ts) was edited after it was applied', 'The schema matches what the edited file describes', 'Only if you have checked the data yourself'],
        });
        expectRun(await project.run('doctor', '--fix'), {
          code: 1,
          stdout: ['Remove the history row of shop.0003_something', 'held:', '--accept-edited'],
        });
        expectRun(await project.run('doctor', '--fix', '--accept-edited'), { code: 0, stdout: ['Re-record the checksum of shop.0004_brave_new', 'No problems left'] });
        expectRun(await project.run('migrate'), { code: 0, stdout: ['No migrations to apply'], notStderr: ['warning'] });
      });
    });

    test('InconsistentMigrationHistory: migrate refuses and says to --fake the dependency; doctor --fix records it because its schema is there, and no data is erased', async () => {
      await withProject(target, { apps: { shop: withName } }, async (project) => {
        expectRun(await project.run('makemigrations'), { code: 0 });
        project.writeModels('shop', withType);
        expectRun(await project.run('makemigrations'), { code: 0 });
        expectRun(await project.run('migrate'), { code: 0 });
        await project.sql("INSERT INTO shop_tag (name, type) VALUES ('red', 'colour'), ('big', 'size'), ('old', NULL)");
        // A clean-up of the history table by hand went too far.
        await project.sql("DELETE FROM sediment_migrations WHERE name = '0001_initial'");

        expectRun(await project.run('migrate'), {
          code: 1,
          stderr: ['Migration shop.0002_tag_type is applied before its dependency shop.0001_initial', "'sediment migrate shop 0001_initial --fake'"],
        });
        expectRun(await project.run('doctor'), {
          code: 1,
          stdout: ['shop.0002_tag_type is applied, but its dependency shop.0001_initial is not', 'The schema of shop.0001_initial is already in the database'],
        });
        expectRun(await project.run('doctor', '--fix'), { code: 0, stdout: ['Record shop.0001_initial as applied without running it', 'No problems left'] });
        expectRun(await project.run('migrate'), { code: 0, stdout: ['No migrations to apply'] });
        assert.equal(await rowCount(project, 'shop_tag'), 3, 'no row was lost');
      });
    });

    test('"no changes detected" is explained: which apps and how many models were scanned, and a models file that exports none', async () => {
      await withProject(target, { apps: { shop: "import { model, f } from 'sediment-migrations';\n\nconst Tag = model('Tag', { name: f.text() });\n" } }, async (project) => {
        expectRun(await project.run('makemigrations'), {
          code: 0,
          stdout: ['No changes detected. Scanned 1 app: shop (0 models in src/shop/models.ts).', 'declares no models: export them'],
        });
        expectRun(await project.run('makemigrations', 'blog'), { code: 2, stderr: ['No app named blog', 'Apps in this project: shop'] });
      });
    });

    test('--fake-initial checks every table: an initial migration whose second table is missing is run, not faked, and the error says what is there', async () => {
      const twoModels = `import { model, f } from 'sediment-migrations';

export const Tag = model('Tag', { name: f.char({ maxLength: 100 }) });
export const Note = model('Note', { body: f.text() });
`;
      await withProject(target, { apps: { shop: twoModels } }, async (project) => {
        expectRun(await project.run('makemigrations'), { code: 0 });
        expectRun(await project.run('migrate'), { code: 0 });
        expectRun(await project.run('migrate', 'shop', 'zero', '--fake'), { code: 0 });
        await project.sql('DROP TABLE shop_tag');

        expectRun(await project.run('migrate', '--fake-initial'), {
          code: 1,
          notStdout: ['FAKED'],
          stderr: ['--fake-initial ran shop.0001_initial instead of recording it, because the table shop_tag does not exist', 'part of what shop.0001_initial creates', 'table shop_note exists'],
        });
        assert.deepEqual(await project.history(), []);
        expectRun(await project.run('doctor'), { code: 1, stdout: ['shop.0001_initial is not applied, and part of its schema is already in the database (table shop_note exists)'] });
      });
    });
  });
}
