import { existsSync } from 'node:fs';
import { ConfigError } from '../errors/index.js';

/** A parsed database URL. Only the scheme decides the backend. */
export type DatabaseTarget =
  | { readonly kind: 'postgres'; readonly url: string }
  | { readonly kind: 'pglite'; readonly path: string }
  | { readonly kind: 'sqlite'; readonly path: string }
  | { readonly kind: 'mysql'; readonly url: string };

const SCHEMES = 'Use postgres://…, postgresql://…, pglite:PATH, pglite:memory, sqlite:PATH or mysql://….';

/**
 * Reads a database URL, refusing anything a driver would choke on with a clear ConfigError. No
 * message here ever echoes the URL: what the user typed may be a libpq keyword string, a JDBC or
 * ADO.NET string or a typo, and any of those may carry a password (trust findings, finding 6).
 */
export function parseDatabaseUrl(url: string): DatabaseTarget {
  if (/^postgres(ql)?:\/\//i.test(url)) return { kind: 'postgres', url: checkServerUrl(url, 'PostgreSQL') };
  if (/^pglite:/i.test(url)) {
    const path = url.slice('pglite:'.length);
    if (!path) throw new ConfigError(`Database URL ${url} has no path.`, { hint: "Use 'pglite:./.sediment/dev' or 'pglite:memory'." });
    return { kind: 'pglite', path };
  }
  if (/^sqlite:/i.test(url)) return { kind: 'sqlite', path: url.slice('sqlite:'.length) };
  if (/^(mysql|mariadb):\/\//i.test(url)) return { kind: 'mysql', url: checkServerUrl(url, 'MySQL') };
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1];
  if (scheme && /^postgres(ql)?$/i.test(scheme)) {
    throw new ConfigError(`The database URL starts with '${scheme}:' but not '${scheme}://'.`, {
      hint: 'Write it as postgres://user:password@host:port/database (two slashes after the scheme).',
    });
  }
  throw new ConfigError(
    scheme ? `Unknown database URL scheme '${scheme}'.` : 'The database setting is not a URL: it does not start with a scheme such as postgres://.',
    { hint: `${SCHEMES} (A libpq "host=… dbname=…" string or a JDBC URL is not understood.)` },
  );
}

/**
 * A server URL's host, port and TLS files, checked before a driver sees them: node-postgres throws a
 * bare "Invalid URL" for a port of 99999 or an unclosed IPv6 bracket, and ENOENT for a missing
 * sslrootcert (trust findings, finding 13).
 */
function checkServerUrl(url: string, product: string): string {
  const rest = url.slice(url.indexOf('//') + 2);
  // The authority ends at the first '/', '?' or '#' after the last '@' (a password may hold any of them).
  const at = rest.lastIndexOf('@');
  const afterUser = at === -1 ? rest : rest.slice(at + 1);
  const hostPort = afterUser.split(/[/?#]/, 1)[0];
  const bad = (problem: string) =>
    new ConfigError(`The ${product} URL ${describeServerUrl(url)} is malformed: ${problem}.`, {
      hint: 'Check --database, DATABASE_URL or sediment.config; the form is scheme://user:password@host:port/database.',
    });
  let port = '';
  if (hostPort.startsWith('[')) {
    const close = hostPort.indexOf(']');
    if (close === -1) throw bad('an IPv6 address opens with "[" but has no closing "]"');
    port = hostPort.slice(close + 1).replace(/^:/, '');
  } else if (hostPort.includes(':')) {
    port = hostPort.slice(hostPort.lastIndexOf(':') + 1);
  }
  if (port !== '' && !/^\d+$/.test(port)) throw bad(`the port '${port}' is not a number`);
  if (port !== '' && (Number(port) < 1 || Number(port) > 65535)) throw bad(`the port ${port} is outside 1–65535`);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw bad('it is not a valid URL');
  }
  for (const parameter of ['sslrootcert', 'sslcert', 'sslkey']) {
    const file = parsed.searchParams.get(parameter);
    if (file && !existsSync(file)) {
      throw new ConfigError(`The ${product} URL names ${parameter}=${file}, and there is no such file.`, {
        hint: `Point ${parameter} at the certificate file (an absolute path), or leave the parameter out.`,
      });
    }
  }
  return url;
}

/** scheme://user@host:port/database for messages: the password and the query never appear. */
function describeServerUrl(url: string): string {
  const scheme = url.slice(0, url.indexOf('//') + 2);
  const rest = url.slice(scheme.length);
  const at = rest.lastIndexOf('@');
  const user = at === -1 ? '' : `${rest.slice(0, at).split(':', 1)[0]}@`;
  const afterUser = at === -1 ? rest : rest.slice(at + 1);
  return `${scheme}${user}${afterUser.split(/[?#]/, 1)[0]}`;
}

/**
 * Any text that may hold a connection string, with every password masked: everything between the
 * user and the last '@' after a scheme (`postgres://user:***@host`, also `jdbc:postgresql://…` and the
 * one-slash typo `postgres:/user:pw@host`), and `password=` / `pwd=` parameters in URL queries, libpq
 * keyword strings and ADO.NET strings (`Password=***;`).
 */
export function redact(text: string): string {
  const masked = text.replace(/\b((?:password|passwd|pwd|pass)\s*=\s*)('[^']*'|"[^"]*"|[^&;\s]*)/gi, '$1***');
  const scheme = /^([a-z][a-z0-9+.:-]*:\/{1,2})(.*)$/is.exec(masked);
  if (!scheme) return masked;
  const [, prefix, rest] = scheme;
  const at = rest.lastIndexOf('@');
  if (at === -1) return masked;
  const userinfo = rest.slice(0, at);
  const colon = userinfo.indexOf(':');
  return colon === -1 ? masked : `${prefix}${userinfo.slice(0, colon)}:***@${rest.slice(at + 1)}`;
}
