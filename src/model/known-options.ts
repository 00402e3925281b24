import { didYouMean } from '../errors/did-you-mean.js';

/**
 * The options each field kind and a model take. Anything else is refused where it is declared —
 * a misspelt or unsupported option written into a migration would silently do nothing (trust
 * findings: `abstract: true` still created a table, `f.text({ foo: 1 })` was written as is).
 */

const COMMON = [
  'null', 'default', 'dbDefault', 'unique', 'dbIndex', 'primaryKey', 'dbColumn', 'choices', 'dbComment',
  // No database effect; recorded for data migrations, as Django records them.
  'blank', 'editable', 'helpText', 'verboseName',
];
const WITH_LENGTH = ['char', 'slug', 'email', 'url'];
const RELATION = ['to', 'onDelete', 'relatedName', 'toField', 'dbConstraint'];
const MANY_TO_MANY = ['to', 'through', 'relatedName', 'dbTable', 'blank', 'helpText', 'verboseName'];

export const MODEL_OPTIONS = [
  'dbTable', 'indexes', 'constraints', 'uniqueTogether', 'managed', 'dbComment', 'ordering', 'verboseName', 'verboseNamePlural',
];

/** Django options Sediment knows of and does not implement yet: "not supported", not "unknown". */
const NOT_YET_FIELD = [
  'dbCollation', 'dbTablespace', 'symmetrical', 'throughFields', 'relatedQueryName', 'limitChoicesTo', 'dbDefaultExpression',
  'validators', 'errorMessages', 'uniqueForDate', 'uniqueForMonth', 'uniqueForYear', 'autoNow', 'autoNowAdd', 'swappable',
  'parentLink', 'dbConstraintName',
];
const NOT_YET_MODEL = [
  'abstract', 'orderWithRespectTo', 'dbTablespace', 'proxy', 'permissions', 'defaultPermissions', 'getLatestBy',
  'defaultRelatedName', 'indexTogether', 'requiredDbFeatures', 'requiredDbVendor', 'selectOnSave', 'baseManagerName',
  'defaultManagerName', 'appLabel', 'label', 'primaryKey', 'dbTableComment',
];

function fieldOptions(kind: string): readonly string[] {
  if (kind === 'manyToMany') return MANY_TO_MANY;
  if (kind === 'foreignKey' || kind === 'oneToOne') return [...COMMON, ...RELATION];
  if (kind === 'decimal') return [...COMMON, 'maxDigits', 'decimalPlaces'];
  if (WITH_LENGTH.includes(kind)) return [...COMMON, 'maxLength'];
  return COMMON;
}

/** One message per option of `field` that its kind does not take ("foo: unknown option (did you mean …?)"). */
export function unknownFieldOptions(field: Readonly<Record<string, unknown>>): string[] {
  const kind = String(field.kind);
  const known = fieldOptions(kind);
  return Object.keys(field)
    .filter((key) => key !== 'kind' && !known.includes(key))
    .map((key) => describeUnknown(key, known, NOT_YET_FIELD, `f.${kind}()`));
}

export function unknownModelOptions(options: Readonly<Record<string, unknown>>): string[] {
  return Object.keys(options)
    .filter((key) => !MODEL_OPTIONS.includes(key))
    .map((key) => describeUnknown(key, MODEL_OPTIONS, NOT_YET_MODEL, 'model options'));
}

function describeUnknown(key: string, known: readonly string[], notYet: readonly string[], what: string): string {
  if (notYet.includes(key)) return `option ${key} is not supported in this version of Sediment (it would have no effect); remove it`;
  return `unknown option ${key}${didYouMean(key, known)}; ${what} takes ${known.join(', ')}`;
}
