import { createHash } from 'node:crypto';
import type { MigrationBody } from '../graph/migration.js';
import type { Piece } from './piece.js';

/** Source text of a function, formatting removed (see compile.ts normalizeFunctionSources). */
export type FunctionText = (fn: Function) => string;

/**
 * A migration's checksum: sha256 of a canonical JSON of what it does — dependencies, operations,
 * initial, atomic, replaces, runBefore — with object keys sorted, defaults filled in, and functions
 * (runCode) as their source text with formatting removed. Reformatting a file, reordering the keys
 * of an object or adding comments leaves it unchanged; changing what any operation does changes it.
 *
 * A runCode function's text says nothing about the values it uses from outside itself: constants of
 * the migration file, helper modules it imports (`import { NAME } from './_helpers'`), packages. So
 * when the file has any of those (its `context`, see moduleContext), the checksum covers them too:
 * then it hashes the canonical JSON followed by the compiled module with its formatting removed.
 * Without context the checksum is the canonical JSON's hash alone, exactly as Sediment 0.1.0
 * computed it, so that the history of existing databases stays valid for every generated migration.
 */
export function migrationChecksum(content: MigrationBody, functionText: FunctionText, context?: string): string {
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
  const hash = createHash('sha256').update(canonical);
  // `#` never starts JSON text (see canonicalJson), so no canonical content can end like a context.
  if (context !== undefined) hash.update(`\n#context(${JSON.stringify(context)})`);
  return hash.digest('hex');
}

/**
 * What a compiled migration runs besides its `migration({...})` value, as the compiled module's text
 * (see piece.ts): module-level statements of the file, the helper files it imports (esbuild inlines
 * them into the piece), its imports of packages. Undefined when it has none, as a file written by
 * makemigrations: one import of 'sediment-migrations' and `export default migration({...})`.
 *
 * The test relies on how esbuild prints a bundle: every top-level statement starts on a line of its
 * own at column 0, and the lines that continue a statement are indented, except the closing `});`
 * of a multi-line call and the text of template literals. So a piece is plain when its only lines at
 * column 0 are the default export's first line, its closing `});` and the piece's own `return`, and
 * esbuild's `// path` comments. A template literal line at column 0 makes a plain file count as
 * having context: a checksum that changes without reason (an older Sediment's checksum is accepted
 * once, see Migration.olderChecksum), never an edit that goes unseen.
 */
export function moduleContext(piece: Piece): ModuleContext | undefined {
  const imports = piece.imports.length > 0 ? JSON.stringify(piece.imports) : '';
  const lines = piece.code.split('\n').filter((line) => line !== '' && !line.startsWith('// '));
  const plain =
    imports === '' &&
    lines.length >= 2 &&
    /^var [A-Za-z_$][\w$]* = __sediment_migration\(/.test(lines[0]) &&
    /^return \{ "default": [A-Za-z_$][\w$]* \};$/.test(lines[lines.length - 1]) &&
    (lines.length === 2 ? lines[0].endsWith(');') : lines[lines.length - 2] === '});') &&
    lines.slice(1, -2).every((line) => /^\s/.test(line));
  return plain ? undefined : { imports, code: piece.code };
}

/** A piece's context: its package imports (JSON, '' for none) and its code (ending with its `return`). */
export interface ModuleContext {
  readonly imports: string;
  readonly code: string;
}

/** The context as the checksum covers it, given the code with its formatting removed (compile.ts normalizeModuleCode). */
export function contextText(context: ModuleContext, normalizedCode: string): string {
  return `${context.imports}\n${normalizedCode}`;
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
