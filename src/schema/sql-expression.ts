/**
 * A comparison key for SQL expressions (check constraints, index predicates, defaults), so that what a
 * user wrote (`brand <> ''`) and what PostgreSQL prints back (`((brand)::text <> ''::text)`) compare
 * equal. It is a heuristic, not a parser: it drops casts, parentheses, identifier quotes and spaces, and
 * spells a few operators one way. Two different expressions could in rare cases share a key (when only
 * their parenthesization differs); two equal ones written in the usual ways get the same key.
 */
export function expressionKey(sql: string): string {
  const text = tokenize(sql)
    // '5'::integer and 5 are the same constant.
    .map((token) => (token.kind === 'string' && /^'-?\d+(\.\d+)?'$/.test(token.text) ? token.text.slice(1, -1) : token.text))
    .join('');
  // x IN (a, b) is printed back as x = ANY (ARRAY[a, b]), NOT IN as <> ALL (ARRAY[...]).
  return text.replace(/=anyarray\[(.*?)\]/g, 'in$1').replace(/<>allarray\[(.*?)\]/g, 'notin$1');
}

interface Token {
  readonly kind: 'string' | 'code';
  readonly text: string;
}

/** Types PostgreSQL prints with spaces, which a cast may name. */
const MULTIWORD_TYPES = [
  'character varying', 'timestamp with time zone', 'timestamp without time zone', 'time with time zone',
  'time without time zone', 'double precision', 'bit varying',
];

/**
 * Splits into string literals (kept verbatim) and code (lowercased, without casts, parentheses, quotes
 * around identifiers or whitespace).
 */
function tokenize(sql: string): Token[] {
  const tokens: Token[] = [];
  let code = '';
  const flush = () => {
    if (code) tokens.push({ kind: 'code', text: normalizeCode(code) });
    code = '';
  };
  for (let i = 0; i < sql.length; ) {
    const ch = sql[i];
    if ((ch === 'E' || ch === 'e') && sql[i + 1] === "'" && !/[\w$]$/.test(code)) {
      // An escape string (E'a\\b'), as quoteLiteral writes a string with backslashes, is printed back by
      // PostgreSQL as the standard string ('a\b'): compare them by value.
      const { value, end } = escapeString(sql, i + 2);
      flush();
      tokens.push({ kind: 'string', text: `'${value.replace(/'/g, "''")}'` });
      i = end + 1;
    } else if (ch === "'") {
      let j = i + 1;
      while (j < sql.length) {
        if (sql[j] === "'" && sql[j + 1] === "'") j += 2;
        else if (sql[j] === "'") break;
        else j++;
      }
      flush();
      tokens.push({ kind: 'string', text: sql.slice(i, j + 1) });
      i = j + 1;
    } else if (ch === '"') {
      let j = i + 1;
      let name = '';
      while (j < sql.length) {
        if (sql[j] === '"' && sql[j + 1] === '"') {
          name += '"';
          j += 2;
        } else if (sql[j] === '"') break;
        else name += sql[j++];
      }
      code += name;
      i = j + 1;
    } else {
      code += ch;
      i++;
    }
  }
  flush();
  return tokens;
}

/**
 * The value of an escape string whose body starts at `start` (just after `E'`), and the index of its
 * closing quote (https://www.postgresql.org/docs/current/sql-syntax-lexical.html#SQL-SYNTAX-STRINGS-ESCAPE).
 */
function escapeString(sql: string, start: number): { value: string; end: number } {
  const simple: Readonly<Record<string, string>> = { b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
  let value = '';
  let j = start;
  while (j < sql.length) {
    const ch = sql[j];
    if (ch === '\\' && j + 1 < sql.length) {
      const next = sql[j + 1];
      const octal = /^[0-7]{1,3}/.exec(sql.slice(j + 1, j + 4));
      const hex = /^x([0-9a-fA-F]{1,2})/.exec(sql.slice(j + 1, j + 4));
      if (octal) {
        value += String.fromCharCode(Number.parseInt(octal[0], 8));
        j += 1 + octal[0].length;
      } else if (hex) {
        value += String.fromCharCode(Number.parseInt(hex[1], 16));
        j += 1 + hex[0].length;
      } else {
        value += simple[next] ?? next;
        j += 2;
      }
    } else if (ch === "'" && sql[j + 1] === "'") {
      value += "'";
      j += 2;
    } else if (ch === "'") {
      break;
    } else {
      value += ch;
      j++;
    }
  }
  return { value, end: j };
}

function normalizeCode(code: string): string {
  let text = code.toLowerCase()
    .replace(/!=/g, '<>')
    .replace(/\bnot\s+ilike\b/g, '!~~*')
    .replace(/\bilike\b/g, '~~*')
    .replace(/\bnot\s+like\b/g, '!~~')
    .replace(/\blike\b/g, '~~')
    // x BETWEEN a AND b is printed back as x >= a AND x <= b (simple operands only).
    .replace(/([\w.]+)\s+between\s+([\w.-]+)\s+and\s+([\w.-]+)/g, '$1 >= $2 and $1 <= $3');
  for (const type of MULTIWORD_TYPES) {
    text = text.replace(new RegExp(`::\\s*${type.replace(/ /g, '\\s+')}(\\s*\\(\\s*\\d+(\\s*,\\s*\\d+)?\\s*\\))?(\\[\\])*`, 'g'), '');
  }
  text = text.replace(/::\s*[a-z_][a-z0-9_.]*(\s*\(\s*\d+(\s*,\s*\d+)?\s*\))?(\[\])*/g, '');
  return text.replace(/[()\s]/g, '');
}
