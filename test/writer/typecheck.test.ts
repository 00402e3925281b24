import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ops } from '../../src/operations/ops.js';
import { renderEmptyMigration, renderMigration } from '../../src/writer/index.js';
import { everyFieldKind, everyOperation, everyOption } from './samples.js';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const date = new Date('2024-05-01T12:00:00Z');

test('generated migration files type-check against the public API', { timeout: 120_000 }, (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'sediment-typecheck-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'migrations'));
  const files: Record<string, string> = {
    '0001_every_operation.ts': renderMigration({ initial: true, dependencies: [], operations: Object.values(everyOperation) }, { date }),
    '0002_every_field.ts': renderMigration(
      {
        dependencies: [['shop', '0001_every_operation']],
        atomic: false,
        runBefore: [['billing', '0001_initial']],
        replaces: [['shop', '0001_a']],
        operations: [...Object.entries(everyFieldKind), ['everyOption', everyOption] as const].map(([name, field]) =>
          ops.addField({ model: 'Everything', name, field }),
        ),
      },
      { date },
    ),
    '0003_empty.ts': renderEmptyMigration([['shop', '0002_every_field']], { date }),
  };
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, 'migrations', name), text);
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: 'module' }));
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        target: 'ES2022',
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        strict: true,
        noEmit: true,
        skipLibCheck: true,
        types: ['node'],
        typeRoots: [join(repo, 'node_modules', '@types')],
        paths: { 'sediment-migrations': [join(repo, 'src', 'index.ts')] },
      },
      include: ['migrations/*.ts'],
    }),
  );
  const result = spawnSync(process.execPath, [join(repo, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', dir], { encoding: 'utf8' });
  const output = `${result.stdout}${result.stderr}`;
  // Only the generated files are judged here; the library's own sources are checked by `npm run typecheck`.
  const ours = output.split('\n').filter((line) => line.includes('migrations/0'));
  assert.deepEqual(ours, [], output);
  assert.ok(result.status === 0 || !output.includes('migrations/0'), output);
});
