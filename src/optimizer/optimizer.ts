import { InvalidDefinitionError } from '../errors/index.js';
import { describe, reduce } from '../operations/registry.js';
import type { Operation } from '../operations/types.js';

/**
 * Shortens a list of operations of one app without changing what it does, using each operation's
 * `reduce` with a later one (operations/spec.ts):
 *
 * - replace: the pair becomes the given operations. Done in place of the later one ("right") when
 *   nothing in between was a barrier for the earlier one; otherwise in place of the earlier one
 *   ("left"), but only if everything in between passes through the later one.
 * - pass-through: keep looking further right.
 * - barrier: no right reduction beyond this point, but a left one may still be possible.
 *
 * These are Django's rules. Django restarts from the first operation after every reduction, which is
 * cubic on a large initial migration (hundreds of createModel + addField pairs); here a pass goes on
 * from where it reduced, and passes repeat until one changes nothing. Every step is one of the same
 * valid reductions, so the result is as correct, only reached sooner.
 *
 * @example
 * optimize([ops.createModel({ name: 'A', fields }), ops.deleteModel({ name: 'A' })], 'shop'); // []
 */
export function optimize(operations: readonly Operation[], app: string): Operation[] {
  let current = [...operations];
  // Each reduction shortens the list or reorders a replaced pair; a reduce() that keeps undoing
  // itself would be a bug, so give up loudly rather than spin.
  let budget = 100 + 10 * current.length * current.length;
  for (let changed = true; changed; ) {
    changed = false;
    for (let i = 0; i < current.length; ) {
      const next = reduceAt(current, i, app);
      if (next === undefined) {
        i++;
        continue;
      }
      if (--budget < 0) {
        throw new InvalidDefinitionError(`The optimizer did not settle on operations of ${app}: ${current.map(describe).join('; ')}.`, {
          hint: "This is a bug in an operation's reduce(); please report it with these operations.",
        });
      }
      current = next;
      changed = true;
    }
  }
  return current;
}

/** The list after reducing `ops[i]` with the first later operation it can reduce with, or undefined. */
function reduceAt(ops: readonly Operation[], i: number, app: string): Operation[] | undefined {
  let right = true;
  for (let j = i + 1; j < ops.length; j++) {
    const result = reduce(ops[i], ops[j], app);
    if (result.kind === 'barrier') {
      right = false;
      continue;
    }
    if (result.kind === 'pass-through') continue;
    const between = ops.slice(i + 1, j);
    const before = ops.slice(0, i);
    const after = ops.slice(j + 1);
    if (right) return [...before, ...between, ...result.operations, ...after];
    if (between.every((op) => reduce(op, ops[j], app).kind === 'pass-through')) {
      return [...before, ...result.operations, ...between, ...after];
    }
    return undefined;
  }
  return undefined;
}
