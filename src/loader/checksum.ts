import { createHash } from 'node:crypto';
import type { MigrationBody, NodeRef } from '../graph/migration.js';
import type { Operation } from '../operations/types.js';

/** Source text of a function, formatting removed (see compile.ts normalizeFunctionSources). */
export type FunctionText = (fn: Function) => string;

/**
 * A migration's checksum: sha256 of a canonical JSON of what it does — dependencies, operations,
 * initial, atomic, replaces, runBefore — with object keys sorted, defaults filled in, and functions
 * (runCode) as their source text with formatting removed. Reformatting a file, reordering the keys
 * of an object or adding comments leaves it unchanged; changing what any operation does changes it.
 */
export function migrationChecksum(content: MigrationBody, functionText: FunctionText): string {
  const canonical = canonicalJson(
    {
      dependencies: content.dependencies,
      operations: content.operations,
      initial: content.initial,
      atomic: content.atomic,
      replaces: content.replaces,
      runBefore: content.runBefore,
    },
    functionText,
  );
  return createHash('sha256').update(canonical).digest('hex');
}

/**
 * JSON with sorted keys; `undefined` members are left out (absent and undefined mean the same in the
 * DSL). Numbers JSON cannot hold (NaN, infinities, -0) and functions are written as `#number(...)` and
 * `#function("...")`: outside of strings `#` never occurs in JSON, so no literal can look like them.
 */
export function canonicalJson(value: unknown, functionText: FunctionText): string {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'number':
      return Number.isFinite(value) && !Object.is(value, -0) ? JSON.stringify(value) : `#number(${Object.is(value, -0) ? '-0' : String(value)})`;
    case 'function':
      return `#function(${JSON.stringify(functionText(value))})`;
    case 'undefined':
      return 'null';
    case 'object': {
      if (value === null) return 'null';
      if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item, functionText)).join(',')}]`;
      const entries = Object.keys(value)
        .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
        .sort()
        .map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key], functionText)}`);
      return `{${entries.join(',')}}`;
    }
    default:
      return JSON.stringify(String(value));
  }
}

/** Every function inside a value (runCode forward/reverse, possibly nested in separateDatabaseAndState). */
export function functionsIn(value: unknown, out: Function[] = [], seen = new Set<unknown>()): Function[] {
  if (typeof value === 'function') {
    out.push(value);
  } else if (typeof value === 'object' && value !== null && !seen.has(value)) {
    seen.add(value);
    for (const item of Array.isArray(value) ? value : Object.values(value)) functionsIn(item, out, seen);
  }
  return out;
}
