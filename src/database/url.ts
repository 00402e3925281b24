import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigError } from '../errors/index.js';

/**
 * Database URLs: which backend a URL names, whether it is well formed, and the only ways a URL is
 * ever shown (describeUrl for a target, redact for any text that may hold one). A database URL holds
 * a password more often than not, so nothing here puts an unparsed URL, or any part of one that could
 * be the password, into a message (issue 8, item 12: libpq keyword strings, JDBC and ADO.NET strings
 * and a one-slash typo were echoed whole by the "unknown scheme" error).
 */

/** A parsed database URL. Only the scheme decides the backend. */
export type DatabaseTarget =
  | { readonly kind: 'postgres'; readonly url: string }
  | { readonly kind: 'pglite'; readonly path: string }
  | { readonly kind: 'sqlite'; readonly path: string }
  | { readonly kind: 'mysql'; readonly url: string };

const URL_FORMS = 'Use postgres://USER:PASSWORD@HOST:PORT/DATABASE, pglite:PATH, pglite:memory, sqlite:PATH or mysql://….';

/** Throws a ConfigError, password-free, for a URL that no backend could use. */
export function parseDatabaseUrl(url: string): DatabaseTarget {
  const scheme = schemeOf(url);
  if (scheme === 'postgres' || scheme === 'postgresql') {
    if (!/^[a-z]+:\/\//i.test(url)) throw missingSlashes(scheme);
    checkPostgresUrl(url);
    return { kind: 'postgres', url };
  }
  if (scheme === 'pglite') {
    const path = url.slice('pglite:'.length);
    if (!path) throw new ConfigError('The database URL pglite: has no path.', { hint: "Use 'pglite:./.sediment/dev' or 'pglite:memory'." });
    return { kind: 'pglite', path };
  }
  if (scheme === 'sqlite') return { kind: 'sqlite', path: url.slice('sqlite:'.length) };
  if (scheme === 'mysql' || scheme === 'mariadb') {
    if (!/^[a-z]+:\/\//i.test(url)) throw missingSlashes(scheme);
    return { kind: 'mysql', url };
  }
  throw unrecognised(url, scheme);
}

/**
 * The lowercased scheme when the text starts with one (RFC 3986 §3.1: a letter, then letters, digits,
 * `+`, `-`, `.`, then `:`), else undefined. Only a scheme of that shape is ever named in a message:
 * for `host=db password=s3cret` the text before the first colon was the whole string.
 */
function schemeOf(url: string): string | undefined {
  return /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase();
}

function missingSlashes(scheme: string): ConfigError {
  return new ConfigError(`The database URL starts with '${scheme}:' but not '${scheme}://'.`, {
    hint: `Write two slashes after the scheme: ${scheme}://USER:PASSWORD@HOST:PORT/DATABASE.`,
  });
}

/** What the string looks like when it is not a URL Sediment knows, named without any of its values. */
function unrecognised(url: string, scheme: string | undefined): ConfigError {
  if (scheme === 'jdbc') {
    return new ConfigError('The database URL is a JDBC URL (jdbc:…); Sediment takes a plain postgres:// URL.', {
      hint: "Drop the 'jdbc:' prefix: postgresql://HOST:PORT/DATABASE?user=USER&password=PASSWORD works as it is.",
    });
  }
  const keywords = [...url.matchAll(/(?:^|[\s;])\s*([A-Za-z][A-Za-z ]*?)\s*=/g)].map((m) => m[1]!.trim().toLowerCase());
  if (keywords.length > 0 && url.includes(';')) {
    return new ConfigError(`The database URL is an ADO.NET-style connection string (${unique(keywords).map((k) => `${k}=…`).join(';')}), not a URL.`, {
      hint: 'Write it as a URL: postgres://USER:PASSWORD@HOST:PORT/DATABASE.',
    });
  }
  if (keywords.length > 0 && scheme === undefined) {
    return new ConfigError(`The database URL is a libpq keyword/value connection string (${unique(keywords).map((k) => `${k}=…`).join(' ')}), not a URL.`, {
      hint: 'Write it as a URL: postgres://USER:PASSWORD@HOST:PORT/DATABASE (libpq accepts both; Sediment takes the URL form).',
    });
  }
  if (scheme === undefined) {
    return new ConfigError('The database URL is not a URL: it does not start with a scheme such as postgres:// or pglite:.', { hint: URL_FORMS });
  }
  return new ConfigError(`Unknown database URL scheme '${scheme}'.`, {
    hint: `${URL_FORMS} If '${scheme}' is a user name, the URL lacks its scheme: postgres://${scheme}:…@HOST/DATABASE.`,
  });
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}

/**
 * Checks a postgres:// URL the way node-postgres will read it (pg-connection-string: spaces encoded
 * first, an empty host before a `?host=` allowed), so that no malformed URL reaches the driver, which
 * failed with a bare "Invalid URL" TypeError (port 99999, port abc, an unclosed IPv6 bracket) or
 * an ENOENT for a missing certificate file (issue 8, item 13). No part of the URL is named: in a URL
 * without its `@`, what looks like the port may be the password.
 */
function checkPostgresUrl(url: string): void {
  const parsed = parseLikeNodePostgres(url);
  if (!parsed) throw new ConfigError(`The PostgreSQL URL is not a valid URL: ${authorityProblem(url)}.`, { hint: URL_HINT });
  const portParam = parsed.searchParams.get('port');
  for (const port of [parsed.port, portParam ?? '']) {
    if (port !== '' && !validPort(port)) {
      throw new ConfigError('The PostgreSQL URL has a port outside 1–65535.', { hint: URL_HINT });
    }
  }
  for (const key of ['sslrootcert', 'sslcert', 'sslkey']) {
    const file = parsed.searchParams.get(key);
    // node-postgres reads these files relative to the current folder when it parses the URL.
    if (file && !existsSync(resolve(file))) {
      throw new ConfigError(`The PostgreSQL URL's ${key} names ${file}, which does not exist.`, {
        hint: `Give the path of the ${key === 'sslrootcert' ? 'root certificate (CA) file' : key === 'sslcert' ? 'client certificate file' : 'client key file'}, absolute or relative to the folder sediment runs in.`,
      });
    }
  }
}

const URL_HINT =
  'The form is postgres://USER:PASSWORD@HOST:PORT/DATABASE (an IPv6 host in brackets: [::1]); ' +
  'characters such as @ : / ? # in the user name or password must be percent-encoded (@ is %40).';

function parseLikeNodePostgres(url: string): URL | undefined {
  const text = / |%[^a-f0-9]|%[a-f0-9][^a-f0-9]/i.test(url) ? encodeURI(url).replace(/%25(\d\d)/g, '%$1') : url;
  for (const candidate of [text, text.replace('@/', '@___DUMMY___/')]) {
    try {
      return new URL(candidate);
    } catch {
      // try the next form, as node-postgres does
    }
  }
  return undefined;
}

function validPort(port: string): boolean {
  return /^\d{1,5}$/.test(port) && Number(port) >= 1 && Number(port) <= 65535;
}

/** Why the host and port part does not parse, said without quoting it. */
function authorityProblem(url: string): string {
  const rest = url.slice(url.indexOf('//') + 2);
  const authority = rest.split(/[/?#]/)[0] ?? '';
  const hostPort = authority.slice(authority.lastIndexOf('@') + 1);
  if (hostPort.startsWith('[') && !hostPort.includes(']')) return "its host has an unclosed '[' (an IPv6 address is written [::1])";
  const port = hostPort.startsWith('[') ? hostPort.slice(hostPort.indexOf(']') + 1).replace(/^:/, '') : hostPort.split(':').slice(1).join(':');
  if (port !== '' && !/^\d+$/.test(port)) {
    return authority.includes('@') ? 'its port is not a number' : "its port is not a number (or the password lacks the '@' that ends it)";
  }
  if (port !== '' && !validPort(port)) return 'its port is outside 1–65535';
  return 'its host, port or user part is malformed';
}

/**
 * The one way a database target is shown: "PostgreSQL user@host:port/db" (never the password or the
 * query), "PGlite PATH", or only the scheme for anything else. The connection's description, doctor's
 * header and every other message naming the database go through here (or through describeUrl).
 */
export function describeTarget(url: string): string {
  const scheme = schemeOf(url);
  if (scheme === 'postgres' || scheme === 'postgresql') return `PostgreSQL ${describeUrl(url)}`;
  if (scheme === 'pglite') return `PGlite ${url.slice('pglite:'.length)}`;
  if (scheme === 'sqlite') return `SQLite ${url.slice('sqlite:'.length)}`;
  if (scheme === 'mysql' || scheme === 'mariadb') return `MySQL ${describeUrl(url)}`;
  return scheme === undefined ? '(not a URL)' : `(a ${scheme}: URL)`;
}

/** `user@host:port/database` of a server URL, without the password or the query. */
export function describeUrl(url: string): string {
  const parsed = /^[a-z][a-z0-9+.-]*:\/\//i.test(url) ? parseLikeNodePostgres(url) : undefined;
  if (!parsed) return '(malformed URL)';
  const user = parsed.username ? `${safeDecode(parsed.username)}@` : '';
  const host = parsed.hostname === '___DUMMY___' ? '' : parsed.hostname;
  return `${user}${host}${parsed.port ? `:${parsed.port}` : ''}${parsed.pathname}`;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * Any text with every password form masked: everything between `://` (or `:/`) and the last `@`
 * after the user name, and `password=` / `pwd=` parameters in a query, a libpq keyword string or an
 * ADO.NET string, in any case. Over-masking is accepted: `user:ab@s3cret@host` hides `ab@s3cret`.
 */
export function redact(text: string): string {
  return text
    .replace(/(:\/{0,2})([^\s'"]*)@/g, (_match, slashes: string, userinfo: string) => {
      // Without '//' the scheme's colon is followed by a user or a password: mask all of it.
      if (slashes.length < 3) return `${slashes}***@`;
      const colon = userinfo.indexOf(':');
      return colon === -1 ? `${slashes}${userinfo.includes('@') ? '***' : userinfo}@` : `${slashes}${userinfo.slice(0, colon)}:***@`;
    })
    // `postgres://user:pw/db` (the '@' forgotten): a "port" that is not a number may be the password.
    .replace(/(:\/\/[^\s'"/:@]*:)([^\s'"/@?#]*[^\d\s'"/@?#][^\s'"/@?#]*)(?=[/?#\s]|$)/g, '$1***')
    .replace(PASSWORD_PARAMETER, (_match, key: string, equals: string) => `${key}${equals}***`);
}

const PASSWORD_PARAMETER = /\b((?:ssl)?password|passwd|pwd|pass)(\s*=\s*)('(?:[^'\\]|\\.)*'|"[^"]*"|[^&;\s]*)/gi;
