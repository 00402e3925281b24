import { SEDIMENT_GLOBAL } from './sediment-api.js';

/**
 * Migration bundles are built from "pieces": each migration file is compiled by esbuild on its own
 * (with its relative imports inlined), and the outputs are put side by side in one module, each in a
 * function of its own. One module keeps the warm load to a single import; one scope per file keeps
 * esbuild from renaming a file's variables because another file uses the same names (which would
 * make a migration's checksum depend on its neighbours), and lets a changed file be recompiled alone.
 *
 * This module turns esbuild's ESM output for one entry into a piece, and pieces into the bundle. It
 * relies on two things esbuild always prints for a bundled entry: imports of external packages as
 * one-line `import ... from "x";` statements, and the entry's exports as one final `export {...};`
 * (or `export default ...;` for a CommonJS entry). Anything else is reported, never guessed at.
 */

/** An import of an external package, moved to the top of the bundle. */
export interface ExternalImport {
  readonly spec: string;
  /** `def`, `* as ns`, `{ a, b as c }`, `def, { a }`; null for a side-effect import. */
  readonly clause: string | null;
}

export interface Piece {
  /** The file's code, ending with `return { ...exports };`. */
  readonly code: string;
  readonly imports: readonly ExternalImport[];
}

export class UnexpectedOutputError extends Error {}

const exportClause = /\nexport \{([^}]*)\};\n?$/;
const exportDefault = /\nexport default ([^\n]*);\n?$/;
const importLine = /^import (?:(.+) from )?("(?:[^"\\]|\\.)*");$/;

export function pieceFromOutput(output: string, externals: ReadonlySet<string>, where: string): Piece {
  let text = `\n${output}`;
  let returned = 'return {};';
  const clause = exportClause.exec(text);
  const single = clause ? null : exportDefault.exec(text);
  if (clause) {
    returned = `return { ${exportEntries(clause[1]).join(', ')} };`;
    text = text.slice(0, clause.index + 1);
  } else if (single) {
    returned = `return { "default": ${single[1]} };`;
    text = text.slice(0, single.index + 1);
  }
  const imports: ExternalImport[] = [];
  if (externals.size > 0) {
    text = text
      .split('\n')
      .filter((line) => {
        const match = importLine.exec(line);
        if (!match) return true;
        const spec = JSON.parse(match[2]) as string;
        if (!externals.has(spec)) return true;
        imports.push({ spec, clause: match[1] ?? null });
        return false;
      })
      .join('\n');
  }
  // The virtual 'sediment' module's lines: the bundle declares these bindings once, at its top.
  text = text
    .split('\n')
    .filter((line) => !isSedimentBinding(line))
    .join('\n');
  const leftover = /^(export \{|export \*|export default |import [^(.])/m.exec(text);
  if (leftover) {
    throw new UnexpectedOutputError(`${where}: unexpected module syntax in compiled output: ${text.slice(leftover.index).split('\n')[0]}`);
  }
  return { code: `${text.slice(1)}${returned}\n`, imports };
}

/**
 * A line esbuild printed from the virtual module (sediment-api.ts virtualModuleSource). Lines it
 * printed differently are simply kept: a piece's own declarations shadow the bundle's.
 */
function isSedimentBinding(line: string): boolean {
  return (
    line === '// sediment:sediment' ||
    line.startsWith('var __sediment_api = globalThis.') ||
    line.startsWith('if (__sediment_api === void 0) throw ') ||
    line === 'var __sediment_get = (name) => __sediment_api[name];' ||
    /^var __sediment_(\w+) = \/\* @__PURE__ \*\/ __sediment_get\("\1"\);$/.test(line)
  );
}

/** `a, b as default, c as "odd name"` -> `"a": a`, `"default": b`, `"odd name": c`. */
function exportEntries(list: string): string[] {
  return list
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '')
    .map((item) => {
      const [local, exported = local] = item.split(/\s+as\s+/);
      const name = exported.startsWith('"') ? (JSON.parse(exported) as string) : exported;
      return `${JSON.stringify(name)}: ${local}`;
    });
}

/** The 'sediment' bindings every piece uses, declared once (see isSedimentBinding). */
function sedimentBindings(apiNames: readonly string[]): string[] {
  return [
    `const __sediment_api = globalThis.${SEDIMENT_GLOBAL};\n`,
    `if (__sediment_api === undefined) throw new Error("This file was compiled by Sediment's loader and can only be imported through it.");\n`,
    ...apiNames.map((name) => `const __sediment_${name} = __sediment_api.${name};\n`),
  ];
}

/** Variable declarations binding an import clause to the namespace `ns`. */
function importBindings(clause: string, ns: string): string[] {
  const out: string[] = [];
  let rest = clause.trim();
  const defaultName = /^([A-Za-z_$][\w$]*)\s*(?:,\s*|$)/.exec(rest);
  if (defaultName) {
    out.push(`var ${defaultName[1]} = ${ns}.default;`);
    rest = rest.slice(defaultName[0].length);
  }
  const star = /^\*\s+as\s+([A-Za-z_$][\w$]*)$/.exec(rest);
  if (star) {
    out.push(`var ${star[1]} = ${ns};`);
    rest = '';
  }
  const named = /^\{([^}]*)\}$/.exec(rest);
  if (named) {
    for (const item of named[1].split(',').map((x) => x.trim()).filter((x) => x !== '')) {
      const [imported, local = imported] = item.split(/\s+as\s+/);
      const key = imported.startsWith('"') ? imported : JSON.stringify(imported);
      out.push(`var ${local} = ${ns}[${key}];`);
    }
    rest = '';
  }
  if (rest !== '') throw new UnexpectedOutputError(`unexpected import clause in compiled output: ${clause}`);
  return out;
}

export interface BundlePart {
  /** The root-relative path of the file, the bundle's key for it. */
  readonly file: string;
  readonly piece: Piece;
}

/**
 * The bundle module: its default export maps each file to `{ exports }`, or to `{ error }` when the
 * file threw while it was evaluated (so one broken file is reported by name rather than failing the
 * whole import anonymously).
 */
export function combinePieces(parts: readonly BundlePart[], apiNames: readonly string[]): string {
  const namespaces = new Map<string, string>();
  for (const { piece } of parts) {
    for (const { spec } of piece.imports) if (!namespaces.has(spec)) namespaces.set(spec, `__sediment_ext_${namespaces.size}`);
  }
  const chunks: string[] = [
    '// Migration files compiled by Sediment; a cache, safe to delete.\n',
    ...[...namespaces].map(([spec, ns]) => `import * as ${ns} from ${JSON.stringify(spec)};\n`),
    ...sedimentBindings(apiNames),
    'const __sediment_modules = Object.create(null);\n',
    'function __sediment_load(file, evaluate) {\n',
    '  try {\n    __sediment_modules[file] = { exports: evaluate() };\n  } catch (error) {\n',
    '    __sediment_modules[file] = { error };\n  }\n}\n',
  ];
  for (const { file, piece } of parts) {
    const bindings = piece.imports.flatMap(({ spec, clause }) => (clause ? importBindings(clause, namespaces.get(spec)!) : []));
    chunks.push(`__sediment_load(${JSON.stringify(file)}, () => {\n`, ...bindings.map((line) => `${line}\n`), piece.code, '});\n');
  }
  chunks.push('export default __sediment_modules;\n');
  return chunks.join('');
}
