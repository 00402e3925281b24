// Builds dist/: the CLI and the public API as ESM bundles (fast startup: one file to read instead of
// hundreds of modules), a CommonJS build of the public API for `require('sediment-migrations')`, and
// type declarations for users' models, migration files and configs, for ESM and CommonJS consumers.
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

rmSync('dist', { recursive: true, force: true });

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  logLevel: 'warning',
  // Heavy or native packages stay outside the bundle and load only when used; kysely stays outside
  // because the public types name it (RunCodeContext), so it is a dependency either way and must not
  // ship twice. Everything else (commander, picocolors, pg) is bundled and is a devDependency.
  external: ['@electric-sql/pglite', 'esbuild', 'pg-native', '@clack/prompts', 'fast-check', 'kysely'],
};

await build({
  ...common,
  format: 'esm',
  entryPoints: { cli: 'src/cli/main.ts', index: 'src/index.ts' },
  outdir: 'dist',
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  // Bundled CommonJS dependencies (pg) call require() for Node built-ins.
  banner: { js: "import { createRequire as __sedimentRequire } from 'node:module'; const require = __sedimentRequire(import.meta.url);" },
});

// The CommonJS entry: the DSL, defineConfig and the errors, for projects without "type": "module".
// dist/cjs/package.json says "commonjs", so index.js and the .d.ts files beside it are CommonJS to
// Node and to TypeScript's node16 resolution alike.
await build({ ...common, format: 'cjs', entryPoints: { index: 'src/index.ts' }, outdir: 'dist/cjs' });
writeFileSync('dist/cjs/package.json', '{\n  "type": "commonjs"\n}\n');

const tsc = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json'], { stdio: 'inherit' });
if (tsc.status !== 0) process.exit(tsc.status ?? 1);

// Keep only the declarations the public entry reaches (the CLI's are of no use to a user), then copy
// them for the CommonJS entry.
const reachable = declarationsReachedFrom(resolve('dist/types/index.d.ts'));
for (const file of listFiles('dist/types')) if (!reachable.has(resolve(file))) rmSync(file);
for (const file of reachable) {
  const target = join('dist/cjs', relative(resolve('dist/types'), file));
  mkdirSync(dirname(target), { recursive: true });
  cpSync(file, target);
}

/** The .d.ts files reached from `entry` through relative imports and re-exports. */
function declarationsReachedFrom(entry) {
  const seen = new Set();
  const pending = [entry];
  while (pending.length > 0) {
    const file = pending.pop();
    if (seen.has(file)) continue;
    seen.add(file);
    const source = readFileSync(file, 'utf8');
    for (const match of source.matchAll(/(?:from\s+|import\()\s*['"](\.{1,2}\/[^'"]+)['"]/g)) {
      const target = resolve(dirname(file), match[1].replace(/\.js$/, '.d.ts'));
      if (existsSync(target)) pending.push(target);
    }
  }
  return seen;
}

function listFiles(dir) {
  return spawnSync('find', [dir, '-type', 'f'], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean);
}
