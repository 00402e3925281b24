import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { cliTargets, expectRun, handWritten, jsonOf, withProject, type CliProject } from '../support/cli.js';

/** `sediment doctor`: the history, the files and the live database compared, end to end. */
const shopModels = `import { model, f, index } from 'sediment-migrations';

export const Client = model('Client', {
  name: f.char({ maxLength: 255 }),
});

export const Tag = model('Tag', {
  name: f.char({ maxLength: 100 }),
  type: f.char({ maxLength: 100, null: true }),
  client: f.foreignKey('Client', { onDelete: 'cascade' }),
}, { indexes: [index(['name'], { name: 'shop_tag_name_idx' })] });
`;

interface JsonReport {
  readonly ok: boolean;
  readonly findings: readonly {
    readonly kind: string;
    readonly message: string;
    readonly drift?: { readonly kind: string; readonly table: string; readonly column?: string; readonly name?: string };
    readonly explanation?: { readonly kind: string; readonly migration?: string };
    readonly fix: { readonly text: string; readonly action?: { readonly kind: string } };
  }[];
}

async function migrated(project: CliProject): Promise<void> {
  expectRun(await project.run('makemigrations'), { code: 0 });
  expectRun(await project.run('migrate'), { code: 0 });
  await project.sql("INSERT INTO shop_client (name) VALUES ('Ada'), ('Grace')");
  await project.sql("INSERT INTO shop_tag (name, client_id) SELECT 'red', id FROM shop_client");
}

/** Seed 004's cause: rows written with explicit keys (a restored dump), past what the sequence handed out. */
async function rowsWithExplicitKeys(project: CliProject): Promise<void> {
  await project.sql("INSERT INTO shop_client (id, name) VALUES (10, 'Linus'), (11, 'Barbara')");
}

async function counts(project: CliProject): Promise<Record<string, number>> {
  const [row] = await project.sql<{ clients: number; tags: number }>(
    'SELECT (SELECT count(*) FROM shop_client)::int AS clients, (SELECT count(*) FROM shop_tag)::int AS tags',
  );
  return { ...row };
}

for (const target of cliTargets()) {
  describe(`sediment doctor on ${target}`, () => {
    test('a project whose history, files and database agree: exit 0, and --json says ok', async () => {
      await withProject(target, { apps: { shop: shopModels } }, async (project) => {
        expectRun(await project.run('makemigrations'), { code: 0 });
        expectRun(await project.run('migrate'), { code: 0 });
        expectRun(await project.run('doctor'), { code: 0, stdout: ['Checked 1 migration (1 applied), 2 tables compared', 'No problems found'] });
        const report = jsonOf<JsonReport>(expectRun(await project.run('doctor', '--json'), { code: 0 }));
        assert.deepEqual(report, { ...report, ok: true, findings: [] });
      });
    });

    test('a schema broken by hand — a column dropped, one added, a type changed, an index dropped — gives exactly those findings, each with its migration and a fix; --fix changes nothing', async () => {
      await withProject(target, { apps: { shop: shopModels } }, async (project) => {
        await migrated(project);
        await project.sql('ALTER TABLE shop_tag DROP COLUMN type');
        await project.sql('ALTER TABLE shop_tag ADD COLUMN legacy_code integer');
        await project.sql('ALTER TABLE shop_client ALTER COLUMN name TYPE text');
        await project.sql('DROP INDEX shop_tag_name_idx');

        const report = jsonOf<JsonReport>(expectRun(await project.run('doctor', '--json'), { code: 1 }));
        assert.deepEqual(
          report.findings.map((f) => `${f.drift?.kind} ${f.drift?.table} ${f.drift?.column ?? f.drift?.name} <- ${f.explanation?.kind} ${f.explanation?.migration ?? ''}`.trim()),
          [
            'type-mismatch shop_client name <- set-by shop.0001_initial',
            'missing-column shop_tag type <- set-by shop.0001_initial',
            'extra-column shop_tag legacy_code <- none',
            'missing-index shop_tag shop_tag_name_idx <- set-by shop.0001_initial',
          ],
        );
        expectRun(await project.run('doctor'), {
          code: 1,
          stdout: [
            'Schema (the live database against the applied migrations)',
            'Column shop_client.name is text; expected character varying(255) (set by shop.0001_initial).',
            'Column shop_tag.type (character varying(100) NULL) is missing (added by shop.0001_initial).',
            'Column shop_tag.legacy_code (integer NULL) exists, but no applied migration adds it.',
            'Index shop_tag_name_idx on shop_tag (name) is missing (added by shop.0001_initial).',
            'CREATE INDEX "shop_tag_name_idx" ON "shop_tag" ("name")',
            '4 problems; none can be fixed automatically',
          ],
        });
        const before = await counts(project);
        expectRun(await project.run('doctor', '--fix'), { code: 1, stdout: ["Nothing that 'doctor --fix' can fix safely.", '4 problems left'] });
        assert.deepEqual(await counts(project), before);
        assert.ok((await project.columns('shop_tag')).includes('legacy_code'), 'doctor never drops a column');
      });
    });

    test('doctor --fix applies every safe fix — a history row without a file, a migration already in the database, a sequence behind — and then doctor exits 0 with every row kept', async () => {
      await withProject(target, { apps: { shop: shopModels } }, async (project) => {
        await migrated(project);
        // A migration applied, then its file deleted; a copy of it under another name, not applied.
        project.writeMigration('shop', '0002_note', handWritten({
          dependencies: [['shop', '0001_initial']],
          operations: ["ops.addField({ model: 'Client', name: 'note', field: f.text({ null: true }) })"],
        }));
        expectRun(await project.run('migrate'), { code: 0 });
        project.remove(project.migrationPath('shop', '0002_note'));
        project.writeMigration('shop', '0002_client_note', handWritten({
          dependencies: [['shop', '0001_initial']],
          operations: ["ops.addField({ model: 'Client', name: 'note', field: f.text({ null: true }) })"],
        }));
        await rowsWithExplicitKeys(project);
        const before = await counts(project);

        expectRun(await project.run('doctor'), {
          code: 1,
          stdout: [
            'shop.0002_note is recorded as applied',
            'shop.0002_client_note is not applied, but its schema is already in the database (column shop_client.note exists)',
            'shop_client.id (identity sequence shop_client_id_seq) would hand out 3 next, but the largest id is 11',
            "3 problems; all can be fixed safely by 'sediment doctor --fix'.",
          ],
        });
        expectRun(await project.run('doctor', '--fix'), {
          code: 0,
          stdout: [
            '1. Remove the history row of shop.0002_note (its file is missing).',
            '2. Record shop.0002_client_note as applied without running it (its schema is already in the database).',
            '3. Reset shop_client_id_seq past the largest shop_client.id (11)',
            'done: Reset shop_client_id_seq: the next id is 12.',
            'No problems left',
          ],
        });
        expectRun(await project.run('doctor'), { code: 0, stdout: ['No problems found'] });
        assert.deepEqual(await counts(project), before, 'no row of user data was lost');
        await project.sql("INSERT INTO shop_client (name) VALUES ('Linus')");
      });
    });

    test('doctor --fix --json reports what it fixed and what is left', async () => {
      await withProject(target, { apps: { shop: shopModels } }, async (project) => {
        await migrated(project);
        await project.sql('ALTER TABLE shop_tag ADD COLUMN legacy_code integer');
        await rowsWithExplicitKeys(project);
        const result = jsonOf<JsonReport & { fixed: string[] }>(expectRun(await project.run('doctor', '--fix', '--json'), { code: 1 }));
        assert.deepEqual(result.fixed, ['Reset shop_client_id_seq: the next id is 12.']);
        assert.deepEqual(result.findings.map((f) => f.kind), ['schema-drift']);
      });
    });

    test('two leaves in one app are a conflict whose fix is makemigrations --merge; doctor says whether the branches overlap', async () => {
      await withProject(target, { apps: { shop: shopModels } }, async (project) => {
        expectRun(await project.run('makemigrations'), { code: 0 });
        for (const [name, field] of [['0002_a', 'alpha'], ['0002_b', 'beta']]) {
          project.writeMigration('shop', name, handWritten({
            dependencies: [['shop', '0001_initial']],
            operations: [`ops.addField({ model: 'Client', name: '${field}', field: f.text({ null: true }) })`],
          }));
        }
        expectRun(await project.run('doctor'), {
          code: 1,
          stdout: ['App shop has 2 leaf migrations (0002_a, 0002_b): the history branched. The branches change different models, so a merge migration is safe.', "'sediment makemigrations --merge shop'"],
        });
      });
    });

    test("history rows of migrations that a squash replaces are not missing files: showmigrations, migrate --prune and doctor leave them alone", async () => {
      await withProject(target, { apps: { shop: shopModels } }, async (project) => {
        expectRun(await project.run('makemigrations'), { code: 0 });
        project.writeMigration('shop', '0002_note', handWritten({
          dependencies: [['shop', '0001_initial']],
          operations: ["ops.addField({ model: 'Client', name: 'note', field: f.text({ null: true }) })"],
        }));
        expectRun(await project.run('migrate'), { code: 0 });
        // A squash of both, then the originals deleted once every database has applied them.
        const initial = project.readMigration('shop', '0001_initial');
        const squash = initial
          .replace('  initial: true,\n', "  initial: true,\n  replaces: [['shop', '0001_initial'], ['shop', '0002_note']],\n")
          .replace(/(\n  \],\n\}\);\n)$/, "\n    ops.addField({ model: 'Client', name: 'note', field: f.text({ null: true }) }),$1");
        assert.match(squash, /replaces: \[\['shop', '0001_initial'\], \['shop', '0002_note'\]\]/);
        project.writeMigration('shop', '0001_squashed_0002_note', squash);
        project.remove(project.migrationPath('shop', '0001_initial'));
        project.remove(project.migrationPath('shop', '0002_note'));

        expectRun(await project.run('showmigrations'), { code: 0, stdout: [' [X] 0001_squashed_0002_note'], notStdout: ['missing'], notStderr: ['--prune'] });
        expectRun(await project.run('migrate', '--prune'), { code: 0, stdout: ['Pruning: no history rows without a migration file.'] });
        expectRun(await project.run('doctor'), { code: 0, stdout: ['No problems found'] });
        assert.ok((await project.history()).includes('shop.0002_note'), 'the replaced rows stay');
      });
    });

    test('--accept-edited without --fix is bad usage', async () => {
      await withProject(target, { apps: { shop: shopModels } }, async (project) => {
        expectRun(await project.run('doctor', '--accept-edited'), { code: 2, stderr: ['--accept-edited only applies with --fix'] });
      });
    });
  });
}
