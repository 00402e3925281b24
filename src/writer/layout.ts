/**
 * A small layout engine for the expressions a migration file holds (calls, objects, arrays and
 * literal text), producing what prettier would with `printWidth: 100, singleQuote: true,
 * trailingComma: 'all'`: a node stays on one line when it fits, otherwise it breaks one element per
 * line with trailing commas; a call whose last argument is an object or array "hugs" it
 * (`f.foreignKey('shop.Client', {` ... `})`) when the rest of the call fits on the first line.
 */

export const PRINT_WIDTH = 100;
const INDENT = 2;

export type Expr =
  /** Text printed as is: an identifier, a literal, `f.now`. Never contains a newline. */
  | { readonly kind: 'raw'; readonly text: string }
  | { readonly kind: 'call'; readonly callee: string; readonly args: readonly Expr[] }
  /** Keys are already printed (an identifier, a quoted string or a computed key). */
  | {
      readonly kind: 'object';
      readonly entries: readonly (readonly [key: string, value: Expr])[];
      /** true: always one entry per line. */
      readonly expanded?: boolean;
    }
  | { readonly kind: 'array'; readonly items: readonly Expr[]; readonly expanded?: boolean };

export const raw = (text: string): Expr => ({ kind: 'raw', text });
export const call = (callee: string, ...args: Expr[]): Expr => ({ kind: 'call', callee, args });
export const object = (entries: readonly (readonly [string, Expr])[], expanded = false): Expr => ({
  kind: 'object', entries, expanded,
});
export const array = (items: readonly Expr[], expanded = false): Expr => ({ kind: 'array', items, expanded });

/** Prints `expr` starting at `column` on a line indented by `indent`, with `tail` characters after it. */
export function print(expr: Expr, indent: number, column: number, tail: number): string {
  if (!mustBreak(expr)) {
    const text = flat(expr);
    if (column + text.length + tail <= PRINT_WIDTH) return text;
  }
  switch (expr.kind) {
    case 'raw':
      return expr.text;
    case 'object':
    case 'array':
      return broken(expr, indent);
    case 'call':
      return printCall(expr, indent, column, tail);
  }
}

/** True when the node cannot be printed on one line. */
function mustBreak(expr: Expr): boolean {
  switch (expr.kind) {
    case 'raw':
      return false;
    case 'object':
      return (expr.expanded === true && expr.entries.length > 0) || expr.entries.some(([, value]) => mustBreak(value));
    case 'array':
      return (expr.expanded === true && expr.items.length > 0) || isMatrix(expr) || expr.items.some(mustBreak);
    case 'call':
      return expr.args.some(mustBreak);
  }
}

/**
 * Prettier always breaks an array of two or more arrays (or objects) that each hold two or more
 * elements, one per line: `[['shop', '0001_initial'], ['auth', '0002_x']]` reads as a table.
 */
function isMatrix(expr: Expr & { kind: 'array' }): boolean {
  if (expr.items.length < 2) return false;
  const kind = expr.items[0].kind;
  return expr.items.every(
    (item) =>
      item.kind === kind &&
      ((item.kind === 'array' && item.items.length > 1) || (item.kind === 'object' && item.entries.length > 1)),
  );
}

export function flat(expr: Expr): string {
  switch (expr.kind) {
    case 'raw':
      return expr.text;
    case 'object':
      return expr.entries.length === 0 ? '{}' : `{ ${expr.entries.map(([key, value]) => `${key}: ${flat(value)}`).join(', ')} }`;
    case 'array':
      return `[${expr.items.map(flat).join(', ')}]`;
    case 'call':
      return `${expr.callee}(${expr.args.map(flat).join(', ')})`;
  }
}

const pad = (n: number) => ' '.repeat(n);

/** An object or array with one element per line (an empty one stays `{}` / `[]`). */
function broken(expr: Expr & { kind: 'object' | 'array' }, indent: number): string {
  const inner = indent + INDENT;
  if (expr.kind === 'object') {
    if (expr.entries.length === 0) return '{}';
    const lines = expr.entries.map(([key, value]) => {
      const head = `${pad(inner)}${key}: `;
      return head + print(value, inner, head.length, 1);
    });
    return `{\n${lines.join(',\n')},\n${pad(indent)}}`;
  }
  if (expr.items.length === 0) return '[]';
  if (isNumberArray(expr)) return filled(expr.items.map(flat), indent);
  const lines = expr.items.map((item) => pad(inner) + print(item, inner, inner, 1));
  return `[\n${lines.join(',\n')},\n${pad(indent)}]`;
}

/** Prettier fills arrays of numbers: as many per line as fit. */
function isNumberArray(expr: Expr & { kind: 'array' }): boolean {
  return expr.items.every((item) => item.kind === 'raw' && /^-?(\d|Infinity|NaN)/.test(item.text));
}

function filled(items: readonly string[], indent: number): string {
  const inner = indent + INDENT;
  const lines: string[] = [];
  let line = '';
  for (const item of items) {
    const piece = `${item},`;
    if (line === '') line = pad(inner) + piece;
    else if (line.length + 1 + piece.length <= PRINT_WIDTH) line += ` ${piece}`;
    else {
      lines.push(line);
      line = pad(inner) + piece;
    }
  }
  lines.push(line);
  return `[\n${lines.join('\n')}\n${pad(indent)}]`;
}

function printCall(expr: Expr & { kind: 'call' }, indent: number, column: number, tail: number): string {
  const { callee, args } = expr;
  if (args.length === 0) return `${callee}()`;
  const last = args[args.length - 1];
  const rest = args.slice(0, -1);
  if (canHug(last, rest)) {
    const head = `${callee}(${rest.map((arg) => `${flat(arg)}, `).join('')}`;
    // The first line ends with the opening bracket of the hugged argument.
    if (column + head.length + 1 <= PRINT_WIDTH) {
      return `${head}${broken(last as Expr & { kind: 'object' | 'array' }, indent)})`;
    }
  }
  const inner = indent + INDENT;
  const lines = args.map((arg) => pad(inner) + print(arg, inner, inner, 1));
  return `${callee}(\n${lines.join(',\n')},\n${pad(indent)})`;
}

/** Prettier hugs a last object/array argument when the others are simple and of another kind. */
function canHug(last: Expr, rest: readonly Expr[]): boolean {
  if (last.kind === 'object' ? last.entries.length === 0 : last.kind !== 'array' || last.items.length === 0) return false;
  if (rest.some(mustBreak)) return false;
  const penultimate = rest[rest.length - 1];
  return penultimate === undefined || penultimate.kind !== last.kind;
}
