// Seed 003, first scenario, step 0: a store that tracks which client bought which computer.
import { model, f } from 'sediment-migrations';

export const Client = model('Client', {
  name: f.char({ maxLength: 255 }),
});

export const Computer = model('Computer', {
  brand: f.char({ maxLength: 255 }),
  boughtBy: f.foreignKey('Client', { onDelete: 'cascade', relatedName: 'computers' }),
});
