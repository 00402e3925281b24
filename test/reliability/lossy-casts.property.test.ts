import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { Connection } from '../../src/backends/base/connection.js';
import { scalarColumnType } from '../../src/backends/postgres/column-types.js';
import { lossyChange } from '../../src/autodetect/lossy-changes.js';
import { SedimentError } from '../../src/errors/index.js';
import type { ScalarField } from '../../src/model/fields.js';
import { f } from '../../src/model/fields.js';
import { ops } from '../../src/operations/ops.js';
import { ProjectState } from '../../src/state/project-state.js';
import { applyForwards } from '../support/apply-operations.js';
import { testTargets } from '../support/databases.js';
import { count, propertySeed } from './support/scale.js';

/**
 * Lossy casts (issue 8 item 2), property-based: random pairs of field kinds and options (strings of
 * several lengths, the integer sizes, decimals of random precision and scale, float, boolean, date,
 * dateTime) and random values of the old kind, on a table with rows. The alterField either succeeds
 * and every value reads back (cast to the old type) exactly as before, or fails with a clear error
 * (Sediment's refusal or a database error with a SQLSTATE) and leaves the rows exactly as they were.
 * A refusal by the check, and every check statement sent, come with a makemigrations warning for the
 * same pair. Changes from a string to another family (parsing, which normalises by design) are left
 * out. CI: 150 pairs on PGlite and 60 on the server; SEDIMENT_RELIABILITY_SCALE=full: 3000 + 1000.
 */

const runsFor = { pglite: count(150, 3000, 'SEDIMENT_RELIABILITY_RUNS'), postgres: count(60, 1000, 'SEDIMENT_RELIABILITY_SERVER_RUNS') };

const field: fc.Arbitrary<ScalarField> = fc.oneof(
  fc.constantFrom(1, 3, 5, 10, 40).map((maxLength) => f.char({ maxLength, null: true })),
  fc.constant(f.text({ null: true })),
  fc.constantFrom(f.smallInteger({ null: true }), f.integer({ null: true }), f.bigInteger({ null: true })),
  fc.integer({ min: 1, max: 12 }).chain((maxDigits) =>
    fc.integer({ min: 0, max: Math.min(4, maxDigits) }).map((decimalPlaces) => f.decimal({ maxDigits, decimalPlaces, null: true }))),
  fc.constantFrom(f.float({ null: true }), f.boolean({ null: true }), f.date({ null: true }), f.dateTime({ null: true })),
);

const family = (kind: string) =>
  ['char', 'text'].includes(kind) ? 'string' : ['smallInteger', 'integer', 'bigInteger'].includes(kind) ? 'integer' : kind;

const intRange: Record<string, [bigint, bigint]> = {
  smallInteger: [-32768n, 32767n], integer: [-2147483648n, 2147483647n], bigInteger: [-9223372036854775808n, 9223372036854775807n],
};

/** A SQL literal of a value of `x`'s type. */
function value(x: ScalarField): fc.Arbitrary<string> {
  switch (x.kind) {
    case 'char': case 'text':
      return fc.string({ unit: fc.constantFrom('a', 'b', ' ', '1', '.', 'é'), maxLength: x.maxLength ?? 60 }).map((s) => `'${s}'`);
    case 'smallInteger': case 'integer': case 'bigInteger': {
      const [min, max] = intRange[x.kind];
      return fc.oneof(fc.bigInt({ min, max }), fc.bigInt({ min: -300n, max: 300n }), fc.constantFrom(0n, 1n, min, max)).map(String);
    }
    case 'decimal': {
      const places = x.decimalPlaces!;
      const bound = 10n ** BigInt(x.maxDigits! - places) - 1n;
      return fc.tuple(fc.oneof(fc.bigInt({ min: -bound, max: bound }), fc.bigInt({ min: bound < 3n ? -bound : -3n, max: bound < 3n ? bound : 3n })), fc.integer({ min: 0, max: 10 ** places - 1 }))
        .map(([whole, fraction]) => (places === 0 ? `${whole}` : `${whole < 0n ? '-' : ''}${whole < 0n ? -whole : whole}.${String(fraction).padStart(places, '0')}`));
    }
    case 'float':
      return fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e12, max: 1e12 }), fc.integer({ min: -100, max: 100 }), fc.constantFrom(0.5, 2.7, 1e20))
        .map((n) => `${Object.is(n, -0) ? 0 : n}::float8`);
    case 'boolean':
      return fc.boolean().map(String);
    case 'date':
      return fc.date({ min: new Date('1900-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }).map((d) => `'${d.toISOString().slice(0, 10)}'`);
    case 'dateTime':
      return fc.oneof(
        fc.date({ min: new Date('1900-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }).map((d) => `'${d.toISOString()}'`),
        fc.date({ min: new Date('1900-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }).map((d) => `date '${d.toISOString().slice(0, 10)}'::timestamptz`),
      );
    default:
      throw new Error(`no values for ${x.kind}`);
  }
}

const pair = fc.tuple(field, field)
  .filter(([from, to]) => family(from.kind) !== 'string' || family(to.kind) === 'string')
  .filter(([from, to]) => JSON.stringify(from) !== JSON.stringify(to))
  .chain(([from, to]) => fc.tuple(fc.constant(from), fc.constant(to), fc.array(fc.oneof(value(from), fc.constant('NULL')), { minLength: 1, maxLength: 4 })));

async function valuesAs(db: Connection, x: ScalarField): Promise<(string | null)[]> {
  const { rows } = await db.query<{ v: string | null }>(`SELECT v::${scalarColumnType(x).sql}::text AS v FROM prop_item ORDER BY id`);
  return rows.map((row) => row.v);
}

for (const target of testTargets()) {
  const numRuns = runsFor[target.name];
  test(`${numRuns} random type changes on tables with rows keep every value or fail with rows unchanged, and every check is warned about (${target.name})`, async (t) => {
    const seed = propertySeed();
    t.diagnostic(`seed ${seed} (replay with SEDIMENT_RELIABILITY_SEED=${seed})`);
    const tally = { succeeded: 0, refusedByCheck: 0, refusedByDatabase: 0, checked: 0 };
    await target.with(async (db) => {
      await fc.assert(
        fc.asyncProperty(pair, async ([from, to, values]) => {
          const create = ops.createModel({ name: 'Item', fields: { id: f.bigAuto({ primaryKey: true }), v: from } });
          const state = await applyForwards(db, ProjectState.empty(), 'prop', [create]);
          try {
            for (const literal of values) await db.query(`INSERT INTO prop_item (v) VALUES (${literal})`);
            const before = await valuesAs(db, from);
            const alter = [ops.alterField({ model: 'Item', name: 'v', field: to })];
            const collect: string[] = [];
            await applyForwards(db, state, 'prop', alter, { collect });
            const warning = lossyChange(from, to);
            if (collect.some((sql) => sql.startsWith('DO '))) {
              tally.checked++;
              assert.ok(warning, `${from.kind} → ${to.kind}: a check runs but makemigrations does not warn (${JSON.stringify([from, to])})`);
            }
            let failure: unknown;
            try {
              await applyForwards(db, state, 'prop', alter);
            } catch (error) {
              failure = error;
            }
            const after = await valuesAs(db, from);
            assert.deepEqual(after, before, `${JSON.stringify([from, to, values])}: ${failure === undefined ? 'succeeded with values changed' : `failed (${String(failure)}) with rows changed`}`);
            if (failure === undefined) {
              tally.succeeded++;
            } else if (failure instanceof SedimentError) {
              assert.equal(failure.code, 'LossyChange', String(failure));
              assert.ok(warning, `${JSON.stringify([from, to])}: refused without a makemigrations warning`);
              tally.refusedByCheck++;
            } else {
              const code = (failure as { code?: unknown }).code;
              assert.ok(typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code), `not a clear error: ${String(failure)}`);
              tally.refusedByDatabase++;
            }
          } finally {
            await db.query('DROP TABLE IF EXISTS prop_item');
          }
        }),
        { numRuns, seed, endOnFailure: process.env.SEDIMENT_RELIABILITY_SHRINK !== '1' },
      );
    });
    t.diagnostic(`${tally.succeeded} kept every value, ${tally.refusedByCheck} refused by the check, ${tally.refusedByDatabase} refused by the database; ${tally.checked} with a check statement`);
  });
}
