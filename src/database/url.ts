import { ConfigError } from '../errors/index.js';

/** A parsed database URL. Only the scheme decides the backend. */
export type DatabaseTarget =
  | { readonly kind: 'postgres'; readonly url: string }
  | { readonly kind: 'pglite'; readonly path: string }
  | { readonly kind: 'sqlite'; readonly path: string }
  | { readonly kind: 'mysql'; readonly url: string };

export function parseDatabaseUrl(url: string): DatabaseTarget {
  if (/^postgres(ql)?:\/\//i.test(url)) return { kind: 'postgres', url };
  if (/^pglite:/i.test(url)) {
    const path = url.slice('pglite:'.length);
    if (!path) throw new ConfigError(`Database URL ${url} has no path.`, { hint: "Use 'pglite:./.sediment/dev' or 'pglite:memory'." });
    return { kind: 'pglite', path };
  }
  if (/^sqlite:/i.test(url)) return { kind: 'sqlite', path: url.slice('sqlite:'.length) };
  if (/^(mysql|mariadb):\/\//i.test(url)) return { kind: 'mysql', url };
  const scheme = url.includes(':') ? url.slice(0, url.indexOf(':')) : url;
  throw new ConfigError(`Unknown database URL scheme '${scheme}' in ${JSON.stringify(redact(url))}.`, {
    hint: 'Use postgres://…, postgresql://…, pglite:PATH, pglite:memory, sqlite:PATH or mysql://….',
  });
}

/** The URL with any password replaced, for messages. */
export function redact(url: string): string {
  return url.replace(/(\/\/[^:/@]+:)[^@]*@/, '$1***@');
}
