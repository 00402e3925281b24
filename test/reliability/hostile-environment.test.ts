import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
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

describe('odd inputs get one clear error, never a stack trace (the others are in hostile-input-crashes.test.ts)', () => {
  test('a 340-character model name gets an auto_<timestamp> migration name instead of a file name too long to write', async () => {
    await inShop(async (project) => {
      expectRun(await project.run('makemigrations'), { code: 0 });
      const name = `M${'x'.repeat(339)}`;
      project.writeModels('shop', `${shopModels}\nexport const Long = model('${name}', { title: f.text() });\n`);
      const result = expectRun(await project.run('makemigrations'), { code: 0 });
      assert.ok(project.migrationFiles('shop').some((file) => /^0002_auto_\d{8}_\d{4}\.ts$/.test(file)), transcript(result));
    });
  });

  test('a pglite: path that names a file', async () => {
    await inShop(async (project) => {
      assertClearError(await project.runWith({ noDatabaseFlag: true }, 'migrate', '--database', 'pglite:./sediment.config.ts'), 1, 'sediment.config.ts');
    });
  });
});
