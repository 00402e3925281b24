import type { Field, ScalarField } from '../model/fields.js';
import { stateForwards } from '../operations/registry.js';
import type { Operation } from '../operations/types.js';
import type { ProjectState } from '../state/project-state.js';
import { getField } from '../state/project-state.js';

/**
 * Field changes that can change what rows hold, named at makemigrations time (issue 8 item 2): the
 * schema editor refuses them at migrate time when a row would change (see
 * src/backends/postgres/lossy-casts.ts for the check); this says so before anyone gets there. Pure: it
 * looks at the fields only, never at a database.
 */

type Family = 'string' | 'integer' | 'float' | 'decimal' | 'boolean' | 'date' | 'time' | 'dateTime' | 'duration' | 'other';

const familyOf: Readonly<Record<string, Family>> = {
  char: 'string', slug: 'string', email: 'string', url: 'string', text: 'string',
  auto: 'integer', bigAuto: 'integer', smallAuto: 'integer',
  integer: 'integer', bigInteger: 'integer', smallInteger: 'integer', positiveInteger: 'integer',
  float: 'float', decimal: 'decimal', boolean: 'boolean',
  date: 'date', time: 'time', dateTime: 'dateTime', duration: 'duration',
};

/** Digits of the integer kinds: smallint 5, integer 10, bigint 19. */
const integerDigits: Readonly<Record<string, number>> = {
  smallAuto: 5, smallInteger: 5, auto: 10, integer: 10, positiveInteger: 10, bigAuto: 19, bigInteger: 19,
};

/** The longest text of a value that is not a string (uuid, boolean, integers), when bounded. */
const longestText: Readonly<Record<string, number>> = {
  uuid: 36, boolean: 5, smallAuto: 6, smallInteger: 6, auto: 11, integer: 11, positiveInteger: 11, bigAuto: 20, bigInteger: 20,
};

const REFUSES = 'migrate refuses if a row would change';
const FIT = 'migrate refuses if a row does not fit';

/**
 * What an alterField from `oldField` to `newField` can lose, as the rest of a warning line
 * ("maxLength 50 → 10 narrows the column; migrate refuses if a row does not fit"), or undefined when
 * the change keeps every value (widening, or a change of options only).
 */
export function lossyChange(oldField: Field, newField: Field): string | undefined {
  if (oldField.kind === 'manyToMany' || newField.kind === 'manyToMany') return undefined;
  if (!(oldField.kind in familyOf || oldField.kind in longestText || ['uuid', 'json', 'binary'].includes(oldField.kind))) return undefined;
  if (!(newField.kind in familyOf || ['uuid', 'json', 'binary'].includes(newField.kind))) return undefined;
  const from = oldField as ScalarField;
  const to = newField as ScalarField;
  const fromFamily = familyOf[from.kind] ?? 'other';
  const toFamily = familyOf[to.kind] ?? 'other';
  const kinds = `${from.kind} → ${to.kind}`;
  if (to.kind === 'text') return undefined;
  if (toFamily === 'string') {
    const limit = to.maxLength ?? 0;
    if (fromFamily === 'string' && from.kind !== 'text') {
      return (from.maxLength ?? 0) > limit ? `maxLength ${from.maxLength} → ${limit} narrows the column; ${FIT}` : undefined;
    }
    const longest = longestText[from.kind];
    if (longest !== undefined && longest <= limit) return undefined;
    return `${kinds} (maxLength ${limit}) narrows the column; ${FIT}`;
  }
  if (fromFamily === 'integer' && toFamily === 'integer') {
    return integerDigits[from.kind] > integerDigits[to.kind] ? `${kinds} narrows the range; ${FIT}` : undefined;
  }
  if (fromFamily === 'integer' && toFamily === 'decimal') {
    const room = (to.maxDigits ?? 0) - (to.decimalPlaces ?? 0);
    return integerDigits[from.kind] > room ? `${kinds} (${room} digits before the point) narrows the range; ${FIT}` : undefined;
  }
  if (from.kind === 'bigInteger' && to.kind === 'float') return `${kinds} is not exact beyond 2^53; ${REFUSES}`;
  if (fromFamily === 'integer' && to.kind === 'boolean') return `${kinds} keeps only 0 and 1; migrate refuses if a row holds another value`;
  if (fromFamily === 'decimal' && toFamily === 'decimal') {
    const places = [from.decimalPlaces ?? 0, to.decimalPlaces ?? 0];
    const room = [(from.maxDigits ?? 0) - places[0], (to.maxDigits ?? 0) - places[1]];
    if (places[1] < places[0]) return `decimalPlaces ${places[0]} → ${places[1]} rounds values; ${REFUSES}`;
    if (room[1] < room[0]) return `maxDigits ${from.maxDigits} → ${to.maxDigits} narrows the range; ${FIT}`;
    return undefined;
  }
  if ((fromFamily === 'decimal' || fromFamily === 'float') && toFamily === 'integer') {
    if (fromFamily === 'decimal' && (from.decimalPlaces ?? 0) === 0 && (from.maxDigits ?? 0) < integerDigits[to.kind]) return undefined;
    return `${kinds} drops fractions; ${REFUSES}`;
  }
  if (fromFamily === 'decimal' && to.kind === 'float') return (from.maxDigits ?? 0) > 15 ? `${kinds} keeps about 15 digits; ${REFUSES}` : undefined;
  if (fromFamily === 'float' && toFamily === 'decimal') return `${kinds} rounds values; ${REFUSES}`;
  if (fromFamily === 'string' && toFamily === 'decimal') return `${kinds} rounds values; ${REFUSES}`;
  if (from.kind === 'dateTime' && to.kind === 'date') return `${kinds} drops the time of day; ${REFUSES}`;
  if (from.kind === 'dateTime' && to.kind === 'time') return `${kinds} drops the date; migrate refuses if the table has a row with a value`;
  if (from.kind === 'duration' && to.kind === 'time') return `${kinds} drops days and whole days of hours; ${REFUSES}`;
  return undefined;
}

/**
 * One warning line per alterField of `operations` (per app, in order, starting at `state`) that can
 * lose information: "shop.Item.name: maxLength 50 → 10 narrows the column; migrate refuses if a row
 * does not fit".
 */
export function lossyChangeWarnings(state: ProjectState, migrations: readonly { readonly app: string; readonly operations: readonly Operation[] }[]): string[] {
  const warnings: string[] = [];
  let current = state;
  for (const { app, operations } of migrations) {
    for (const op of operations) {
      if (op.kind === 'alterField') {
        const model = current.resolve(op.model, app);
        const old = model ? getField(model, op.name) : undefined;
        const what = old ? lossyChange(old, op.field) : undefined;
        if (what && model) warnings.push(`${model.app}.${model.name}.${op.name}: ${what}`);
      }
      current = stateForwards(current, app, op);
    }
  }
  return warnings;
}
