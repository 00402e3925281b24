import type { DefaultValue, Field } from '../model/fields.js';
import { f, isCallableDefault } from '../model/fields.js';

/**
 * One-off defaults as a person types them: JSON (`0`, `"unknown"`, `true`, `null`, `{"a": 1}`), or
 * the names of the built-in callables `now` and `uuid4`. Returns the value or why it is not one.
 */
export function parseDefaultValue(text: string): { value: DefaultValue } | { error: string } {
  const trimmed = text.trim();
  if (trimmed === 'now') return { value: f.now };
  if (trimmed === 'uuid4') return { value: f.uuid4 };
  try {
    return { value: JSON.parse(trimmed) as DefaultValue };
  } catch {
    return {
      error:
        `${JSON.stringify(text)} is not JSON` +
        (/^[A-Za-z]/.test(trimmed) ? ` (a string needs double quotes: "${trimmed}")` : '') +
        `; give a JSON value, 'now' or 'uuid4'`,
    };
  }
}

const integerKinds = new Set(['integer', 'bigInteger', 'smallInteger', 'positiveInteger', 'auto', 'bigAuto', 'smallAuto']);
const stringKinds = new Set(['char', 'text', 'slug', 'email', 'url']);
const temporalKinds = new Set(['date', 'time', 'dateTime']);

const a = (word: string) => (/^[aeiou]/i.test(word) ? `an ${word}` : `a ${word}`);

/** Why `value` cannot fill the column of `field`, or undefined when it can. */
export function checkDefaultForField(field: Field, value: DefaultValue): string | undefined {
  if (value === null) return 'null cannot fill a NOT NULL column';
  if (isCallableDefault(value)) {
    if (value.name === 'now' && !temporalKinds.has(field.kind)) return `'now' fits date, time and dateTime fields, not ${field.kind}`;
    if (value.name === 'uuid4' && field.kind !== 'uuid' && !stringKinds.has(field.kind)) return `'uuid4' fits uuid fields, not ${field.kind}`;
    return undefined;
  }
  const kind = field.kind;
  if (integerKinds.has(kind)) {
    if (typeof value !== 'number' || !Number.isInteger(value)) return `${a(kind)} field needs an integer`;
    if (kind === 'positiveInteger' && value < 0) return 'a positiveInteger field needs a number >= 0';
  } else if (kind === 'float') {
    if (typeof value !== 'number') return 'a float field needs a number';
  } else if (kind === 'decimal') {
    if (typeof value !== 'number' && !(typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value))) {
      return 'a decimal field needs a number or a numeric string';
    }
  } else if (kind === 'boolean') {
    if (typeof value !== 'boolean') return 'a boolean field needs true or false';
  } else if (stringKinds.has(kind) || temporalKinds.has(kind) || kind === 'uuid' || kind === 'duration' || kind === 'binary') {
    if (typeof value !== 'string') return `${a(kind)} field needs a string`;
    const max = 'maxLength' in field ? field.maxLength : undefined;
    if (max !== undefined && value.length > max) return `the value is longer than maxLength (${max})`;
  } else if (kind === 'foreignKey' || kind === 'oneToOne') {
    if (typeof value !== 'number' && typeof value !== 'string') return 'a foreign key needs the primary key value of an existing row';
  }
  return undefined;
}
