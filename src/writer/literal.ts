import { array, object, raw, type Expr } from './layout.js';
import { MigrationRenderError } from './errors.js';

/**
 * Literal values as TypeScript source: strings, numbers, booleans, null, and arrays and plain
 * objects of them (json defaults, choices). Printing and then evaluating gives back an equal value.
 */
export function literal(value: unknown, where: string): Expr {
  if (value === null) return raw('null');
  switch (typeof value) {
    case 'string':
      return raw(quote(value));
    case 'number':
      return raw(numberText(value));
    case 'boolean':
      return raw(String(value));
    case 'object':
      if (Array.isArray(value)) return array(value.map((item, i) => literal(item, `${where}[${i}]`)));
      if (isPlainObject(value)) {
        return object(Object.entries(value).map(([key, item]) => [propertyKey(key), literal(item, `${where}.${key}`)] as const));
      }
      break;
    default:
      break;
  }
  throw new MigrationRenderError(`Cannot write ${where}: ${describeValue(value)} is not a literal a migration file can hold.`, {
    hint: 'Defaults, choices and other options must be JSON-like values (string, number, boolean, null, arrays, plain objects) or f.now / f.uuid4.',
  });
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

function describeValue(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (typeof value === 'function') return `a function${value.name ? ` (${value.name})` : ''}`;
  if (typeof value === 'bigint') return `the bigint ${value}n`;
  if (typeof value === 'symbol') return String(value);
  if (typeof value === 'object') return `an object of class ${(value as object).constructor?.name ?? 'unknown'}`;
  return String(value);
}

/** `-0`, `NaN` and the infinities print as the JavaScript expressions that give them back. */
export function numberText(value: number): string {
  if (Object.is(value, -0)) return '-0';
  return String(value);
}

const identifier = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/**
 * An object key: bare when it is an identifier, quoted otherwise. `__proto__` is written as a
 * computed key: in an object literal, `__proto__: x` (quoted or not) sets the prototype instead of
 * creating a property.
 */
export function propertyKey(key: string): string {
  if (key === '__proto__') return `['__proto__']`;
  return identifier.test(key) ? key : quote(key);
}

/**
 * Characters escaped in strings so that a file is valid UTF-8, shows what it holds, and cannot hide
 * code: control and format characters (bidirectional overrides, zero-width characters), line and
 * paragraph separators, lone surrogates, and whitespace other than the plain space.
 */
const invisible = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}\p{Zs}]/u;

const shortEscapes: Readonly<Record<string, string>> = {
  '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\b': '\\b', '\f': '\\f', '\v': '\\v',
};

/** A string literal as prettier prints it with `singleQuote`: single quotes unless doubles need fewer escapes. */
export function quote(value: string): string {
  let singles = 0;
  let doubles = 0;
  for (const ch of value) {
    if (ch === "'") singles++;
    else if (ch === '"') doubles++;
  }
  const q = singles > doubles ? '"' : "'";
  let out = q;
  for (const ch of value) {
    if (ch === q) out += `\\${q}`;
    else if (shortEscapes[ch] !== undefined) out += shortEscapes[ch];
    else if (ch !== ' ' && invisible.test(ch)) out += unicodeEscape(ch);
    else out += ch;
  }
  return out + q;
}

function unicodeEscape(ch: string): string {
  const code = ch.codePointAt(0)!;
  return code > 0xffff ? `\\u{${code.toString(16).toUpperCase()}}` : `\\u${code.toString(16).toUpperCase().padStart(4, '0')}`;
}
