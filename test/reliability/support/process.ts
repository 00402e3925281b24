import { spawn } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CliResult } from '../../support/cli.js';

/**
 * The `sediment` binary as test/support/cli.ts runs it (the same package root, SEDIMENT_TEST_CLI_ROOT
 * included), with what the reliability tests need besides: the time the output first showed a given
 * text, a kill at a given moment, and a callback with the child's pid while it runs.
 */
const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const packageRoot = process.env.SEDIMENT_TEST_CLI_ROOT ? resolve(process.env.SEDIMENT_TEST_CLI_ROOT) : repo;
export const sedimentBin = join(packageRoot, 'bin', 'sediment.js');

export interface SpawnOptions {
  /** Note when stdout first contains this text (seenAtMs). */
  readonly watchFor?: string;
  /** Called once when stdout first contains `watchFor`. */
  readonly onSeen?: () => void;
  /** SIGKILL the process after this long (default: 120 s, so that a hang fails). */
  readonly killAfterMs?: number;
  /** Called with the child's pid once it is spawned (to signal it while it runs). */
  readonly onSpawn?: (pid: number) => void;
}

export interface TimedResult extends CliResult {
  readonly elapsedMs: number;
  readonly seenAtMs?: number;
}

export function spawnSediment(cwd: string, args: readonly string[], options: SpawnOptions = {}): Promise<TimedResult> {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  delete env.DATABASE_URL;
  delete env.FORCE_COLOR;
  const started = performance.now();
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [sedimentBin, ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    if (child.pid !== undefined) options.onSpawn?.(child.pid);
    let stdout = '';
    let stderr = '';
    let seenAtMs: number | undefined;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      if (options.watchFor && seenAtMs === undefined && stdout.includes(options.watchFor)) {
        seenAtMs = performance.now() - started;
        options.onSeen?.();
      }
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.killAfterMs ?? 120_000);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ command: `sediment ${args.join(' ')}`, code, signal, stdout, stderr, elapsedMs: performance.now() - started, seenAtMs });
    });
  });
}
