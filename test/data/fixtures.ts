import { f } from '../../src/model/fields.js';
import { ops } from '../../src/operations/ops.js';

/** Seed 003's store: clients and the computers they bought. */
export const store = [
  ops.createModel({
    name: 'Client',
    fields: { id: f.bigAuto({ primaryKey: true }), name: f.char({ maxLength: 50, unique: true }), bought: f.integer({ null: true }) },
  }),
  ops.createModel({
    name: 'Computer',
    fields: {
      id: f.bigAuto({ primaryKey: true }),
      brand: f.char({ maxLength: 50 }),
      boughtBy: f.foreignKey('shop.Client', { onDelete: 'cascade', relatedName: 'computers' }),
    },
  }),
];

/** One nullable field of every scalar kind. */
export const kinds = [
  ops.createModel({
    name: 'Kinds',
    fields: {
      id: f.auto({ primaryKey: true }),
      small: f.smallInteger({ null: true }),
      integer: f.integer({ null: true }),
      big: f.bigInteger({ null: true }),
      positive: f.positiveInteger({ null: true }),
      real: f.float({ null: true }),
      price: f.decimal({ maxDigits: 12, decimalPlaces: 2, null: true }),
      flag: f.boolean({ null: true }),
      label: f.char({ maxLength: 20, null: true }),
      body: f.text({ null: true }),
      slug: f.slug({ null: true }),
      email: f.email({ null: true }),
      url: f.url({ null: true }),
      day: f.date({ null: true }),
      clock: f.time({ null: true }),
      moment: f.dateTime({ null: true }),
      span: f.duration({ null: true }),
      token: f.uuid({ null: true }),
      data: f.json({ null: true }),
      blob: f.binary({ null: true }),
    },
  }),
];

/** Seed 003's address book before the change: clients with a many-to-many to addresses. */
export const addressBook = [
  ops.createModel({ name: 'Address', fields: { id: f.bigAuto({ primaryKey: true }), streetName: f.char({ maxLength: 255 }) } }),
  ops.createModel({
    name: 'Client',
    fields: {
      id: f.bigAuto({ primaryKey: true }),
      name: f.char({ maxLength: 255 }),
      addresses: f.manyToMany('address_book.Address', { relatedName: 'clients' }),
    },
  }),
];
