import type { Migration, NodeRef } from '../../src/graph/migration.js';
import type { Operation } from '../../src/operations/types.js';

const ref = (key: string): NodeRef => {
  const dot = key.indexOf('.');
  return [key.slice(0, dot), key.slice(dot + 1)];
};

export interface MigrationSketch {
  readonly deps?: readonly string[];
  readonly runBefore?: readonly string[];
  readonly replaces?: readonly string[];
  readonly ops?: readonly Operation[];
  readonly initial?: boolean;
}

/** A migration record from `'app.name'` keys: `mig('shop.0002_x', { deps: ['shop.0001_initial'] })`. */
export function mig(key: string, sketch: MigrationSketch = {}): Migration {
  const [app, name] = ref(key);
  return {
    app,
    name,
    file: `/project/src/${app}/migrations/${name}.ts`,
    dependencies: (sketch.deps ?? []).map(ref),
    operations: sketch.ops ?? [],
    initial: sketch.initial ?? false,
    atomic: true,
    replaces: (sketch.replaces ?? []).map(ref),
    runBefore: (sketch.runBefore ?? []).map(ref),
    checksum: `sha256:${key}`,
  };
}

/** A linear chain `app.0001` ... `app.000n`, each depending on the previous one. */
export function chain(app: string, count: number, first: readonly string[] = []): Migration[] {
  const out: Migration[] = [];
  for (let i = 1; i <= count; i++) {
    const name = `${app}.${String(i).padStart(4, '0')}_step`;
    out.push(mig(name, { deps: i === 1 ? first : [out[i - 2].app + '.' + out[i - 2].name] }));
  }
  return out;
}

export const keys = (plan: readonly { migration: Migration; backwards: boolean }[]): string[] =>
  plan.map((s) => `${s.backwards ? '-' : '+'}${s.migration.app}.${s.migration.name}`);

/** Runs `fn`, expecting it to throw an error of `type`; returns the error for further checks. */
export function thrown<E extends Error>(type: abstract new (...args: never[]) => E, fn: () => unknown): E {
  try {
    fn();
  } catch (error) {
    if (error instanceof type) return error;
    throw new Error(`expected ${type.name}, got ${(error as Error)?.name}: ${(error as Error)?.message}`, { cause: error });
  }
  throw new Error(`expected ${type.name}, nothing was thrown`);
}
