// Step 4: every client now has a value (the data migration filled it): make `bought` required.
import { model, f } from 'sediment-migrations';

export const Client = model('Client', {
  name: f.char({ maxLength: 255 }),
  bought: f.integer(),
});

export const Computer = model('Computer', {
  brand: f.char({ maxLength: 255 }),
  boughtBy: f.foreignKey('Client', { onDelete: 'cascade', relatedName: 'computers' }),
});
