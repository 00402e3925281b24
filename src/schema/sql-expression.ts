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
    if (ch === "'") {
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
