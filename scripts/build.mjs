// Builds dist/: the CLI and the public API as ESM bundles (fast startup: one file to read instead of
// hundreds of modules), plus type declarations for users' models and migration files.
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';

rmSync('dist', { recursive: true, force: true });

const common = {
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: 'linked',
  logLevel: 'warning',
  // Heavy or native packages stay outside the bundle and load only when used.
  external: ['@electric-sql/pglite', 'esbuild', 'pg-native', '@clack/prompts', 'fast-check'],
  // Bundled CommonJS dependencies (pg) call require() for Node built-ins.
  banner: { js: "import { createRequire as __sedimentRequire } from 'node:module'; const require = __sedimentRequire(import.meta.url);" },
};

await build({
  ...common,
  entryPoints: { cli: 'src/cli/main.ts', index: 'src/index.ts' },
  outdir: 'dist',
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
});

const tsc = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json'], { stdio: 'inherit' });
if (tsc.status !== 0) process.exit(tsc.status ?? 1);
