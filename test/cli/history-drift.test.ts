import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cliTargets, expectRun, withProject, type CliProject } from '../support/cli.js';

const shopModels = (fields: string) => `import { model, f } from 'sediment-migrations';

export const Client = model('Client', {
${fields}
});
`;

const withName = shopModels('  name: f.char({ maxLength: 255 }),');
const withNameAndEmail = shopModels('  name: f.char({ maxLength: 255 }),\n  email: f.email({ null: true }),');

/** Makes and applies 0001_initial. */
async function applyInitial(project: CliProject): Promise<void> {
  expectRun(await project.run('makemigrations'), { code: 0 });
  expectRun(await project.run('migrate'), { code: 0 });
}

/** Rewrites a migration file in place. */
function editMigration(project: CliProject, app: string, prefix: string, edit: (source: string) => string): void {
  const file = project.migrationPath(app, prefix);
  const before = project.read(file);
  const after = edit(before);
  assert.notEqual(after, before, 'the edit changes the file');
  project.write(file, after);
}

for (const target of cliTargets()) {
  describe(`applied migrations whose files changed on ${target}`, () => {
    test('migrate refuses to run past an applied migration whose operations were edited, naming the file and --allow-edited', async () => {
      await withProject(target, { apps: { shop: withName } }, async (project) => {
        await applyInitial(project);
        // A pending migration, to show that the refusal runs nothing at all.
        project.writeModels('shop', withNameAndEmail);
        expectRun(await project.run('makemigrations'), { code: 0 });
        editMigration(project, 'shop', '0001', (source) => source.replace('maxLength: 255', 'maxLength: 100'));

        expectRun(await project.run('migrate'), {
          code: 1,
          notStdout: ['Applying'],
          stderr: ['shop.0001_initial', 'src/shop/migrations/0001_initial.ts', '--allow-edited', 'nothing was run'],
        });
        assert.deepEqual(await project.history(), ['shop.0001_initial']);
        assert.ok(!(await project.columns('shop_client')).includes('email'));

        expectRun(await project.run('migrate', '--allow-edited'), { code: 0, stdout: ['Applying shop.0002_client_email... OK'] });
        // The new checksum was recorded: the edit is no longer reported.
        expectRun(await project.run('migrate'), { code: 0, stdout: ['No migrations to apply'], notStderr: ['changed since'] });
      });
    });

    test('a formatting-only edit of an applied migration (indentation, a comment) is not reported', async () => {
      await withProject(target, { apps: { shop: withName } }, async (project) => {
        await applyInitial(project);
        editMigration(project, 'shop', '0001', (source) =>
          source
            .split('\n')
            .map((line) => (line.startsWith('  ') ? `    ${line}` : line))
            .join('\n')
            .replace('export default', '// Reviewed: the initial schema.\nexport default'),
        );
        expectRun(await project.run('migrate'), { code: 0, stdout: ['No migrations to apply'], notStderr: ['changed since', 'warning'] });
      });
    });

    test('an applied migration whose file was deleted is shown as such, and migrate --prune removes its history row', async () => {
      await withProject(target, { apps: { shop: withName } }, async (project) => {
        await applyInitial(project);
        project.writeModels('shop', withNameAndEmail);
        expectRun(await project.run('makemigrations'), { code: 0 });
        expectRun(await project.run('migrate'), { code: 0 });
        project.remove(project.migrationPath('shop', '0002'));

        expectRun(await project.run('showmigrations'), {
          code: 0,
          stdout: [' [X] 0001_initial', /\[X\] 0002_client_email \(applied, but its file is missing\)/],
          stderr: ['--prune'],
        });
        expectRun(await project.run('migrate', '--prune'), { code: 0, stdout: ['Pruned shop.0002_client_email from the history'] });
        assert.deepEqual(await project.history(), ['shop.0001_initial']);
        expectRun(await project.run('showmigrations'), { code: 0, notStdout: ['0002_client_email'], notStderr: ['missing'] });
      });
    });
  });
}
