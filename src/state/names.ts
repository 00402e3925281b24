import { createHash } from 'node:crypto';
import type { Field } from '../model/fields.js';
import type { ModelState } from './project-state.js';

/**
 * How model and field names become table and column names. This is the only module that knows;
 * everything above it speaks of models and fields.
 */
export type ColumnNaming = 'snake_case' | 'preserve';

/** The longest identifier we generate, in bytes: PostgreSQL's NAMEDATALEN-1 = 63, MySQL's is 64. */
export const MAX_IDENTIFIER_BYTES = 63;

export function snakeCase(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .toLowerCase();
}

export class Naming {
  constructor(readonly columnNaming: ColumnNaming = 'snake_case') {}

  /** `app_model` in snake_case, shortened deterministically past 63 bytes; `dbTable` as given. */
  table(model: Pick<ModelState, 'app' | 'name' | 'options'>): string {
    return model.options.dbTable ?? truncateName(`${model.app}_${snakeCase(model.name)}`);
  }

  column(fieldName: string, field: Field): string {
    if (field.kind !== 'manyToMany' && field.dbColumn) return field.dbColumn;
    const base = this.columnNaming === 'preserve' ? fieldName : snakeCase(fieldName);
    return field.kind === 'foreignKey' || field.kind === 'oneToOne' ? `${base}_id` : base;
  }

  /** The automatic join table of a many-to-many field. */
  joinTable(model: Pick<ModelState, 'app' | 'name' | 'options'>, fieldName: string, dbTable?: string): string {
    return dbTable ?? truncateName(`${this.table(model)}_${snakeCase(fieldName)}`);
  }

  /** Join table columns: `<from>_id`, `<to>_id`; `from_<m>_id`/`to_<m>_id` when a model relates to itself. */
  joinColumns(fromModelName: string, toModelName: string): { from: string; to: string } {
    const from = snakeCase(fromModelName);
    const to = snakeCase(toModelName);
    return from === to ? { from: `from_${from}_id`, to: `to_${to}_id` } : { from: `${from}_id`, to: `${to}_id` };
  }
}

/**
 * A deterministic generated name: `table_col1_col2_suffix`, or when that is too long, shortened parts
 * plus a hash of the full name, so two different long names never collide and the same input always
 * gives the same name.
 */
export function generatedName(table: string, columns: readonly string[], suffix: string): string {
  const full = [table, ...columns, suffix].join('_');
  if (Buffer.byteLength(full) <= MAX_IDENTIFIER_BYTES) return full;
  const hash = shortHash([table, ...columns].join('\u0000') + suffix);
  const budget = MAX_IDENTIFIER_BYTES - hash.length - suffix.length - 2;
  const head = clipBytes([table, ...columns].join('_'), budget);
  return `${head}_${hash}_${suffix}`;
}

/** Shortens a user-visible name that is over the limit, keeping it unique with a hash. */
export function truncateName(name: string): string {
  if (Buffer.byteLength(name) <= MAX_IDENTIFIER_BYTES) return name;
  const hash = shortHash(name);
  return `${clipBytes(name, MAX_IDENTIFIER_BYTES - hash.length - 1)}_${hash}`;
}

export function shortHash(value: string): string {
  return createHash('sha256').update(value).digest('hex').slice(0, 8);
}

/** Cuts a string to at most `bytes` UTF-8 bytes without splitting a character. */
function clipBytes(value: string, bytes: number): string {
  let out = '';
  let used = 0;
  for (const char of value) {
    const size = Buffer.byteLength(char);
    if (used + size > bytes) break;
    out += char;
    used += size;
  }
  return out;
}
