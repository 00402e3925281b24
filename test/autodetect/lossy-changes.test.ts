import assert from 'node:assert/strict';
import { test } from 'node:test';
import { lossyChange } from '../../src/autodetect/lossy-changes.js';
import { f } from '../../src/model/fields.js';

test('a shorter maxLength is named as narrowing the column', () => {
  assert.equal(lossyChange(f.char({ maxLength: 50 }), f.char({ maxLength: 10 })), 'maxLength 50 → 10 narrows the column; migrate refuses if a row does not fit');
});

test('fewer decimal places, float to integer, dateTime to date and integer to boolean are named', () => {
  assert.match(lossyChange(f.decimal({ maxDigits: 10, decimalPlaces: 4 }), f.decimal({ maxDigits: 10, decimalPlaces: 2 }))!, /^decimalPlaces 4 → 2 rounds values/);
  assert.match(lossyChange(f.float(), f.integer())!, /^float → integer drops fractions/);
  assert.match(lossyChange(f.dateTime(), f.date())!, /drops the time of day/);
  assert.match(lossyChange(f.integer(), f.boolean())!, /keeps only 0 and 1/);
  assert.match(lossyChange(f.text(), f.char({ maxLength: 5 }))!, /^text → char \(maxLength 5\) narrows the column/);
  assert.match(lossyChange(f.bigInteger(), f.integer())!, /narrows the range/);
});

test('widening changes and changes of options only are not named', () => {
  for (const [from, to] of [
    [f.integer(), f.bigInteger()],
    [f.char({ maxLength: 10 }), f.char({ maxLength: 50 })],
    [f.char({ maxLength: 10 }), f.text()],
    [f.decimal({ maxDigits: 10, decimalPlaces: 2 }), f.decimal({ maxDigits: 12, decimalPlaces: 4 })],
    [f.uuid(), f.char({ maxLength: 36 })],
    [f.char({ maxLength: 10 }), f.char({ maxLength: 10, null: true })],
    [f.date(), f.dateTime()],
  ] as const) {
    assert.equal(lossyChange(from, to), undefined, `${JSON.stringify(from)} → ${JSON.stringify(to)}`);
  }
});
