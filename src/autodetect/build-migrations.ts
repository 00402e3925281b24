import { InvalidDefinitionError } from '../errors/index.js';
import { describe } from '../operations/registry.js';
import type { Operation } from '../operations/types.js';
import type { PlannedOperation } from './plan.js';
import { satisfies } from './plan.js';
import type { PlannedDependency, PlannedMigration } from './types.js';

/**
 * Cuts each app's ordered operations into migrations, Django's way: go round the apps (alphabetical)
 * taking operations from the front of each list while everything they need from other apps is
 * already in a migration (planned now, or on disk). An app whose whole list can be taken becomes one
 * migration. When a full round takes nothing, "chop mode" lets one app cut a migration from the part
 * it can take — which is how circular foreign keys across apps end up in two migrations of one app.
 * Unlike Django, chop mode may also take operations from behind a blocked one when they do not
 * depend on it (every ordering the autodetector needs is a dependency), so that deletions that wait
 * on each other across apps can always be cut.
 *
 * `leaves` names each app's newest migration on disk; `existingApps` are the apps that had models.
 */
export function buildMigrations(
  byApp: ReadonlyMap<string, readonly PlannedOperation[]>,
  leaves: Readonly<Record<string, string | undefined>>,
  existingApps: ReadonlySet<string>,
): Map<string, PlannedMigration[]> {
  const pending = new Map<string, PlannedOperation[]>([...byApp].map(([app, ops]) => [app, [...ops]]));
  const apps = [...pending.keys()].sort();
  const migrations = new Map<string, PlannedMigration[]>();
  let remaining = count(pending);
  let chopMode = false;
  while (remaining > 0) {
    for (const app of apps) {
      const list = pending.get(app)!;
      const taken: PlannedOperation[] = [];
      const left: PlannedOperation[] = [];
      const dependencies = new Map<string, PlannedDependency>();
      for (const op of list) {
        // Outside chop mode only a prefix is taken (Django's rule). In chop mode an operation may go
        // ahead of blocked ones it does not depend on, or circular deletions across apps could never
        // be cut at all.
        if (left.length > 0 && (!chopMode || left.some((blocked) => dependsOn(op, blocked)))) {
          left.push(op);
          continue;
        }
        const needs = externalNeeds(op, pending, migrations, leaves, chopMode);
        if (needs === undefined) {
          left.push(op);
          continue;
        }
        for (const dependency of needs) dependencies.set(dependencyKey(dependency), dependency);
        taken.push(op);
      }
      pending.set(app, left);
      if (taken.length === 0) continue;
      if (left.length === 0 || chopMode) {
        const existing = migrations.get(app) ?? [];
        existing.push({
          operations: taken.map((p) => p.operation),
          dependencies: [...dependencies.values()],
          initial: !existingApps.has(app),
        });
        migrations.set(app, existing);
        chopMode = false;
      } else {
        pending.set(app, list);
      }
    }
    const now = count(pending);
    if (now === remaining) {
      if (chopMode) throw cannotResolve(pending);
      chopMode = true;
    }
    remaining = now;
  }
  return withInternalDependencies(migrations, leaves);
}

/** True if `op` must come after `other` (same app). */
function dependsOn(op: PlannedOperation, other: PlannedOperation): boolean {
  return op.dependencies.some((dependency) => dependency.app === op.app && satisfies(other.operation, dependency));
}

/** The migrations of other apps `op` needs, or undefined if something it needs is still pending. */
function externalNeeds(
  op: PlannedOperation,
  pending: ReadonlyMap<string, readonly PlannedOperation[]>,
  migrations: ReadonlyMap<string, readonly PlannedMigration[]>,
  leaves: Readonly<Record<string, string | undefined>>,
  chopMode: boolean,
): PlannedDependency[] | undefined {
  const needs: PlannedDependency[] = [];
  for (const dependency of op.dependencies) {
    const other = dependency.app;
    if (other === op.app) continue;
    if ((pending.get(other) ?? []).some((candidate) => satisfies(candidate.operation, dependency))) return undefined;
    const planned = migrations.get(other);
    if (planned?.length) {
      needs.push({ kind: 'planned', app: other, index: planned.length - 1 });
      continue;
    }
    // Prefer a migration of `other` planned later in this round; settle for its leaf only when stuck.
    if (!chopMode) return undefined;
    const leaf = leaves[other];
    if (leaf === undefined) {
      throw new InvalidDefinitionError(
        `${describe(op.operation)} (app ${op.app}) needs app ${other}, which has no migrations and no changes to make.`,
        { hint: `Check that ${other} is listed in the config's apps and run makemigrations for it.` },
      );
    }
    needs.push({ kind: 'existing', app: other, name: leaf });
  }
  return needs;
}

/** Each migration depends on the app's previous one: planned, or the leaf on disk for the first. */
function withInternalDependencies(
  migrations: Map<string, PlannedMigration[]>,
  leaves: Readonly<Record<string, string | undefined>>,
): Map<string, PlannedMigration[]> {
  const out = new Map<string, PlannedMigration[]>();
  for (const app of [...migrations.keys()].sort()) {
    out.set(
      app,
      migrations.get(app)!.map((migration, index) => {
        const own: PlannedDependency | undefined =
          index > 0 ? { kind: 'planned', app, index: index - 1 } : leaves[app] !== undefined ? { kind: 'existing', app, name: leaves[app]! } : undefined;
        const all = new Map(migration.dependencies.map((d) => [dependencyKey(d), d]));
        if (own) all.set(dependencyKey(own), own);
        return { ...migration, dependencies: [...all.values()].sort(compareDependencies) };
      }),
    );
  }
  return out;
}

export const dependencyKey = (d: PlannedDependency): string => (d.kind === 'existing' ? `${d.app}\u0000e\u0000${d.name}` : `${d.app}\u0000p\u0000${d.index}`);

function compareDependencies(a: PlannedDependency, b: PlannedDependency): number {
  const ka = dependencyKey(a);
  const kb = dependencyKey(b);
  if (a.kind === 'planned' && b.kind === 'planned' && a.app === b.app) return a.index - b.index;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

function count(pending: ReadonlyMap<string, readonly unknown[]>): number {
  let n = 0;
  for (const list of pending.values()) n += list.length;
  return n;
}

function cannotResolve(pending: ReadonlyMap<string, readonly PlannedOperation[]>): Error {
  const stuck = [...pending].flatMap(([app, list]) => list.slice(0, 1).map((p: PlannedOperation) => `${app}: ${describe(p.operation as Operation)}`));
  return new InvalidDefinitionError(`Cannot split the changes into migrations: they need each other across apps (${stuck.join('; ')}).`, {
    hint: 'Make the change in two steps (for example, create the models first and add the relations in a second run).',
  });
}
