import { InvalidDefinitionError } from '../../errors/index.js';
import type { CallableDefault, DefaultValue, Literal } from '../../model/fields.js';
import { isCallableDefault } from '../../model/fields.js';
import { MAX_IDENTIFIER_BYTES } from '../../state/names.js';
import type { ReferentialAction } from '../../schema/types.js';

/**
 * Quoting and small SQL fragments for PostgreSQL. Every identifier Sediment writes goes through
 * `quoteName`, every string through `quoteLiteral`: nothing is pasted into SQL unquoted.
 */

/**
 * `"name"`, with embedded double quotes doubled. Always quoted, so reserved words (`order`), mixed case
 * and unicode survive. Names over 63 bytes are refused: PostgreSQL would silently truncate them
 * (NAMEDATALEN, https://www.postgresql.org/docs/current/sql-syntax-lexical.html#SQL-SYNTAX-IDENTIFIERS)
 * and later look-ups by the full name would miss.
 */
export function quoteName(name: string): string {
  if (name.length === 0) throw new InvalidDefinitionError('An empty name cannot be used as a PostgreSQL identifier.');
  if (name.includes('\u0000')) throw new InvalidDefinitionError(`The name ${JSON.stringify(name)} contains a NUL character.`);
  if (Buffer.byteLength(name) > MAX_IDENTIFIER_BYTES) {
    throw new InvalidDefinitionError(
      `The name "${name}" is ${Buffer.byteLength(name)} bytes long; PostgreSQL identifiers are at most ${MAX_IDENTIFIER_BYTES} bytes and longer ones are silently truncated.`,
      { hint: 'Choose a shorter name (dbTable / dbColumn / the index or constraint name).' },
    );
  }
  return `"${name.replace(/"/g, '""')}"`;
}

export function quoteNames(names: readonly string[]): string {
  return names.map(quoteName).join(', ');
}

/**
 * A string constant. Quotes are doubled; a string with backslashes is written as an escape string
 * (E'...') so the result does not depend on standard_conforming_strings.
 */
export function quoteLiteral(value: string): string {
  if (value.includes('\u0000')) throw new InvalidDefinitionError('PostgreSQL strings cannot contain NUL characters.');
  const doubled = value.replace(/'/g, "''");
  return value.includes('\\') ? `E'${doubled.replace(/\\/g, '\\\\')}'` : `'${doubled}'`;
}

/** A literal value as SQL for a column of `canonicalType` (used by DEFAULT and UPDATE ... SET). */
export function literalSql(value: Literal, canonicalType: string): string {
  if (value === null) return 'NULL';
  if (canonicalType === 'jsonb' || canonicalType === 'json') return quoteLiteral(JSON.stringify(value));
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return quoteLiteral(String(value));
    // interval '5' is five seconds; a bare number would not cast to interval.
    if (canonicalType === 'interval') return quoteLiteral(`${value} seconds`);
    return String(value);
  }
  if (typeof value === 'string') return canonicalType === 'bytea' ? byteaLiteral(value) : quoteLiteral(value);
  // Arrays and objects outside JSON columns: their JSON text is the only sensible spelling.
  return quoteLiteral(JSON.stringify(value));
}

/**
 * A bytea constant in the hex form PostgreSQL prints back (`'\x62696e'`). Written as the string was
 * (`'bin'`), the column's default reads back as `'\x62696e'::bytea` and the expected and the live schema
 * never compared equal (found by the reliability round trip). The string is read the way PostgreSQL
 * reads bytea input (https://www.postgresql.org/docs/current/datatype-binary.html): `\x…` is hex
 * already; otherwise the escape format, where `\\` is a backslash and `\ooo` an octal byte, and every
 * other character stands for its UTF-8 bytes.
 */
function byteaLiteral(value: string): string {
  if (/^\\x/i.test(value)) return quoteLiteral(`\\x${value.slice(2).replace(/\s+/g, '').toLowerCase()}`);
  const bytes: number[] = [];
  for (let i = 0; i < value.length; ) {
    if (value[i] === '\\') {
      const octal = /^[0-3][0-7]{2}/.exec(value.slice(i + 1, i + 4));
      if (value[i + 1] === '\\') {
        bytes.push(0x5c);
        i += 2;
      } else if (octal) {
        bytes.push(Number.parseInt(octal[0], 8));
        i += 4;
      } else {
        throw new InvalidDefinitionError(`${JSON.stringify(value)} is not a valid bytea value: a backslash must start \\\\ or an octal \\ooo.`);
      }
      continue;
    }
    const char = String.fromCodePoint(value.codePointAt(i)!);
    bytes.push(...Buffer.from(char, 'utf8'));
    i += char.length;
  }
  return quoteLiteral(`\\x${Buffer.from(bytes).toString('hex')}`);
}

/** SQL for a callable default evaluated by the database while filling existing rows. */
export function callableSql(value: CallableDefault): string {
  switch (value.name) {
    case 'now':
      return 'now()';
    case 'uuid4':
      // Built in since PostgreSQL 13 (https://www.postgresql.org/docs/current/functions-uuid.html).
      return 'gen_random_uuid()';
  }
}

/** A `default` (literal or callable) as an SQL expression. */
export function defaultValueSql(value: DefaultValue, canonicalType: string): string {
  return isCallableDefault(value) ? callableSql(value) : literalSql(value as Literal, canonicalType);
}

export function referentialActionSql(action: ReferentialAction): string {
  switch (action) {
    case 'no-action':
      return 'NO ACTION';
    case 'restrict':
      return 'RESTRICT';
    case 'cascade':
      return 'CASCADE';
    case 'set-null':
      return 'SET NULL';
    case 'set-default':
      return 'SET DEFAULT';
  }
}

/** Replaces `$1`, `$2`... by literals, for statements recorded rather than run (sqlmigrate). */
export function inlineParameters(sql: string, params: readonly unknown[] = []): string {
  if (params.length === 0) return sql;
  return sql.replace(/\$(\d+)/g, (match, digits: string) => {
    const index = Number(digits) - 1;
    if (index < 0 || index >= params.length) return match;
    const value = params[index];
    if (value === null || value === undefined) return 'NULL';
    if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
    if (value instanceof Date) return quoteLiteral(value.toISOString());
    return quoteLiteral(typeof value === 'string' ? value : JSON.stringify(value));
  });
}

/** Ends a statement with exactly one semicolon, for collected SQL. */
export function terminated(sql: string): string {
  const trimmed = sql.trim();
  return trimmed.endsWith(';') ? trimmed : `${trimmed};`;
}
