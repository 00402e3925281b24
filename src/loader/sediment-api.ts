import * as sediment from '../index.js';
import type { ModelDefinition } from '../model/model.js';

/**
 * User files import from 'sediment-migrations'. Inside compiled bundles that import is a small virtual module
 * reading `globalThis.__sediment__`, which the loader points at this running instance before it
 * imports a bundle. So a project needs no copy of Sediment in its own node_modules, and what
 * `ops.noop` or `f.now` is never depends on which copy a file happened to resolve.
 */
export const SEDIMENT_GLOBAL = '__sediment__';

/** Creation order of model definitions: a models file's models are returned in declaration order. */
const created = new WeakMap<object, number>();
let sequence = 0;

let api: Readonly<Record<string, unknown>> | undefined;
let names: readonly string[] | undefined;

const identifier = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** Makes this instance's public API what bundles see as 'sediment'; returns its export names. */
export function installSedimentApi(): readonly string[] {
  if (api === undefined) {
    const model: typeof sediment.model = (...args) => {
      const definition = sediment.model(...args);
      created.set(definition, sequence++);
      return definition;
    };
    api = Object.freeze({ ...sediment, model });
    names = Object.keys(api).filter((name) => identifier.test(name)).sort();
  }
  (globalThis as Record<string, unknown>)[SEDIMENT_GLOBAL] = api;
  return names!;
}

/** The order in which `model()` created the definition in this process, if it did. */
export function creationIndex(definition: ModelDefinition): number | undefined {
  return created.get(definition);
}

/**
 * The virtual 'sediment' module. Every export is bound to a `__sediment_`-prefixed local so that
 * bundling never renames the user's own variables (`f`, `ops`) to make room for ours: renamed
 * variables would change the printed source of runCode functions, and with it the checksum. The
 * bindings are pure calls, so esbuild drops those a file does not use.
 */
export function virtualModuleSource(exportNames: readonly string[]): string {
  const lines = [
    `const __sediment_api = globalThis.${SEDIMENT_GLOBAL};`,
    `if (__sediment_api === undefined) throw new Error("This file was compiled by Sediment's loader and can only be imported through it.");`,
    'const __sediment_get = (name) => __sediment_api[name];',
    ...exportNames.map((name) => `const __sediment_${name} = /* @__PURE__ */ __sediment_get(${JSON.stringify(name)});`),
    `export { ${exportNames.map((name) => `__sediment_${name} as ${name}`).join(', ')} };`,
  ];
  return `${lines.join('\n')}\n`;
}

/**
 * The message of an error thrown by a user's file, with the virtual module's local names turned back
 * into what the user wrote (`__sediment_f.nope is not a function` -> `f.nope is not a function`).
 */
export function userFacingMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/\b__sediment_(\w+)/g, '$1');
}
