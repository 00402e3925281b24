import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { expectRun, withProject } from '../support/cli.js';

/** Every file under `root` (node_modules left out) with its content, to show that nothing changed. */
function snapshot(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (name === 'node_modules') continue;
      if (statSync(path).isDirectory()) walk(path);
      else out[relative(root, path)] = readFileSync(path, 'utf8');
    }
  };
  walk(root);
  return out;
}

test('init in an empty folder scaffolds a config and an app; run again it exits 1 and changes nothing', async () => {
  await withProject('pglite', { withoutConfig: true }, async (project) => {
    expectRun(await project.run('init', '--app', 'shop'), {
      code: 0,
      stdout: ['created sediment.config.ts', 'created src/shop/models.ts', 'makemigrations'],
    });
    const config = project.read('sediment.config.ts');
    assert.match(config, /import \{ defineConfig \} from 'sediment-migrations';/);
    assert.match(config, /apps: \{ shop: 'src\/shop' \}/);
    assert.match(config, /pglite:/);
    assert.match(project.read('src/shop/models.ts'), /from 'sediment-migrations'/);
    assert.ok(statSync(project.path('src/shop/migrations')).isDirectory());
    assert.match(project.read('.gitignore'), /^\.sediment\/$/m);

    const before = snapshot(project.root);
    expectRun(await project.run('init', '--app', 'shop'), { code: 1, stderr: ['sediment.config.ts already exists', 'changes nothing'] });
    assert.deepEqual(snapshot(project.root), before);

    // The scaffold is a working project: makemigrations reads it and explains that no model is declared yet.
    expectRun(await project.run('makemigrations'), {
      code: 0,
      stdout: ['No changes detected', 'shop (0 models in src/shop/models.ts)', 'declares no models'],
    });
    assert.deepEqual(readdirSync(project.path('src/shop/migrations')), ['.gitkeep']);
  });
});
