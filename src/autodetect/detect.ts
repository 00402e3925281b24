import { Naming } from '../state/names.js';
import type { ProjectState } from '../state/project-state.js';
import type { Questioner } from '../questioner/questioner.js';
import { optimize } from '../optimizer/optimizer.js';
import { buildMigrations } from './build-migrations.js';
import { keptModels, modelDiff, replay } from './compare.js';
import { planCreatedModels } from './created-models.js';
import { planDeletedModels } from './deleted-models.js';
import { planFieldChanges } from './fields.js';
import { planIndexChanges } from './indexes.js';
import { planAlteredOptions, planAlteredTables } from './model-options.js';
import type { PlannedOperation } from './plan.js';
import { planRenamedFields } from './renamed-fields.js';
import { planRenamedModels } from './renamed-models.js';
import { sortOperations } from './sort.js';
import type { Changes, DetectOptions, PlannedMigration } from './types.js';
import { planUniqueTogether } from './unique-together.js';

/**
 * Compares two project states — usually the one the migration files build and the one the models
 * files declare — and plans the migrations that take the first to the second. Pure: it never touches
 * a database or a file; it only asks `questioner` what the states alone cannot say (renames, values
 * for NOT NULL columns), and throws NotNullWithoutDefaultError when the answer is "quit".
 *
 * Renames are decided first and replayed on `from`, so every later comparison is between a model
 * and its own earlier self. Operations are then generated phase by phase, ordered within each app,
 * cut into migrations across apps, and optimized. The result is deterministic.
 *
 * @example
 * const changes = await detectChanges(fromMigrations, fromModels, questioner, { leaves: { shop: '0003_client_bought' } });
 * const migrations = arrangeChanges(changes, { shop: '0003_client_bought' });
 */
export async function detectChanges(
  from: ProjectState,
  to: ProjectState,
  questioner: Questioner,
  options: DetectOptions = {},
): Promise<Changes> {
  const naming = options.naming ?? new Naming();
  const leaves = options.leaves ?? {};

  const modelRenames = await planRenamedModels(from, to, questioner);
  const renamed = replay(from, modelRenames.operations);
  const { created, deleted } = modelDiff(renamed, to);
  const deletions = planDeletedModels(renamed, deleted);
  const creations = planCreatedModels(created);
  const fieldRenames = await planRenamedFields(keptModels(renamed, to), modelRenames.renames, questioner, naming);

  const kept = keptModels(replay(renamed, fieldRenames), to);
  // Compared after field renames: renameField already rewrites ordering.
  const alteredOptions = planAlteredOptions(kept);
  const indexes = planIndexChanges(kept);
  const together = planUniqueTogether(kept);
  const fields = await planFieldChanges(
    kept,
    questioner,
    (app, model, field) => [...indexes.precedingRemovals(app, model, field), ...together.precedingRemovals(app, model, field)],
    (reference) => to.resolve(reference, '') !== undefined,
  );

  // Django's order of phases (options after the renames they were compared after); sortOperations
  // only moves what a dependency requires.
  const operations: PlannedOperation[] = [
    ...creations.models,
    ...modelRenames.operations,
    ...deletions,
    ...creations.rest,
    ...indexes.removedConstraints,
    ...indexes.removedIndexes,
    ...fieldRenames,
    ...alteredOptions,
    ...indexes.renamedIndexes,
    ...together.removals,
    ...fields.removed,
    ...fields.added,
    ...fields.altered,
    ...together.finals,
    ...indexes.addedIndexes,
    ...indexes.addedConstraints,
    ...planAlteredTables(kept),
  ];
  const byApp = new Map<string, PlannedOperation[]>();
  for (const op of operations) {
    const list = byApp.get(op.app);
    if (list) list.push(op);
    else byApp.set(op.app, [op]);
  }
  for (const [app, list] of byApp) byApp.set(app, sortOperations(app, list));

  const migrations = buildMigrations(byApp, leaves, new Set(from.apps()));
  const changes: Record<string, PlannedMigration[]> = {};
  for (const [app, list] of migrations) {
    changes[app] = list.map((migration) => ({ ...migration, operations: optimize(migration.operations, app) }));
  }
  return options.apps ? trimToApps(changes, options.apps) : changes;
}

/** Keeps the requested apps and every app whose new migrations they depend on (Django's _trim_to_apps). */
function trimToApps(changes: Record<string, PlannedMigration[]>, apps: readonly string[]): Changes {
  const required = new Set(apps);
  const queue = [...apps];
  while (queue.length > 0) {
    for (const migration of changes[queue.pop()!] ?? []) {
      for (const dependency of migration.dependencies) {
        if (dependency.kind === 'planned' && !required.has(dependency.app)) {
          required.add(dependency.app);
          queue.push(dependency.app);
        }
      }
    }
  }
  return Object.fromEntries(Object.entries(changes).filter(([app]) => required.has(app)));
}
