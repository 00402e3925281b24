/**
 * The loader: the one place that reads migration files and models files from disk. Both are compiled
 * with esbuild into cached bundles under `<root>/.sediment/cache`, so that a project with thousands
 * of migrations loads in a fraction of a second once the cache is warm.
 *
 * @example
 * import { loadMigrations, loadModels } from './loader/index.js';
 * const project = { root: process.cwd(), apps: [['shop', 'src/shop']] } as const;
 * const migrations = await loadMigrations(project);
 * const models = await loadModels(project);
 */
export { loadMigrations } from './load-migrations.js';
export { loadModels, isModelDefinition } from './load-models.js';
export {
  migrationFiles, modelsFile, nextMigrationNumber, formatMigrationNumber, migrationFileName,
} from './files.js';
export type { MigrationFile, Stamp } from './files.js';
export { migrationChecksum, canonicalJson } from './checksum.js';
export type { LoaderProject, LoadOptions, LoadEvent, BundleTarget } from './project.js';
