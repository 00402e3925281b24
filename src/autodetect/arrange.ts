import { InvalidDefinitionError, UsageError } from '../errors/index.js';
import { nameFragment } from '../operations/registry.js';
import type { Operation } from '../operations/types.js';
import { checkGivenMigrationName, MAX_SUGGESTED_WORDS } from './migration-name.js';
import type { ArrangedMigration, Changes, PlannedDependency, PlannedMigration } from './types.js';

/**
 * Names the planned migrations and resolves their dependencies to `[app, name]` pairs. Returns them
 * in the order of `changes` (apps alphabetical, each app's migrations in order). Numbers
 * continue from each app's leaf (`0001` when it has none); the first migration of an app without
 * migrations is `0001_initial`; others are named after their operations (Django 4's rule: fragments
 * joined by `_` while the name stays within 52 characters, then `_and_more`). `name` (`--name`)
 * replaces the words for every migration written.
 *
 * @example
 * arrangeChanges(changes, { shop: '0001_initial' }); // [{ app: 'shop', name: '0002_client_bought', ... }]
 */
export function arrangeChanges(
  changes: Changes,
  leaves: Readonly<Record<string, string | undefined>>,
  options: { readonly name?: string; readonly now?: () => Date } = {},
): ArrangedMigration[] {
  if (options.name !== undefined && !/^[A-Za-z0-9_]+$/.test(options.name)) {
    throw new UsageError(`--name ${JSON.stringify(options.name)}: a migration name may only hold letters, digits and underscores.`);
  }
  const names = new Map<string, string[]>();
  for (const [app, migrations] of Object.entries(changes)) {
    const leaf = leaves[app];
    let number = leaf === undefined ? 1 : parseNumber(leaf) + 1;
    names.set(
      app,
      migrations.map((migration, i) => {
        const words = options.name ?? (i === 0 && leaf === undefined ? 'initial' : suggestName(migration, options.now ?? (() => new Date())));
        const prefix = String(number++).padStart(4, '0');
        if (options.name !== undefined) checkGivenMigrationName(options.name, prefix);
        return `${prefix}_${words}`;
      }),
    );
  }
  const resolve = (dependency: PlannedDependency): readonly [string, string] => {
    if (dependency.kind === 'existing') return [dependency.app, dependency.name];
    const name = names.get(dependency.app)?.[dependency.index];
    if (name === undefined) {
      throw new InvalidDefinitionError(`A planned migration depends on migration #${dependency.index + 1} of ${dependency.app}, which is not in the changes.`);
    }
    return [dependency.app, name];
  };
  return Object.entries(changes).flatMap(([app, migrations]) =>
    migrations.map((migration, i) => ({
      app,
      name: names.get(app)![i],
      dependencies: migration.dependencies.map(resolve),
      operations: migration.operations,
      initial: migration.initial,
    })),
  );
}

const MAX_NAME_WORDS = 52;

/** The words after the number: `initial`, the operations' fragments, or `auto_<timestamp>` for none. */
export function suggestName(migration: Pick<PlannedMigration, 'operations' | 'initial'>, now: () => Date = () => new Date()): string {
  if (migration.initial) return 'initial';
  const fragments = migration.operations.map((op: Operation) => nameFragment(op).replace(/\W+/g, '_')).filter((f) => f.length > 0);
  if (fragments.length === 0 || fragments.length !== migration.operations.length) return `auto_${timestamp(now())}`;
  let name = fragments[0];
  for (const fragment of fragments.slice(1)) {
    const longer = `${name}_${fragment}`;
    if (longer.length > MAX_NAME_WORDS) return shortEnough(`${name}_and_more`, now);
    name = longer;
  }
  return shortEnough(name, now);
}

/** A name from one long model or field name stays a valid file name: `auto_<timestamp>` instead. */
function shortEnough(words: string, now: () => Date): string {
  return words.length > MAX_SUGGESTED_WORDS ? `auto_${timestamp(now())}` : words;
}

/** The number a migration name starts with; for a squashed `0001_squashed_0004_x`, the last one it replaces. */
export function parseNumber(name: string): number {
  const squashed = /_squashed_(\d+)/.exec(name);
  if (squashed) return Number(squashed[1]);
  const leading = /^\d+/.exec(name);
  return leading ? Number(leading[0]) : 0;
}

function timestamp(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}${pad(date.getMonth() + 1)}${pad(date.getDate())}_${pad(date.getHours())}${pad(date.getMinutes())}`;
}
