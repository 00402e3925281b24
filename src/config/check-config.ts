import { didYouMean } from '../errors/did-you-mean.js';
import { ConfigError } from '../errors/index.js';

/**
 * Checks of sediment.config.* that validateConfig (load-config.ts) does not make: a key it does not
 * know is refused with the nearest known one (`historytable` was ignored silently, so the default
 * table was used), app labels that are names of Object.prototype are refused (`__proto__` crashed the
 * collector: issue 8, item 13), and a blank historyTable is refused (`' '` was accepted).
 */
export const CONFIG_KEYS = ['database', 'apps', 'historyTable', 'columnNaming', 'lockTimeout', 'statementLockTimeout'] as const;

export function checkConfig(value: unknown, file: string): unknown {
  if (typeof value !== 'object' || value === null) return value;
  const fail = (what: string, hint: string) => new ConfigError(`${file}: ${what}`, { hint });
  for (const key of Object.keys(value)) {
    if (!(CONFIG_KEYS as readonly string[]).includes(key)) {
      throw fail(`unknown key ${JSON.stringify(key)}${didYouMean(key, CONFIG_KEYS)}.`, `The keys of defineConfig({...}) are ${CONFIG_KEYS.join(', ')}.`);
    }
  }
  const config = value as Record<string, unknown>;
  const apps = config.apps;
  if (typeof apps === 'object' && apps !== null) {
    for (const label of Object.keys(apps)) {
      if (label in Object.prototype) {
        throw fail(`the app label ${JSON.stringify(label)} is reserved (a name every JavaScript object has).`, 'Choose another label for the app, e.g. its folder name.');
      }
    }
  }
  if (typeof config.historyTable === 'string' && config.historyTable.trim() !== config.historyTable) {
    throw fail(
      `historyTable ${JSON.stringify(config.historyTable)} ${config.historyTable.trim() === '' ? 'is blank' : 'starts or ends with a space'}.`,
      "Name the history table, e.g. historyTable: 'sediment_migrations' (the default).",
    );
  }
  return value;
}
