import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { cliTargets, expectRun, runSediment, withProject, type CliProject, type CliResult } from '../support/cli.js';

/**
 * Two projects on one database, each with the default history table (issue 8, finding 5): services
 * of a monorepo, say. Project A configures `billing`, project B configures `shop`. Nothing A does may
 * delete B's history rows or tell the user to drop B's tables.
 */
const billingModels = `import { model, f } from 'sediment-migrations';

export const Invoice = model('Invoice', {
  number: f.char({ maxLength: 40 }),
});
`;

const shopModels = `import { model, f } from 'sediment-migrations';

export const Thing = model('Thing', {
  name: f.char({ maxLength: 100 }),
  tags: f.manyToMany('Tag'),
});

export const Tag = model('Tag', {
  label: f.char({ maxLength: 50 }),
});
`;

/**
 * Project B, run against project A's database: on PGlite its config names A's data folder; on the
 * server every run passes A's URL.
 */
async function withSharedProjects(
  target: 'pglite' | 'postgres',
  fn: (a: CliProject, runB: (...args: string[]) => Promise<CliResult>) => Promise<void>,
): Promise<void> {
  await withProject(target, { apps: { billing: billingModels } }, async (a) => {
    await withProject(target, { apps: { shop: shopModels } }, async (b) => {
      if (target === 'pglite') {
        b.write('sediment.config.ts', b.read('sediment.config.ts').replace("'pglite:./db'", JSON.stringify(`pglite:${a.path('db')}`)));
      }
      const runB = (...args: string[]) => runSediment(b.root, a.databaseUrl ? [...args, '--database', a.databaseUrl] : args);
      expectRun(await a.run('makemigrations'), { code: 0 });
      expectRun(await a.run('migrate'), { code: 0 });
      expectRun(await runB('makemigrations'), { code: 0 });
      expectRun(await runB('migrate'), { code: 0 });
      await fn(a, runB);
    });
  });
}

const bRows = ['shop.0001_initial'];

for (const target of cliTargets()) {
  describe(`two projects sharing one database on ${target}`, () => {
    test("doctor in one project reports the other project's history rows and tables as another project's, and --fix leaves them", async () => {
      await withSharedProjects(target, async (a, runB) => {
        const history = await a.history();
        assert.deepEqual(history, ['billing.0001_initial', ...bRows]);

        expectRun(await a.run('doctor'), {
          code: 0,
          stdout: ['1 history row belongs to an app this project does not configure (shop)', 'shop_tag', 'shop_thing', 'shop_thing_tags', 'Left alone', 'No problems found'],
          notStdout: ['drop it yourself', 'file is missing', 'extra'],
        });
        expectRun(await a.run('doctor', '--fix'), {
          code: 0,
          stdout: ["Nothing that 'doctor --fix' can fix safely", 'No problems left'],
          notStdout: ['Remove the history row', 'Removed'],
        });
        assert.deepEqual(await a.history(), history, "A's doctor --fix left B's rows");

        // B still works: its history says applied, so it has nothing to do and nothing fails.
        expectRun(await runB('migrate'), { code: 0, stdout: ['No migrations to apply'] });
        expectRun(await runB('doctor'), { code: 0, stdout: ['billing', 'No problems found'] });
      });
    });

    test("migrate --prune in one project prunes only its own rows, and says the other project's were left alone", async () => {
      await withSharedProjects(target, async (a, runB) => {
        // A ghost of A's own: a row of billing without a file.
        await a.sql("INSERT INTO sediment_migrations (app, name, checksum) VALUES ('billing', '0000_gone', NULL)");

        const plain = expectRun(await a.run('migrate'), { code: 0, stderr: ['billing.0000_gone'], notStderr: ['shop'] });
        assert.ok(!/shop/.test(plain.stdout), 'a plain migrate does not warn about the other project');

        expectRun(await a.run('migrate', '--prune'), {
          code: 0,
          stdout: ['1 history row belongs to an app this project does not configure (shop): left alone', 'Pruned billing.0000_gone'],
          notStdout: ['Pruned shop'],
        });
        assert.deepEqual(await a.history(), ['billing.0001_initial', ...bRows]);

        // With an app label, only that app's ghosts.
        await a.sql("INSERT INTO sediment_migrations (app, name, checksum) VALUES ('billing', '0000_gone_again', NULL)");
        expectRun(await a.run('migrate', 'billing', '--prune'), { code: 0, stdout: ['Pruned billing.0000_gone_again'], notStdout: ['Pruned shop'] });
        assert.deepEqual(await a.history(), ['billing.0001_initial', ...bRows]);

        expectRun(await runB('migrate'), { code: 0, stdout: ['No migrations to apply'] });
        expectRun(await runB('migrate', 'shop', 'zero'), { code: 0, stdout: ['Unapplying shop.0001_initial... OK'] });
        expectRun(await runB('migrate'), { code: 0, stdout: ['Applying shop.0001_initial... OK'] });
      });
    });
  });
}
