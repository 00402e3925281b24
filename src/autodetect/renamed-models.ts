import { ops } from '../operations/ops.js';
import type { ModelState, ProjectState } from '../state/project-state.js';
import type { Questioner } from '../questioner/questioner.js';
import { byModel, canonical, modelDiff, withoutTargets } from './compare.js';
import type { PlannedOperation } from './plan.js';
import { planned } from './plan.js';

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
  // Renaming needs nothing else to exist first: the model's relations point where they pointed before
  // until later alterField operations change them.
  const operations = renames.map((r) => planned(r.app, ops.renameModel({ oldName: r.oldName, newName: r.newName })));
  return { renames, operations };
}

function fieldsSignature(model: ModelState): string {
  return canonical(model.fields.map(([name, field]) => [name, withoutTargets(field)]).sort(([a], [b]) => (a < b ? -1 : 1)));
}
