import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { expectRun, withProject } from '../support/cli.js';

/**
 * Issue 8, item 13: inputs that ended in "internal error … this is a bug in Sediment" with a stack
 * trace. Each is now one clear error (expectRun fails on a stack trace or an internal error).
 */
const models = `import { model, f } from 'sediment-migrations';\nexport const Client = model('Client', { name: f.char({ maxLength: 20 }) });\n`;
const long = 'x'.repeat(300);

describe('inputs that crashed: one clear error each', () => {
  test('makemigrations --name with 300 characters', () =>
    withProject('pglite', { apps: { shop: models } }, async (p) => {
      expectRun(await p.run('makemigrations', '--name', long), { code: 2, stderr: ['--name is 300 characters long'] });
    }));
  test('makemigrations --empty shop --name with 300 characters', () =>
    withProject('pglite', { apps: { shop: models } }, async (p) => {
      expectRun(await p.run('makemigrations', '--empty', 'shop', '--name', long), { code: 2, stderr: ['--name is 300 characters long'] });
    }));
  test('src/shop/migrations is a file', () =>
    withProject('pglite', { apps: { shop: models } }, async (p) => {
      rmSync(p.path('src/shop/migrations'), { recursive: true });
      writeFileSync(p.path('src/shop/migrations'), '');
      expectRun(await p.run('migrate'), { code: 1, stderr: ['is a file, not a folder'] });
    }));
  test('a dangling symlink 0001_initial.ts in migrations/', () =>
    withProject('pglite', { apps: { shop: models } }, async (p) => {
      symlinkSync(p.path('nowhere.ts'), p.path('src/shop/migrations/0001_initial.ts'));
      expectRun(await p.run('showmigrations'), { code: 1, stderr: ['which does not exist'] });
    }));
  for (const [name, url, expected] of [
    ['port 99999', 'postgres://u:s3cret@127.0.0.1:99999/x', 'outside 1–65535'],
    ['port abc', 'postgres://u:s3cret@127.0.0.1:abc/x', 'port is not a number'],
    ['an unclosed IPv6 bracket', 'postgres://u:s3cret@[::1/x', "unclosed '['"],
    ['a missing sslrootcert file', 'postgres://u:s3cret@127.0.0.1/x?sslmode=verify-full&sslrootcert=/nonexist', 'sslrootcert names /nonexist'],
  ] as const) {
    test(`a database URL with ${name}`, () =>
      withProject('pglite', { apps: { shop: models } }, async (p) => {
        expectRun(await p.run('showmigrations', '--database', url), { code: 1, stderr: [expected], notStderr: ['s3cret'] });
      }));
  }
  test('app label __proto__', () =>
    withProject('pglite', { apps: { shop: models } }, async (p) => {
      writeFileSync(p.path('sediment.config.ts'), `import { defineConfig } from 'sediment-migrations';\nexport default defineConfig({ database: 'pglite:./db', apps: { ['__proto__']: 'src/shop' } });\n`);
      expectRun(await p.run('makemigrations'), { code: 1, stderr: ['is reserved'] });
    }));
  test('apps naming a file instead of a folder', () =>
    withProject('pglite', { apps: { shop: models } }, async (p) => {
      mkdirSync(p.path('src/shop'), { recursive: true });
      writeFileSync(p.path('sediment.config.ts'), `import { defineConfig } from 'sediment-migrations';\nexport default defineConfig({ database: 'pglite:./db', apps: { shop: 'src/shop/models.ts' } });\n`);
      expectRun(await p.run('makemigrations'), { code: 1, stderr: ['is a file, not a folder'] });
    }));
});
