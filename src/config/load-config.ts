import { existsSync, readFileSync } from 'node:fs';
import { writeAtomic } from '../loader/cache.js';
import { defaultCacheDirectory, linkPackages } from '../loader/cache-location.js';
import { createHash } from 'node:crypto';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigError, SedimentError } from '../errors/index.js';
import { checkConfig } from './check-config.js';
import type { SedimentConfig } from './define-config.js';
import { installSedimentApi } from '../loader/sediment-api.js';
import { SEDIMENT_VERSION } from '../writer/version.js';

/** Searched in this order in each folder (SPEC §1): TypeScript first, then JavaScript; ESM and CommonJS. */
export const CONFIG_FILES = [
  'sediment.config.ts', 'sediment.config.mts', 'sediment.config.cts',
  'sediment.config.js', 'sediment.config.mjs', 'sediment.config.cjs',
];

/** The nearest directory at or above `from` holding a sediment.config.* file, and that file. */
export function findConfigFile(from: string): string | undefined {
  let dir = resolve(from);
  for (;;) {
    for (const name of CONFIG_FILES) {
      const file = join(dir, name);
      if (existsSync(file)) return file;
    }
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/**
 * Loads sediment.config.*. TypeScript configs are compiled once with esbuild and cached under
 * .sediment/cache (or its fallback when the project is read-only, loader/cache-location.ts) by
 * content hash, so a warm start does not load esbuild at all.
 */
export async function loadConfig(file: string): Promise<SedimentConfig> {
  let module: { default?: unknown };
  try {
    module = (await import(pathToFileURL(await compiledConfig(file)).href)) as { default?: unknown };
  } catch (error) {
    if (error instanceof SedimentError) throw error;
    throw new ConfigError(`Could not load ${file}: ${error instanceof Error ? error.message : String(error)}`, {
      hint: "Fix the error in the config file; it must `export default defineConfig({ apps: { … } })`.",
      cause: error,
    });
  }
  return validateConfig(checkConfig(module.default, file), file);
}

async function compiledConfig(file: string): Promise<string> {
  const apiNames = installSedimentApi();
  // .js and .mjs load as they are; .cjs is compiled like TypeScript so that its
  // `require('sediment-migrations')` is bound to this running instance.
  if (file.endsWith('.js') || file.endsWith('.mjs')) return file;
  const source = readFileSync(file);
  const key = createHash('sha256').update(source).update(SEDIMENT_VERSION).digest('hex').slice(0, 16);
  const root = dirname(file);
  const cacheDir = defaultCacheDirectory(root);
  const out = join(cacheDir, `config-${key}.mjs`);
  if (existsSync(out)) return out;
  const { compileConfigFile } = await import('../loader/compile.js');
  const { code, packages } = await compileConfigFile(root, file, apiNames);
  // Through a temporary file and a rename: processes starting at once never read a half-written file.
  writeAtomic(out, code);
  linkPackages(cacheDir, root, packages);
  return out;
}

function validateConfig(value: unknown, file: string): SedimentConfig {
  const fail = (what: string) =>
    new ConfigError(`${file}: ${what}`, {
      hint: "The config must `export default defineConfig({ database: 'pglite:./.sediment/dev', apps: { shop: 'src/shop' } })`.",
    });
  if (typeof value !== 'object' || value === null) throw fail('it has no default export object.');
  const config = value as Record<string, unknown>;
  if (typeof config.apps !== 'object' || config.apps === null || Array.isArray(config.apps)) {
    throw fail('`apps` must be an object mapping app labels to folders.');
  }
  for (const [label, dir] of Object.entries(config.apps as Record<string, unknown>)) {
    if (!/^[a-z_][a-z0-9_]*$/.test(label)) throw fail(`app label ${JSON.stringify(label)} must be lower_snake_case (letters, digits, _).`);
    if (typeof dir !== 'string') throw fail(`the folder of app ${label} must be a string.`);
  }
  if (config.database !== undefined && typeof config.database !== 'string') throw fail('`database` must be a URL string.');
  if (config.historyTable !== undefined && (typeof config.historyTable !== 'string' || !config.historyTable)) {
    throw fail('`historyTable` must be a non-empty string.');
  }
  if (config.columnNaming !== undefined && config.columnNaming !== 'snake_case' && config.columnNaming !== 'preserve') {
    throw fail("`columnNaming` must be 'snake_case' or 'preserve'.");
  }
  return config as unknown as SedimentConfig;
}
