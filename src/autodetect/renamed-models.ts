import { isRelation } from '../model/fields.js';
import { ops } from '../operations/ops.js';
import type { ModelState, ProjectState } from '../state/project-state.js';
import { resolveReference } from '../state/project-state.js';
import type { Questioner } from '../questioner/questioner.js';
import { byModel, canonical, modelDiff, withoutTargets } from './compare.js';
import type { OperationDependency, PlannedOperation } from './plan.js';
import { createdModel, planned } from './plan.js';

export interface ModelRename {
  readonly app: string;
  readonly oldName: string;
  readonly newName: string;
}

/**
 * Phase 1: a model that disappeared and one that appeared in the same app may be one model renamed.
 * Pairs with the same fields (ignoring what relations point at, since those follow renames) are
 * "similar"; every pair is put to the questioner, which asks a person only about similar ones and
 * answers yes to renames declared with `--rename-model`. The first "yes" wins for each new model.
 */
export async function planRenamedModels(
  from: ProjectState,
  to: ProjectState,
  questioner: Questioner,
): Promise<{ renames: ModelRename[]; operations: PlannedOperation[] }> {
  const { created, deleted } = modelDiff(from, to);
  const reused = from.models().filter((m) => to.find(m.app, m.name)).sort(byModel);
  const taken = new Set<ModelState>();
  const renames: ModelRename[] = [];
  for (const model of created) {
    // Models whose name a new model reuses come last and are never "similar": only a declared rename
    // confirms them.
    for (const old of [...deleted, ...reused]) {
      if (old.app !== model.app || taken.has(old)) continue;
      const similar = deleted.includes(old) && fieldsSignature(old) === fieldsSignature(model);
      const yes = await questioner.askRenameModel({ app: model.app, oldName: old.name, newName: model.name, from: old, to: model, similar });
      if (!yes) continue;
      taken.add(old);
      renames.push({ app: model.app, oldName: old.name, newName: model.name });
      break;
    }
  }
  // The model's own relations point where they pointed before until later alterField operations change
  // them. But the migrations of other apps that refer to the model by its old name must come first
  // (Django's generate_renamed_models depends on the models related to it): otherwise the graph may order
  // the rename before them, and the state replayed from the files names a model that no longer exists —
  // found by the reliability round trip (rename a model another app's earlier migration points at).
  const operations = renames.map((r) =>
    planned(r.app, ops.renameModel({ oldName: r.oldName, newName: r.newName }), referencingModels(from, r)),
  );
  return { renames, operations };
}

/** The models of other apps in `from` whose relations point at the renamed model, as dependencies. */
function referencingModels(from: ProjectState, rename: ModelRename): OperationDependency[] {
  const target = `${rename.app}.${rename.oldName}`.toLowerCase();
  const pointsAt = (reference: unknown, app: string) => {
    if (typeof reference !== 'string') return false;
    const { app: refApp, name } = resolveReference(reference, app);
    return `${refApp}.${name}`.toLowerCase() === target;
  };
  return from
    .models()
    .filter((m) => m.app !== rename.app)
    .filter((m) => m.fields.some(([, field]) => isRelation(field) && (pointsAt(field.to, m.app) || (field.kind === 'manyToMany' && pointsAt(field.through, m.app)))))
    .sort(byModel)
    .map((m) => createdModel(m.app, m.name));
}

function fieldsSignature(model: ModelState): string {
  return canonical(model.fields.map(([name, field]) => [name, withoutTargets(field)]).sort(([a], [b]) => (a < b ? -1 : 1)));
}
