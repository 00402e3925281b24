import { existsSync, readdirSync, readlinkSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ConfigError, InvalidDefinitionError } from '../errors/index.js';
import { appDir, displayPath, type LoaderProject } from './project.js';

/** A migration file on disk. */
export interface MigrationFile {
  readonly app: string;
  /** The file name without extension: `0002_client_bought`. */
  readonly name: string;
  /** Absolute path. */
  readonly file: string;
  /** Root-relative path with forward slashes, for messages and cache keys. */
  readonly relativePath: string;
  /** The leading number: 2 for `0002_client_bought`. */
  readonly number: number;
}

/**
 * `NNNN_words.ts|.mts|.js|.mjs`. More than four digits are accepted so that numbering does not stop
 * at 9999.
 */
export const migrationFileName = /^(\d{4,})_(\w+)\.(ts|mts|js|mjs)$/;
const codeFile = /\.(ts|mts|js|mjs)$/;
const declarationFile = /\.d\.m?ts$/;
/** Tests kept next to the migrations (`0002_fill.test.ts`) are not migrations: ignored, not refused. */
const testFile = /\.(test|spec)\.m?[jt]s$/;
export const modelsFileNames = ['models.ts', 'models.mts', 'models.js', 'models.mjs'];

/** The folder of an app, checked to exist: a missing folder is a configuration mistake. */
export function appFolder(project: LoaderProject, app: string, dir: string): string {
  const folder = appDir(project, dir);
  const hint = 'Check `apps` in sediment.config.ts: each app maps its label to a folder holding models.ts and migrations/.';
  if (!existsSync(folder)) {
    throw new ConfigError(`The folder of app '${app}' does not exist: ${displayPath(project.root, folder)}.`, { hint });
  }
  // A file here (`apps: { shop: 'src/shop/models.ts' }`) crashed every command with ENOTDIR (issue 8, item 13).
  if (!statSync(folder).isDirectory()) {
    throw new ConfigError(`The folder of app '${app}' is a file, not a folder: ${displayPath(project.root, folder)}.`, {
      hint: `${hint} Name the folder (e.g. 'src/${app}'), not the models file in it.`,
    });
  }
  return folder;
}

/**
 * The migration files of the project's apps (all, or those named), in configuration order, then by
 * name. Files whose extension is not ts/mts/js/mjs are ignored, and so are code files whose name starts
 * with `_` or `.` (helpers shared between migrations); any other code file must be named `NNNN_words`.
 */
export function migrationFiles(project: LoaderProject, apps?: readonly string[]): MigrationFile[] {
  const out: MigrationFile[] = [];
  for (const [app, dir] of project.apps) {
    if (apps && !apps.includes(app)) continue;
    out.push(...appMigrationFiles(project, app, dir));
  }
  return out;
}

function appMigrationFiles(project: LoaderProject, app: string, dir: string): MigrationFile[] {
  const folder = join(appFolder(project, app, dir), 'migrations');
  let entries;
  try {
    entries = readdirSync(folder, { withFileTypes: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return [];
    if (code === 'ENOTDIR') {
      throw new ConfigError(`${displayPath(project.root, folder)} is a file, not a folder: app '${app}' keeps its migration files in that folder.`, {
        hint: `Move or rename the file, then run the command again ('sediment makemigrations ${app}' creates the folder).`,
      });
    }
    throw error;
  }
  const files: MigrationFile[] = [];
  const relativeFolder = displayPath(project.root, folder);
  const byName = new Map<string, string>();
  for (const entry of entries) {
    const base = entry.name;
    if (!entry.isFile() && !entry.isSymbolicLink()) continue;
    if (!codeFile.test(base) || declarationFile.test(base) || testFile.test(base) || base.startsWith('_') || base.startsWith('.')) continue;
    const file = join(folder, base);
    const relativePath = `${relativeFolder}/${base}`;
    if (entry.isSymbolicLink() && !existsSync(file)) {
      // A dangling link crashed the loader with ENOENT from stat (issue 8, item 13).
      throw new InvalidDefinitionError(`${relativePath} is a symbolic link to ${readlinkSync(file)}, which does not exist.`, {
        file,
        hint: 'Point the link at the migration file, or delete it.',
      });
    }
    if (entry.isSymbolicLink() && !statSync(file).isFile()) continue;
    const match = migrationFileName.exec(base);
    if (!match) {
      throw new InvalidDefinitionError(
        `${relativePath}: '${base}' is not a migration file name; migration files are named NNNN_words.ts (e.g. 0002_client_bought.ts).`,
        { file, hint: `Rename it, or start its name with '_' if it is a helper that migrations import.` },
      );
    }
    const name = base.slice(0, base.lastIndexOf('.'));
    const other = byName.get(name);
    if (other !== undefined) {
      throw new InvalidDefinitionError(
        `Two files define migration ${app}.${name}: ${displayPath(project.root, other)} and ${displayPath(project.root, file)}.`,
        { file, hint: 'Keep one of them: the migration name is the file name without extension.' },
      );
    }
    byName.set(name, file);
    files.push({ app, name, file, relativePath, number: Number(match[1]) });
  }
  return files.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** The app's models file (`models.ts`, `.mts`, `.js` or `.mjs`), or undefined when it has none. */
export function modelsFile(project: LoaderProject, app: string, dir: string): string | undefined {
  const folder = appFolder(project, app, dir);
  const found = modelsFileNames.map((name) => join(folder, name)).filter((file) => existsSync(file));
  if (found.length > 1) {
    throw new InvalidDefinitionError(
      `App '${app}' has more than one models file: ${found.map((file) => displayPath(project.root, file)).join(', ')}.`,
      { file: found[1], hint: 'Keep one models file per app.' },
    );
  }
  return found[0];
}

/** The number for the next migration of an app: one more than the highest, 1 for the first. */
export function nextMigrationNumber(names: Iterable<string>): number {
  let highest = 0;
  for (const name of names) {
    const match = /^(\d+)_/.exec(name);
    if (match) highest = Math.max(highest, Number(match[1]));
  }
  return highest + 1;
}

/** `4` -> `'0004'`. */
export function formatMigrationNumber(n: number): string {
  return String(n).padStart(4, '0');
}

/** What identifies a version of a file for the cache: path, modification time and size. */
export type Stamp = readonly [path: string, mtimeMs: number, size: number];

export function stamp(root: string, file: string, relativePath = displayPath(root, file)): Stamp {
  const stats = statSync(file);
  return [relativePath, stats.mtimeMs, stats.size];
}

/** True when every stamped file still has the same modification time and size. */
export function stampsHold(root: string, stamps: readonly Stamp[]): boolean {
  for (const [path, mtimeMs, size] of stamps) {
    let stats;
    try {
      stats = statSync(resolve(root, path));
    } catch {
      return false;
    }
    if (stats.mtimeMs !== mtimeMs || stats.size !== size) return false;
  }
  return true;
}
