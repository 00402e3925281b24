import type { MigrationGraph } from '../graph/graph.js';
import type { Migration, NodeKey } from '../graph/migration.js';
import { nodeKey } from '../graph/migration.js';
import type { AppliedMigration } from '../recorder/recorder.js';

/**
 * The recorded history against the migration files: rows without a file, applied migrations whose
 * content changed, migrations not applied. Pure: reads the graph and the rows, never a database.
 */

/**
 * History rows of this project's apps whose migration file is gone (rows of other apps are
 * foreignRows). A row of a migration that a loaded squash lists in
 * `replaces` is not one: the squash stands for it, and its files are meant to be deleted once every
 * database has applied them (Django's rule for squashed migrations).
 */
export function ghostRows(graph: MigrationGraph, applied: ReadonlyMap<NodeKey, AppliedMigration>): AppliedMigration[] {
  const replaced = new Set<NodeKey>();
  for (const migration of graph.allMigrations()) {
    for (const [app, name] of migration.replaces) replaced.add(nodeKey(app, name));
  }
  const ours = new Set(graph.apps);
  return [...applied.values()].filter((row) => {
    const key = nodeKey(row.app, row.name);
    return ours.has(row.app) && !graph.findLoaded(key) && !replaced.has(key);
  });
}

/** History rows of apps this project does not configure, grouped by app (sorted). */
export interface ForeignHistory {
  /** The apps, sorted. */
  readonly apps: readonly string[];
  /** How many rows they have in all. */
  readonly rows: number;
}

/**
 * History rows of apps this project does not configure (and has no migration files of): another
 * project sharing the database and its default history table wrote them, or an app was removed from
 * the config. They are never this project's to prune — Django's `migrate --prune` likewise touches
 * only the app it is given — so they are reported as foreign and left alone.
 */
export function foreignRows(graph: MigrationGraph, applied: ReadonlyMap<NodeKey, AppliedMigration>): ForeignHistory {
  const ours = new Set(graph.apps);
  const rows = [...applied.values()].filter((row) => !ours.has(row.app));
  return { apps: [...new Set(rows.map((row) => row.app))].sort(compare), rows: rows.length };
}

/** "3 history rows belong to apps this project does not configure (shop)", or undefined when none do. */
export function foreignSummary(foreign: ForeignHistory): string | undefined {
  if (foreign.rows === 0) return undefined;
  const rows = `${foreign.rows} history row${foreign.rows === 1 ? '' : 's'}`;
  return `${rows} belong${foreign.rows === 1 ? 's' : ''} to ${foreign.apps.length === 1 ? 'an app' : 'apps'} this project does not configure (${foreign.apps.join(', ')})`;
}

/** An applied migration whose canonical content changed since it ran. */
export interface EditedMigration {
  readonly migration: Migration;
  /** The checksum recorded when it was applied. */
  readonly recorded: string;
}

/**
 * Applied migrations whose file's checksum differs from the recorded one. The checksum covers the
 * canonical content (operations, dependencies, options) and the file's module-level code and local
 * imports (see loader/checksum.ts), so reformatting or
 * comments never count: a difference means the migration now does something else than what ran.
 * Rows without a checksum (replaced migrations recorded by a squash) are never reported.
 */
export function editedMigrations(graph: MigrationGraph, applied: ReadonlyMap<NodeKey, AppliedMigration>): EditedMigration[] {
  const edited: EditedMigration[] = [];
  for (const row of applied.values()) {
    const migration = graph.findLoaded(nodeKey(row.app, row.name));
    if (migration && row.checksum && row.checksum !== migration.checksum && row.checksum !== migration.olderChecksum) {
      edited.push({ migration, recorded: row.checksum });
    }
  }
  return edited.sort((a, b) => compare(key(a.migration), key(b.migration)));
}

/**
 * Applied migrations whose row holds the checksum an older Sediment computed for the file as it is
 * now (Migration.olderChecksum: before local imports and module-level code were covered). Not edits;
 * migrate re-records them with the current checksum, so that later edits of their helpers count.
 */
export function olderChecksumRows(graph: MigrationGraph, applied: ReadonlyMap<NodeKey, AppliedMigration>): Migration[] {
  const older: Migration[] = [];
  for (const row of applied.values()) {
    const migration = graph.findLoaded(nodeKey(row.app, row.name));
    if (migration?.olderChecksum && row.checksum === migration.olderChecksum) older.push(migration);
  }
  return older;
}

/** Nodes of the graph that are not applied, in plan order. */
export function unappliedNodes(graph: MigrationGraph): NodeKey[] {
  return graph.order().filter((key) => !graph.isApplied(key));
}

/** One line naming what changed in an edited migration, for messages. */
export function editedSummary(edited: EditedMigration): string {
  return (
    `${key(edited.migration)} (${edited.migration.file}) was edited after it was applied: what it does now differs from what ran ` +
    '(its operations, dependencies or options, or the code they use from the file or the helper files it imports; reformatting and comments never count)'
  );
}

const key = (migration: Migration): NodeKey => nodeKey(migration.app, migration.name);
const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
