// Step 1: add `bought`, the number of computers a client bought — nullable for now, because the
// existing clients have no value yet.
import { model, f } from 'sediment-migrations';

export const Client = model('Client', {
  name: f.char({ maxLength: 255 }),
  bought: f.integer({ null: true }),
});

export const Computer = model('Computer', {
  brand: f.char({ maxLength: 255 }),
  boughtBy: f.foreignKey('Client', { onDelete: 'cascade', relatedName: 'computers' }),
});
