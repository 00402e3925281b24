/** Quotes an identifier for PostgreSQL: always quoted, embedded quotes doubled. */
export function quoteIdentifier(name: string): string {
  if (name.includes('\u0000')) throw new TypeError(`Identifier contains a NUL byte: ${JSON.stringify(name)}`);
  return `"${name.replace(/"/g, '""')}"`;
}

/** Quotes a string literal for PostgreSQL (standard_conforming_strings is on since 9.1). */
export function quoteLiteral(value: string): string {
  if (value.includes('\u0000')) throw new TypeError('String literal contains a NUL byte');
  return `'${value.replace(/'/g, "''")}'`;
}
