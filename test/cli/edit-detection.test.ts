import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { loadMigrations } from '../../src/loader/index.js';
import { cliTargets, expectRun, jsonOf, withProject, type CliProject } from '../support/cli.js';

/**
 * Issue 8 item 7: an edit that changes what an applied migration runs is reported by migrate and
 * doctor — also when it is in a helper file the migration imports or in a module-level constant, and
 * when it keeps the file's size and modification time — while a formatting-only edit is not.
 */
const models = `import { model, f } from 'sediment-migrations';

export const Client = model('Client', { name: f.char({ maxLength: 255 }) });
`;

const HELPERS = 'src/shop/migrations/_helpers.ts';
const helpers = "export const NAME = 'from-helper-v1';\n";

const DATA = 'src/shop/migrations/0002_data.ts';
const data = `import { migration, ops } from 'sediment-migrations';
import { NAME } from './_helpers';

const LOCAL = 'local-v1';

export default migration({
  dependencies: [['shop', '0001_initial']],
  operations: [
    ops.runCode({
      forward: async ({ apps }) => {
        const Client = apps.getModel('shop', 'Client');
        await Client.objects.create({ name: NAME });
        await Client.objects.create({ name: LOCAL });
      },
      reverse: async ({ apps }) => {
        await apps.getModel('shop', 'Client').objects.all().delete();
      },
    }),
  ],
});
`;

const SQL = 'src/shop/migrations/0003_sql.ts';
const sql = `import { migration, ops } from 'sediment-migrations';

export default migration({
  dependencies: [['shop', '0002_data']],
  operations: [ops.runSql({ sql: "INSERT INTO shop_client (name) VALUES ('aaa')", reverseSql: "DELETE FROM shop_client WHERE name = 'aaa'" })],
});
`;

async function applied(project: CliProject): Promise<void> {
  expectRun(await project.run('makemigrations'), { code: 0 });
  project.write(HELPERS, helpers);
  project.write(DATA, data);
  project.write(SQL, sql);
  expectRun(await project.run('migrate'), { code: 0 });
  assert.deepEqual((await project.sql<{ name: string }>('SELECT name FROM shop_client ORDER BY id')).map((r) => r.name), ['from-helper-v1', 'local-v1', 'aaa']);
}

interface DoctorJson {
  readonly findings: readonly { readonly kind: string; readonly migration?: string }[];
}

async function expectReportedAsEdited(project: CliProject, migration: string): Promise<void> {
  expectRun(await project.run('migrate'), { code: 1, stderr: [`${migration} (`, 'was edited after it was applied'] });
  const report = jsonOf<DoctorJson>(expectRun(await project.run('doctor', '--json'), { code: 1 }));
  assert.deepEqual(report.findings.filter((f) => f.kind === 'edited').map((f) => f.migration), [migration], JSON.stringify(report));
}

async function expectNothingReported(project: CliProject): Promise<void> {
  expectRun(await project.run('migrate'), { code: 0, stdout: ['No migrations to apply.'] });
  expectRun(await project.run('doctor'), { code: 0, stdout: ['No problems found'] });
}

for (const target of cliTargets()) {
  describe(`edit detection on ${target}`, () => {
    test('changing a constant in a helper file that an applied migration imports: migrate refuses and doctor reports it edited', async () => {
      await withProject(target, { apps: { shop: models } }, async (project) => {
        await applied(project);
        project.write(HELPERS, helpers.replace('helper-v1', 'helper-v2'));
        await expectReportedAsEdited(project, 'shop.0002_data');
      });
    });

    test('changing a module-level constant of an applied migration: migrate refuses and doctor reports it edited', async () => {
      await withProject(target, { apps: { shop: models } }, async (project) => {
        await applied(project);
        project.write(DATA, data.replace('local-v1', 'local-v2'));
        await expectReportedAsEdited(project, 'shop.0002_data');
      });
    });

    test('a same-size edit that keeps the modification time: sqlmigrate shows the new SQL and the edit is reported', async () => {
      await withProject(target, { apps: { shop: models } }, async (project) => {
        await applied(project);
        // As `touch -r`, `cp -p`, `tar` or a reproducible build would leave it.
        const when = statSync(project.path(SQL)).mtime;
        const stamp = new Date(Math.floor(when.getTime() / 1000) * 1000);
        utimesSync(project.path(SQL), stamp, stamp);
        expectRun(await project.run('showmigrations'), { code: 0 });
        project.write(SQL, sql.replaceAll("'aaa'", "'bbb'"));
        utimesSync(project.path(SQL), stamp, stamp);
        assert.equal(statSync(project.path(SQL)).size, Buffer.byteLength(sql));
        expectRun(await project.run('sqlmigrate', 'shop', '0003'), { code: 0, stdout: ["VALUES ('bbb')"], notStdout: ["'aaa'"] });
        await expectReportedAsEdited(project, 'shop.0003_sql');
      });
    });

    test('reformatting the helper file and the module-level code, and adding comments, is not an edit', async () => {
      await withProject(target, { apps: { shop: models } }, async (project) => {
        await applied(project);
        project.write(HELPERS, `// Names the data migrations use.\nexport const NAME =\n  "from-helper-v1" // the first one\n`);
        project.write(DATA, data.replace("const LOCAL = 'local-v1';", '/** Local. */\nconst LOCAL = "local-v1"'));
        await expectNothingReported(project);
      });
    });

    test("a history row holding an older Sediment's checksum is accepted, upgraded by migrate, and later helper edits are reported", async () => {
      await withProject(target, { apps: { shop: models } }, async (project) => {
        await applied(project);
        const cacheDir = mkdtempSync(join(tmpdir(), 'sediment-edit-detection-'));
        try {
          const migration = (await loadMigrations({ root: project.root, apps: [['shop', 'src/shop']] }, { cacheDir })).find((m) => m.name === '0002_data')!;
          assert.ok(migration.olderChecksum && migration.olderChecksum !== migration.checksum);
          // What Sediment 0.1.0 recorded: the canonical content alone.
          await project.sql(`UPDATE sediment_migrations SET checksum = $1 WHERE app = 'shop' AND name = '0002_data'`, [migration.olderChecksum]);
          expectRun(await project.run('doctor'), { code: 0, stdout: ['No problems found'] });
          expectRun(await project.run('migrate'), { code: 0, stdout: ['No migrations to apply.'] });
          const [row] = await project.sql<{ checksum: string }>(`SELECT checksum FROM sediment_migrations WHERE app = 'shop' AND name = '0002_data'`);
          assert.equal(row.checksum, migration.checksum);
        } finally {
          rmSync(cacheDir, { recursive: true, force: true });
        }
        project.write(HELPERS, helpers.replace('helper-v1', 'helper-v2'));
        await expectReportedAsEdited(project, 'shop.0002_data');
      });
    });
  });
}
