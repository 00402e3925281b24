import { randomInt } from 'node:crypto';

/**
 * How big the reliability suite runs. `npm test` (CI: 2 cores, the whole suite in about 20 minutes)
 * runs the small counts; `SEDIMENT_RELIABILITY_SCALE=full` (or the scripts in scripts/reliability/)
 * the large ones. A count given in the environment wins over both, e.g.
 * `SEDIMENT_RELIABILITY_RUNS=50` for a quick local run of the property tests.
 */
export const FULL_SCALE = process.env.SEDIMENT_RELIABILITY_SCALE === 'full';

/** `ci` normally, `full` with SEDIMENT_RELIABILITY_SCALE=full; `override` (an env var name) wins. */
export function count(ci: number, full: number, override?: string): number {
  const given = override ? process.env[override] : undefined;
  if (given !== undefined && given !== '') {
    const n = Number(given);
    if (!Number.isInteger(n) || n < 0) throw new Error(`${override}=${given} is not a count`);
    return n;
  }
  return FULL_SCALE ? full : ci;
}

/**
 * The seed of a property run: SEDIMENT_RELIABILITY_SEED when given (to replay a failure), else a
 * fresh one. Every run prints its seed, and fast-check prints it again (with the shrunk path) when a
 * property fails: `SEDIMENT_RELIABILITY_SEED=<seed> npm test -- test/reliability/round-trip` replays it.
 */
export function propertySeed(): number {
  const given = process.env.SEDIMENT_RELIABILITY_SEED;
  if (given !== undefined && given !== '') {
    const n = Number(given);
    if (!Number.isInteger(n)) throw new Error(`SEDIMENT_RELIABILITY_SEED=${given} is not an integer`);
    return n;
  }
  return randomInt(0, 2 ** 31 - 1);
}

/** A small, seedable pseudo-random generator (xorshift32) for scripts and trial schedules. */
export function random(seed: number): () => number {
  let state = seed >>> 0 || 0x9e3779b9;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 4294967296;
  };
}
