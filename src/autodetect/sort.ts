import { InvalidDefinitionError } from '../errors/index.js';
import { describe } from '../operations/registry.js';
import type { PlannedOperation } from './plan.js';
import { satisfies } from './plan.js';

/**
 * Orders one app's operations so that each comes after the operations of the same app it depends on.
 * Stable: a list that is already in a valid order comes back unchanged, and otherwise an operation
 * only moves to just before the first operation that needs it.
 */
export function sortOperations(app: string, operations: readonly PlannedOperation[]): PlannedOperation[] {
  const needs = new Map<PlannedOperation, PlannedOperation[]>();
  for (const op of operations) {
    const local = op.dependencies.filter((dependency) => dependency.app === app);
    needs.set(op, local.length === 0 ? [] : operations.filter((other) => other !== op && local.some((d) => satisfies(other.operation, d))));
  }
  const done = new Set<PlannedOperation>();
  const path: PlannedOperation[] = [];
  const out: PlannedOperation[] = [];
  const visit = (op: PlannedOperation): void => {
    if (done.has(op)) return;
    if (path.includes(op)) {
      const cycle = [...path.slice(path.indexOf(op)), op].map((p) => describe(p.operation)).join(' -> ');
      throw new InvalidDefinitionError(`The changes to ${app} need each other in a circle: ${cycle}.`, {
        hint: 'Split the change into two makemigrations runs (for example, add the field first, then use it).',
      });
    }
    path.push(op);
    for (const dependency of needs.get(op)!) visit(dependency);
    path.pop();
    done.add(op);
    out.push(op);
  };
  for (const op of operations) visit(op);
  return out;
}
