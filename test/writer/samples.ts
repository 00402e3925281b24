import { f, type Field } from '../../src/model/fields.js';
import { check, index, unique } from '../../src/model/model.js';
import { ops } from '../../src/operations/ops.js';
import type { Operation, OperationKind } from '../../src/operations/types.js';

/**
 * Operations and fields covering every operation kind, every field kind and every field option the
 * writer can print (runCode excepted: its functions only come from files people write).
 */
export const everyFieldKind: Record<string, Field> = {
  auto: f.auto({ primaryKey: true }),
  bigAuto: f.bigAuto(),
  smallAuto: f.smallAuto(),
  char: f.char({ maxLength: 255 }),
  text: f.text(),
  slug: f.slug(),
  email: f.email(),
  url: f.url({ maxLength: 500 }),
  integer: f.integer(),
  bigInteger: f.bigInteger({ default: -9007199254740991 }),
  smallInteger: f.smallInteger({ default: -1 }),
  positiveInteger: f.positiveInteger({ default: 0 }),
  float: f.float({ default: 1.5e-10 }),
  decimal: f.decimal({ maxDigits: 10, decimalPlaces: 2, default: '12.50' }),
  boolean: f.boolean({ default: false }),
  date: f.date({ null: true }),
  time: f.time({ null: true }),
  dateTime: f.dateTime({ default: f.now }),
  duration: f.duration({ null: true }),
  uuid: f.uuid({ default: f.uuid4, unique: true }),
  json: f.json({ default: { tags: ['a', 'b'], nested: { n: null, ok: true, ratio: 0.25 }, 'not-an-identifier': 1 } }),
  binary: f.binary({ null: true }),
  foreignKey: f.foreignKey('shop.Client', { onDelete: 'cascade', relatedName: 'computers' }),
  oneToOne: f.oneToOne('shop.Profile', { onDelete: 'setNull', null: true, toField: 'uuid', dbConstraint: false }),
  manyToMany: f.manyToMany('shop.Tag', { through: 'shop.TagLink', relatedName: 'things', dbTable: 'shop_things_tags', blank: true }),
  manyToManyPlain: f.manyToMany('shop.Tag'),
};

/** A char field with every common option set. */
export const everyOption: Field = f.char({
  maxLength: 40,
  null: true,
  default: "it's",
  dbDefault: 'x',
  unique: true,
  dbIndex: true,
  primaryKey: false,
  dbColumn: 'the_column',
  choices: [['a', 'Alpha'], ['b', 'Beta']],
  dbComment: 'A comment with "quotes" and \\ backslashes',
  blank: true,
  editable: false,
  helpText: 'Help\nwith a newline',
  verboseName: 'Ünïcödé ✓ 名前',
});

export const everyOperation: Record<Exclude<OperationKind, 'runCode'>, Operation> = {
  createModel: ops.createModel({
    name: 'Everything',
    fields: { ...everyFieldKind, everyOption },
    options: {
      dbTable: 'shop_everything',
      managed: true,
      indexes: [index(['char'], { name: 'shop_everything_char_idx' }), index(['text', 'slug'], { name: 'partial', condition: 'text IS NOT NULL' })],
      constraints: [
        unique(['char', 'text'], { name: 'shop_everything_char_text_uniq' }),
        unique(['email'], { name: 'one_email', condition: "email <> ''" }),
        check('integer >= 0', { name: 'shop_everything_integer_positive' }),
      ],
      uniqueTogether: [['char', 'slug'], ['email', 'url']],
      ordering: ['-dateTime', 'char'],
      dbComment: 'Everything at once',
      verboseName: 'everything',
      verboseNamePlural: 'everythings',
    },
  }),
  deleteModel: ops.deleteModel({ name: 'Old' }),
  renameModel: ops.renameModel({ oldName: 'Old', newName: 'New' }),
  alterModelTable: ops.alterModelTable({ name: 'New', table: null }),
  alterModelOptions: ops.alterModelOptions({ name: 'New', options: { ordering: ['name'], verboseName: 'new thing', managed: false } }),
  alterUniqueTogether: ops.alterUniqueTogether({ name: 'New', uniqueTogether: [['a', 'b']] }),
  addField: ops.addField({ model: 'Client', name: 'bought', field: f.integer({ null: true }) }),
  removeField: ops.removeField({ model: 'Client', name: 'bought' }),
  alterField: ops.alterField({ model: 'Client', name: 'name', field: f.char({ maxLength: 100, default: '' }), preserveDefault: false }),
  renameField: ops.renameField({ model: 'Client', oldName: 'name', newName: 'fullName' }),
  addIndex: ops.addIndex({ model: 'Client', index: index(['fullName'], { name: 'shop_client_full_name_idx' }) }),
  removeIndex: ops.removeIndex({ model: 'Client', name: 'shop_client_full_name_idx' }),
  renameIndex: ops.renameIndex({ model: 'Client', oldName: 'a_idx', newName: 'b_idx' }),
  addConstraint: ops.addConstraint({ model: 'Client', constraint: check("full_name <> ''", { name: 'shop_client_name_not_empty' }) }),
  removeConstraint: ops.removeConstraint({ model: 'Client', name: 'shop_client_name_not_empty' }),
  addIndexConcurrently: ops.addIndexConcurrently({ model: 'Client', index: index(['fullName']) }),
  removeIndexConcurrently: ops.removeIndexConcurrently({ model: 'Client', name: 'shop_client_full_name_idx' }),
  addConstraintNotValid: ops.addConstraintNotValid({ model: 'Client', constraint: check('bought >= 0', { name: 'bought_positive' }) }),
  validateConstraint: ops.validateConstraint({ model: 'Client', name: 'bought_positive' }),
  createExtension: ops.createExtension({ name: 'pg_trgm' }),
  runSql: ops.runSql({
    sql: ['UPDATE shop_client SET bought = 0 WHERE bought IS NULL', "COMMENT ON TABLE shop_client IS 'it''s'"],
    reverseSql: ops.noop,
    stateOperations: [ops.addField({ model: 'Client', name: 'viaSql', field: f.boolean({ default: true }) })],
    elidable: true,
  }),
  separateDatabaseAndState: ops.separateDatabaseAndState({
    database: [ops.runSql({ sql: 'ALTER TABLE shop_client RENAME COLUMN a TO b', reverseSql: 'ALTER TABLE shop_client RENAME COLUMN b TO a' })],
    state: [ops.renameField({ model: 'Client', oldName: 'a', newName: 'b' })],
  }),
};
