import { canonicalField } from '../model/collect.js';
import type { Field } from '../model/fields.js';
import { stateForwards } from '../operations/registry.js';
import type { ModelState, ProjectState } from '../state/project-state.js';
import type { PlannedOperation } from './plan.js';

/**
 * JSON with sorted keys and without undefined values: two definitions are the same exactly when
 * their canonical texts are equal, whatever order their keys were written in.
 */
export function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
    const sorted: Record<string, unknown> = {};
    for (const key of Object.keys(v).sort()) {
      const inner = (v as Record<string, unknown>)[key];
      if (inner !== undefined) sorted[key] = inner;
    }
    return sorted;
  });
}

export const sameDefinition = (a: unknown, b: unknown): boolean => canonical(a) === canonical(b);

/** Two fields are the same when they differ at most by options written at their default value. */
export const sameField = (a: Field, b: Field): boolean => canonical(canonicalField(a)) === canonical(canonicalField(b));

/** A field without what it points at: renamed models change `to`, not the field. */
export function withoutTargets(field: Field): object {
  const { to: _to, through: _through, ...rest } = canonicalField(field) as Field & { to?: unknown; through?: unknown };
  return rest;
}

/** A model kept from one state to the other (possibly under a new name, once renames are replayed). */
export interface ModelPair {
  readonly app: string;
  readonly before: ModelState;
  readonly after: ModelState;
}

export const byModel = (a: { app: string; name: string }, b: { app: string; name: string }): number =>
  a.app < b.app ? -1 : a.app > b.app ? 1 : a.name.toLowerCase() < b.name.toLowerCase() ? -1 : a.name.toLowerCase() > b.name.toLowerCase() ? 1 : 0;

/** Models present in both states, sorted by app and name. */
export function keptModels(before: ProjectState, after: ProjectState): ModelPair[] {
  return after
    .models()
    .sort(byModel)
    .flatMap((model) => {
      const old = before.find(model.app, model.name);
      return old ? [{ app: model.app, before: old, after: model }] : [];
    });
}

/** Models only in `after` (created) and only in `before` (deleted), sorted. */
export function modelDiff(before: ProjectState, after: ProjectState): { created: ModelState[]; deleted: ModelState[] } {
  return {
    created: after.models().filter((m) => !before.find(m.app, m.name)).sort(byModel),
    deleted: before.models().filter((m) => !after.find(m.app, m.name)).sort(byModel),
  };
}

export function fieldOf(model: ModelState, name: string): Field | undefined {
  return model.fields.find(([n]) => n === name)?.[1];
}

/** The state after the planned operations, in the order given. */
export function replay(state: ProjectState, operations: readonly PlannedOperation[]): ProjectState {
  return operations.reduce((s, p) => stateForwards(s, p.app, p.operation), state);
}
