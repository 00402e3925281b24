import type { ModelState } from '../state/project-state.js';
import type { ModelRef, Reduction } from './spec.js';
import { replaceWith } from './spec.js';
import type { Operation } from './types.js';

/** Unmanaged models are recorded in the state but their tables are never touched. */
export function isManaged(model: ModelState): boolean {
  return model.options.managed !== false;
}

/** True if `name` in `app` is the model `model` (model names are case-insensitive). */
export function sameName(name: string, app: string, model: ModelRef): boolean {
  return app === model.app && name.toLowerCase() === model.name.toLowerCase();
}

/** An elidable runSql/runCode is dropped when squashing: `op` absorbs it and stays. */
export function elidableReduce(op: Operation, other: Operation): Reduction | undefined {
  if ((other.kind === 'runSql' || other.kind === 'runCode') && other.elidable) return replaceWith(op);
  return undefined;
}

/**
 * A model rename or deletion changes what every relation to that model means, so an operation that
 * references the model can never be moved across it, whichever of the two is on the left.
 */
export function crossesModelChange(
  op: Operation,
  other: Operation,
  app: string,
  referencesModel: (op: Operation, app: string, model: ModelRef) => boolean,
): boolean {
  if (other.kind === 'renameModel') {
    return referencesModel(op, app, { app, name: other.oldName }) || referencesModel(op, app, { app, name: other.newName });
  }
  if (other.kind === 'deleteModel') return referencesModel(op, app, { app, name: other.name });
  return false;
}
