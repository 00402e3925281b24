import { randomUUID } from 'node:crypto';
import type { CallableDefault, DefaultValue, ScalarKind } from '../model/fields.js';
import { isCallableDefault } from '../model/fields.js';
import { InvalidValueError } from './errors.js';

/**
 * How values cross between JavaScript and PostgreSQL, one codec per kind of value. The rules, the same
 * on the PostgreSQL server (node-postgres) and on PGlite, whose drivers parse some types differently:
 *
 * | field kinds                                   | JavaScript                                         |
 * |-----------------------------------------------|----------------------------------------------------|
 * | auto, smallAuto, integer, smallInteger, positiveInteger | number                                   |
 * | bigAuto, bigInteger (and keys pointing at them)| number when a safe integer (|n| ≤ 2^53−1), else a decimal string; writes take number, bigint or digit string |
 * | float                                         | number                                             |
 * | decimal                                       | string, exactly as stored (`'12.50'`); writes take string, number or bigint |
 * | char, text, slug, email, url, uuid            | string                                             |
 * | boolean                                       | boolean                                            |
 * | date                                          | Date at UTC midnight; writes take a Date (its UTC date) or `'YYYY-MM-DD'` |
 * | time                                          | string `'HH:MM:SS[.ffffff]'`                        |
 * | dateTime                                      | Date (millisecond precision); writes take a Date or an ISO string |
 * | duration                                      | number of seconds (a month counts 30 days); writes take seconds or an interval string (`'1 day'`) |
 * | json                                          | the parsed value; JavaScript `null` is SQL NULL     |
 * | binary                                        | Buffer; writes take a Buffer or Uint8Array          |
 */
export type ValueKind =
  | 'int2' | 'int4' | 'int8' | 'float' | 'decimal' | 'text' | 'uuid' | 'boolean'
  | 'date' | 'time' | 'dateTime' | 'duration' | 'json' | 'binary';

export function valueKind(kind: ScalarKind): ValueKind {
  switch (kind) {
    case 'smallAuto':
    case 'smallInteger':
      return 'int2';
    case 'auto':
    case 'integer':
    case 'positiveInteger':
      return 'int4';
    case 'bigAuto':
    case 'bigInteger':
      return 'int8';
    case 'float':
      return 'float';
    case 'decimal':
      return 'decimal';
    case 'char':
    case 'text':
    case 'slug':
    case 'email':
    case 'url':
      return 'text';
    case 'uuid':
      return 'uuid';
    case 'boolean':
      return 'boolean';
    case 'date':
      return 'date';
    case 'time':
      return 'time';
    case 'dateTime':
      return 'dateTime';
    case 'duration':
      return 'duration';
    case 'json':
      return 'json';
    case 'binary':
      return 'binary';
  }
}

export interface Codec {
  readonly kind: ValueKind;
  /** The select-list expression that reads the column (some types are read as text, see the table above). */
  select(column: string): string;
  /** The database's value (as either driver returns it) to the JavaScript value. */
  read(raw: unknown): unknown;
  /** A JavaScript value to a query parameter; `what` names the field for errors. Never called with null. */
  write(value: unknown, what: string): unknown;
  /** A primitive that compares equal when the value is unchanged (for `save()`'s change detection). */
  snapshot(value: unknown): unknown;
  /** Supports gt/gte/lt/lte. */
  readonly ordered: boolean;
  /** Supports contains/startsWith as text patterns. */
  readonly textual: boolean;
}

const INT_RANGE: Record<'int2' | 'int4', readonly [number, number]> = {
  int2: [-32768, 32767],
  int4: [-2147483648, 2147483647],
};

function invalid(what: string, expected: string, value: unknown): never {
  throw new InvalidValueError(`${what} expects ${expected}, got ${describe(value)}.`);
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'an invalid Date' : `Date(${value.toISOString()})`;
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'object' && value !== null) return `a ${value.constructor?.name ?? 'object'}`;
  return String(value);
}

const plain = (column: string) => column;
const identity = (value: unknown) => value;

function integerCodec(kind: 'int2' | 'int4'): Codec {
  const [min, max] = INT_RANGE[kind];
  return {
    kind, ordered: true, textual: false, select: plain, snapshot: identity,
    read: (raw) => (typeof raw === 'number' ? raw : Number(raw)),
    write(value, what) {
      const n = typeof value === 'bigint' ? Number(value) : typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value;
      if (typeof n !== 'number' || !Number.isInteger(n)) invalid(what, 'an integer', value);
      if (n < min || n > max) invalid(what, `an integer between ${min} and ${max}`, value);
      return n;
    },
  };
}

/** int8: numbers while they are exact, decimal strings beyond 2^53 (JSON-safe, unlike bigint). */
export function readInt8(raw: unknown): unknown {
  if (typeof raw === 'number') return raw;
  if (typeof raw === 'string') {
    const n = Number(raw);
    return Number.isSafeInteger(n) ? n : raw;
  }
  if (typeof raw === 'bigint') return raw >= BigInt(Number.MIN_SAFE_INTEGER) && raw <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(raw) : raw.toString();
  return raw;
}

const int8Codec: Codec = {
  kind: 'int8', ordered: true, textual: false, select: plain, snapshot: identity,
  read: readInt8,
  write(value, what) {
    if (typeof value === 'number' && Number.isInteger(value)) {
      if (!Number.isSafeInteger(value)) invalid(what, 'an exact integer (pass integers beyond 2^53 as bigint or string)', value);
      return String(value);
    }
    if (typeof value === 'bigint') return value.toString();
    if (typeof value === 'string' && /^-?\d+$/.test(value)) return value;
    return invalid(what, 'an integer (number, bigint or digit string)', value);
  },
};

const floatCodec: Codec = {
  kind: 'float', ordered: true, textual: false, select: plain, snapshot: identity,
  read: (raw) => (typeof raw === 'number' ? raw : Number(raw)),
  write(value, what) {
    if (typeof value === 'number') return Number.isFinite(value) ? value : String(value === Infinity ? 'Infinity' : value === -Infinity ? '-Infinity' : 'NaN');
    if (typeof value === 'bigint') return Number(value);
    return invalid(what, 'a number', value);
  },
};

const decimalCodec: Codec = {
  kind: 'decimal', ordered: true, textual: false, select: plain, snapshot: identity,
  read: (raw) => (raw === null || typeof raw === 'string' ? raw : String(raw)),
  write(value, what) {
    if (typeof value === 'string' && /^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/.test(value)) return value.trim();
    if (typeof value === 'number' && Number.isFinite(value)) return String(value);
    if (typeof value === 'bigint') return value.toString();
    return invalid(what, 'a decimal (string such as "12.50", number or bigint)', value);
  },
};

function stringCodec(kind: 'text' | 'uuid'): Codec {
  const uuid = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;
  return {
    kind, ordered: true, textual: kind === 'text', select: plain, snapshot: identity,
    read: identity,
    write(value, what) {
      if (typeof value !== 'string') invalid(what, kind === 'uuid' ? 'a UUID string' : 'a string', value);
      if (kind === 'uuid' && !uuid.test(value)) invalid(what, 'a UUID string', value);
      return value;
    },
  };
}

const booleanCodec: Codec = {
  kind: 'boolean', ordered: false, textual: false, select: plain, snapshot: identity,
  read: (raw) => (typeof raw === 'boolean' ? raw : raw === 't' || raw === 'true'),
  write: (value, what) => (typeof value === 'boolean' ? value : invalid(what, 'a boolean', value)),
};

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** The UTC calendar date of a Date: `YYYY-MM-DD`. */
export function utcDate(value: Date): string {
  return `${pad(value.getUTCFullYear(), 4)}-${pad(value.getUTCMonth() + 1)}-${pad(value.getUTCDate())}`;
}

function validDate(value: unknown): value is Date {
  return value instanceof Date && !Number.isNaN(value.getTime());
}

const dateCodec: Codec = {
  kind: 'date', ordered: true, textual: false,
  // node-postgres turns a date into local midnight, PGlite into UTC midnight: read the text instead.
  select: (column) => `${column}::text`,
  read(raw) {
    if (raw instanceof Date) return raw;
    const match = typeof raw === 'string' ? /^(\d{4,})-(\d\d)-(\d\d)$/.exec(raw) : null;
    if (!match) return raw; // 'infinity', BC dates: kept as PostgreSQL prints them
    const date = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
    if (Number(match[1]) < 100) date.setUTCFullYear(Number(match[1]));
    return date;
  },
  write(value, what) {
    if (validDate(value)) return utcDate(value);
    if (typeof value === 'string') return value;
    return invalid(what, "a Date or a 'YYYY-MM-DD' string", value);
  },
  snapshot: (value) => (value instanceof Date ? value.getTime() : value),
};

const timeCodec: Codec = {
  kind: 'time', ordered: true, textual: false, select: plain, snapshot: identity,
  read: (raw) => (raw === null || typeof raw === 'string' ? raw : String(raw)),
  write(value, what) {
    if (typeof value === 'string') return value;
    if (validDate(value)) return value.toISOString().slice(11, 23);
    return invalid(what, "a time string ('HH:MM:SS')", value);
  },
};

const dateTimeCodec: Codec = {
  kind: 'dateTime', ordered: true, textual: false, select: plain,
  read: (raw) => (raw instanceof Date || raw === null ? raw : new Date(String(raw))),
  write(value, what) {
    if (validDate(value)) return value.toISOString();
    if (typeof value === 'string') return value;
    if (typeof value === 'number' && Number.isFinite(value)) return new Date(value).toISOString();
    return invalid(what, 'a Date or an ISO 8601 string', value);
  },
  snapshot: (value) => (value instanceof Date ? value.getTime() : value),
};

const durationCodec: Codec = {
  kind: 'duration', ordered: true, textual: false, snapshot: identity,
  // node-postgres reads an interval as an object, PGlite as text: read its length in seconds instead.
  select: (column) => `extract(epoch from ${column})::float8`,
  read: (raw) => (typeof raw === 'number' ? raw : Number(raw)),
  write(value, what) {
    if (typeof value === 'number' && Number.isFinite(value)) return `${value} seconds`;
    if (typeof value === 'string') return value;
    return invalid(what, "a number of seconds or an interval string ('1 day 02:00:00')", value);
  },
};

const jsonCodec: Codec = {
  kind: 'json', ordered: false, textual: false, select: plain,
  // Both drivers parse json/jsonb already (a JSON string arrives as a JavaScript string).
  read: identity,
  // Always sent as JSON text: node-postgres would send a JavaScript array as a PostgreSQL array.
  write(value, what) {
    if (value === undefined || typeof value === 'function' || typeof value === 'symbol' || typeof value === 'bigint') {
      invalid(what, 'a JSON value', value);
    }
    return JSON.stringify(value);
  },
  snapshot: (value) => JSON.stringify(value),
};

const binaryCodec: Codec = {
  kind: 'binary', ordered: false, textual: false, select: plain,
  read(raw) {
    if (Buffer.isBuffer(raw)) return raw;
    if (raw instanceof Uint8Array) return Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
    if (typeof raw === 'string' && raw.startsWith('\\x')) return Buffer.from(raw.slice(2), 'hex');
    return raw;
  },
  write(value, what) {
    if (value instanceof Uint8Array) return value;
    return invalid(what, 'a Buffer or Uint8Array', value);
  },
  snapshot: (value) => (value instanceof Uint8Array ? Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64') : value),
};

const CODECS: Record<ValueKind, Codec> = {
  int2: integerCodec('int2'),
  int4: integerCodec('int4'),
  int8: int8Codec,
  float: floatCodec,
  decimal: decimalCodec,
  text: stringCodec('text'),
  uuid: stringCodec('uuid'),
  boolean: booleanCodec,
  date: dateCodec,
  time: timeCodec,
  dateTime: dateTimeCodec,
  duration: durationCodec,
  json: jsonCodec,
  binary: binaryCodec,
};

export function codecFor(kind: ValueKind): Codec {
  return CODECS[kind];
}

/** The value a `default` gives a new row: a fresh copy of a literal, or the callable's result. */
export function defaultValue(value: DefaultValue): unknown {
  if (isCallableDefault(value)) return callDefault(value);
  return value !== null && typeof value === 'object' ? structuredClone(value) : value;
}

function callDefault(value: CallableDefault): unknown {
  switch (value.name) {
    case 'now':
      return new Date();
    case 'uuid4':
      return randomUUID();
  }
}
