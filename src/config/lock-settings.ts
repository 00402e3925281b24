import type { SedimentConfig } from './define-config.js';
import { ConfigError, UsageError } from '../errors/index.js';

/**
 * The config's lock settings, checked and in milliseconds. Defaults: wait for another process's lock
 * without limit (a long migration in another deploy is normal; `--lock-timeout` or `lockTimeout` sets
 * a limit), and let one statement wait 10 s for a table lock (strong_migrations' recommendation,
 * https://github.com/ankane/strong_migrations#lock-timeout): an ALTER queued behind a long read makes
 * every later query of that table wait too (trust findings, 12: a plain SELECT waited 14.2 s).
 */
export interface LockSettings {
  /** undefined: wait without limit. */
  readonly lockTimeoutMs: number | undefined;
  /** 0: no limit. */
  readonly statementLockTimeoutMs: number;
}

export const DEFAULT_STATEMENT_LOCK_TIMEOUT_S = 10;

export function lockSettings(config: SedimentConfig, configFile: string): LockSettings {
  const seconds = (key: 'lockTimeout' | 'statementLockTimeout'): number | undefined => {
    const value: unknown = config[key];
    if (value === undefined) return undefined;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      throw new ConfigError(`\`${key}\` in ${configFile} must be a number of seconds (0 or more), not ${JSON.stringify(value)}.`, {
        hint: `E.g. ${key}: ${key === 'lockTimeout' ? 60 : DEFAULT_STATEMENT_LOCK_TIMEOUT_S}.`,
      });
    }
    return value * 1000;
  };
  return {
    lockTimeoutMs: seconds('lockTimeout'),
    statementLockTimeoutMs: seconds('statementLockTimeout') ?? DEFAULT_STATEMENT_LOCK_TIMEOUT_S * 1000,
  };
}

/** `--lock-timeout SECONDS` in milliseconds; bad usage (exit 2) unless a number of seconds. */
export function parseLockTimeoutOption(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const seconds = Number(value);
  if (value.trim() === '' || !Number.isFinite(seconds) || seconds < 0) {
    throw new UsageError(`--lock-timeout takes a number of seconds (0 or more), not ${JSON.stringify(value)}.`, {
      hint: 'E.g. --lock-timeout 60 gives up after a minute; 0 gives up at once if another process holds the lock.',
    });
  }
  return seconds * 1000;
}
