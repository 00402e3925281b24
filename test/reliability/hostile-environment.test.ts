import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { assertRun, expectRun, transcript, withProject, type CliProject, type CliResult } from '../support/cli.js';

/**
 * The twelve inputs that gave a stack trace (issue 8, item 13; trust findings, finding 13): odd file
 * system layouts, over-long names, reserved app labels and malformed server URLs. Each is one clear
 * error — `error[Code]:` once, a hint, exit 1 (2 for bad usage) — never "internal error".
 */

const shopModels = `import { model, f } from 'sediment-migrations';

export const Client = model('Client', {
  name: f.char({ maxLength: 255 }),
});
`;

function assertClearError(result: CliResult, code: 1 | 2, ...words: string[]): void {
  expectRun(result, { code, stderr: words });
  const errors = result.stderr.split('\n').filter((line) => /^error\[\w+\]:/.test(line));
  assertRun(result, errors.length === 1, `one error[Code] line (found ${errors.length})`);
  assertRun(result, !/internal error|    at /.test(result.stderr), 'no stack trace');
  assertRun(result, result.stderr.includes('hint:'), 'a hint');
}

async function inShop(fn: (project: CliProject) => Promise<void>): Promise<void> {
  await withProject('pglite', { apps: { shop: shopModels } }, fn);
}

describe('odd inputs get one clear error, never a stack trace', () => {
  test('makemigrations --name of 300 characters is bad usage, with --empty too', async () => {
    await inShop(async (project) => {
      const long = 'x'.repeat(300);
      assertClearError(await project.run('makemigrations', '--name', long), 2, 'at most 100');
      assertClearError(await project.run('makemigrations', '--empty', 'shop', '--name', long), 2, 'at most 100');
      assert.deepEqual(project.migrationFiles('shop'), [], 'nothing written');
    });
  });

  test('a 340-character model name gets an auto_<timestamp> migration name instead of a file name too long to write', async () => {
    await inShop(async (project) => {
      expectRun(await project.run('makemigrations'), { code: 0 });
      const name = `M${'x'.repeat(339)}`;
      project.writeModels('shop', `${shopModels}\nexport const Long = model('${name}', { title: f.text() });\n`);
      const result = expectRun(await project.run('makemigrations'), { code: 0 });
      assert.ok(project.migrationFiles('shop').some((file) => /^0002_auto_\d{8}_\d{4}\.ts$/.test(file)), transcript(result));
    });
  });

  test("an app's migrations/ that is a file", async () => {
    await inShop(async (project) => {
      rmSync(project.path('src/shop/migrations'), { recursive: true, force: true });
      writeFileSync(project.path('src/shop/migrations'), 'not a folder');
      assertClearError(await project.run('makemigrations'), 1, 'migrations', 'is a file');
      assertClearError(await project.run('migrate'), 1, 'is a file');
    });
  });

  test('a dangling symbolic link in migrations/', async () => {
    await inShop(async (project) => {
      mkdirSync(project.path('src/shop/migrations'), { recursive: true });
      symlinkSync(project.path('nowhere.ts'), project.path('src/shop/migrations/0001_initial.ts'));
      assertClearError(await project.run('showmigrations'), 1, '0001_initial.ts', 'symbolic link');
    });
  });

  test("an app mapped to its models file instead of its folder", async () => {
    await inShop(async (project) => {
      project.write('sediment.config.ts', project.read('sediment.config.ts').replace(/shop: '[^']*'/, "shop: 'src/shop/models.ts'"));
      assertClearError(await project.run('makemigrations'), 1, 'is a file, not a folder');
    });
  });

  test('a pglite: path that names a file', async () => {
    await inShop(async (project) => {
      assertClearError(await project.runWith({ noDatabaseFlag: true }, 'migrate', '--database', 'pglite:./sediment.config.ts'), 1, 'sediment.config.ts');
    });
  });

  test("an app labelled '__proto__' is refused by the config check", async () => {
    await inShop(async (project) => {
      project.write('sediment.config.ts', project.read('sediment.config.ts').replace(/shop: '([^']*)'/, "['__proto__']: '$1'"));
      assertClearError(await project.run('makemigrations'), 1, '__proto__', 'reserved');
    });
  });

  for (const [url, words] of [
    ['postgres://postgres@127.0.0.1:99999/x', ['port 99999', '1–65535']],
    ['postgres://postgres@127.0.0.1:abc/x', ["port 'abc'"]],
    ['postgres://postgres@[::1/x', ['IPv6', ']']],
    ['postgres://postgres@127.0.0.1:5432/x?sslmode=verify-full&sslrootcert=/nonexistent/root.crt', ['sslrootcert', '/nonexistent/root.crt']],
  ] as const) {
    test(`the server URL ${url}`, async () => {
      await inShop(async (project) => {
        for (const command of [['migrate'], ['showmigrations'], ['doctor']]) {
          assertClearError(await project.runWith({ noDatabaseFlag: true }, ...command, '--database', url), 1, ...words);
        }
      });
    });
  }
});
