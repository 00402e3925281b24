import { check, f, index, model, unique } from '../../src/index.js';
import type { ModelDefinition } from '../../src/model/model.js';
import type { QuestionerFlags } from '../../src/questioner/flags.js';
import type { Apps, Expected } from './helpers.js';

/**
 * The autodetector table, in the spirit of Django's test_autodetector.py. Each case gives the models
 * before and after, the answers (as makemigrations flags), the migrations expected per app (operation
 * kinds with the arguments that matter, and dependencies: `app#n` for the n-th planned migration,
 * `app:name` for one on disk — every app with models before has a pretend `0001_initial`), and the
 * questions expected. autodetector.test.ts checks the plan of every case and replays its migrations
 * on the before-state (the result must be exactly the after-state, with a consistent state after every
 * single operation); applied-to-database.test.ts applies every case to a real database.
 */
export interface Case {
  readonly name: string;
  readonly before: Apps;
  readonly after: Apps;
  readonly flags?: QuestionerFlags;
  readonly apps?: string[];
  readonly expected: Expected;
  readonly asked?: readonly string[];
}

const name = f.char({ maxLength: 255 });
const shopInitial = 'shop:0001_initial';
const billingInitial = 'billing:0001_initial';

export const Client = model('Client', { name, bought: f.integer({ null: true }) });
export const Computer = model('Computer', { brand: name, boughtBy: f.foreignKey('Client', { onDelete: 'cascade' }) });
export const Author = model('Author', { name });
export const Book = model('Book', { title: name, author: f.foreignKey('Author', { onDelete: 'cascade' }) });
export const Tag = model('Tag', { label: name });
export const Post = model('Post', { title: name });
export const with_ = (base: ModelDefinition, fields: ModelDefinition['fields'], options = base.options): ModelDefinition => {
  const { id: _id, ...rest } = base.fields;
  return model(base.name, { ...rest, ...fields }, options);
};
const without = (base: ModelDefinition, ...names: string[]): ModelDefinition => {
  const { id: _id, ...rest } = base.fields;
  return model(base.name, Object.fromEntries(Object.entries(rest).filter(([n]) => !names.includes(n))), base.options);
};
const options = (base: ModelDefinition, opts: ModelDefinition['options']): ModelDefinition => {
  const { id: _id, ...rest } = base.fields;
  return model(base.name, rest, opts);
};

export const cases: readonly Case[] = [
  // ----------------------------------------------------------------------------------- models
  {
    name: 'a first model in a new app is an initial createModel',
    before: {},
    after: { shop: [Client] },
    expected: { shop: [{ initial: true, deps: [], ops: [{ kind: 'createModel', name: 'Client', fieldNames: ['id', 'name', 'bought'] }] }] },
  },
  {
    name: 'a new model in an existing app depends on the app leaf and is not initial',
    before: { shop: [Client] },
    after: { shop: [Client, Author] },
    expected: { shop: [{ initial: false, deps: [shopInitial], ops: [{ kind: 'createModel', name: 'Author' }] }] },
  },
  {
    name: 'a deleted model is a deleteModel',
    before: { shop: [Client, Author] },
    after: { shop: [Client] },
    expected: { shop: [{ deps: [shopInitial], ops: [{ kind: 'deleteModel', name: 'Author' }] }] },
  },
  {
    name: 'models created together are created target first, the foreign key folded back in',
    before: {},
    after: { shop: [Book, Author] },
    expected: {
      shop: [{ ops: [{ kind: 'createModel', name: 'Author' }, { kind: 'createModel', name: 'Book', fieldNames: ['id', 'title', 'author'] }] }],
    },
  },
  {
    name: 'a model with a foreign key to itself is one createModel',
    before: {},
    after: { shop: [model('Node', { parent: f.foreignKey('Node', { onDelete: 'cascade', null: true }) })] },
    expected: { shop: [{ ops: [{ kind: 'createModel', name: 'Node', fieldNames: ['id', 'parent'] }] }] },
  },
  {
    name: 'models pointing at each other in one app are created first and one relation added after',
    before: {},
    after: {
      shop: [
        model('A', { b: f.foreignKey('B', { onDelete: 'cascade', null: true }) }),
        model('B', { a: f.foreignKey('A', { onDelete: 'cascade', null: true }) }),
      ],
    },
    expected: {
      shop: [
        {
          ops: [
            { kind: 'createModel', name: 'B', fieldNames: ['id'] },
            { kind: 'createModel', name: 'A', fieldNames: ['id', 'b'] },
            { kind: 'addField', model: 'B', name: 'a', field: { to: 'shop.A' } },
          ],
        },
      ],
    },
  },
  {
    name: 'a new model pointing at a new model of another app depends on that app’s new migration',
    before: {},
    after: { shop: [model('Order', { customer: f.foreignKey('billing.Customer', { onDelete: 'protect' }) })], billing: [model('Customer', { name })] },
    expected: {
      billing: [{ initial: true, deps: [], ops: [{ kind: 'createModel', name: 'Customer' }] }],
      shop: [{ initial: true, deps: ['billing#0'], ops: [{ kind: 'createModel', name: 'Order', fieldNames: ['id', 'customer'] }] }],
    },
  },
  {
    name: 'a foreign key to an existing model of another app depends on that app’s leaf',
    before: { billing: [model('Customer', { name })], shop: [Client] },
    after: { billing: [model('Customer', { name })], shop: [Client, model('Order', { customer: f.foreignKey('billing.Customer', { onDelete: 'protect' }) })] },
    expected: { shop: [{ deps: [shopInitial, billingInitial], ops: [{ kind: 'createModel', name: 'Order', fieldNames: ['id', 'customer'] }] }] },
  },
  {
    name: 'circular foreign keys across apps split one app into two migrations',
    before: {},
    after: {
      shop: [model('Order', { invoice: f.foreignKey('billing.Invoice', { onDelete: 'cascade', null: true }) })],
      billing: [model('Invoice', { order: f.foreignKey('shop.Order', { onDelete: 'cascade', null: true }) })],
    },
    expected: {
      billing: [
        { initial: true, deps: [], ops: [{ kind: 'createModel', name: 'Invoice', fieldNames: ['id'] }] },
        { initial: true, deps: ['billing#0', 'shop#0'], ops: [{ kind: 'addField', model: 'Invoice', name: 'order' }] },
      ],
      shop: [{ initial: true, deps: ['billing#0'], ops: [{ kind: 'createModel', name: 'Order', fieldNames: ['id', 'invoice'] }] }],
    },
  },
  {
    name: 'deleting a model first removes the foreign keys of kept models that point at it',
    before: { shop: [Client, Computer] },
    after: { shop: [without(Computer, 'boughtBy')] },
    expected: { shop: [{ ops: [{ kind: 'removeField', model: 'Computer', name: 'boughtBy' }, { kind: 'deleteModel', name: 'Client' }] }] },
  },
  {
    name: 'deleting a model and the model pointing at it deletes the referrer first',
    before: { shop: [Client, Computer] },
    after: {},
    expected: { shop: [{ ops: [{ kind: 'deleteModel', name: 'Computer' }, { kind: 'deleteModel', name: 'Client' }] }] },
  },
  {
    name: 'deleting models that point at each other removes one relation first',
    before: {
      shop: [
        model('A', { b: f.foreignKey('B', { onDelete: 'cascade', null: true }) }, { indexes: [index(['b'], { name: 'a_b_idx' })] }),
        model('B', { a: f.foreignKey('A', { onDelete: 'cascade', null: true }) }),
      ],
    },
    after: {},
    expected: {
      shop: [
        {
          ops: [
            { kind: 'removeIndex', model: 'A', name: 'a_b_idx' },
            { kind: 'removeField', model: 'A', name: 'b' },
            { kind: 'deleteModel', name: 'B' },
            { kind: 'deleteModel', name: 'A' },
          ],
        },
      ],
    },
  },
  {
    name: 'deleting a model referenced from another app waits for that app’s migration',
    before: { shop: [Client], billing: [model('Invoice', { client: f.foreignKey('shop.Client', { onDelete: 'cascade' }), total: f.integer() })] },
    after: { shop: [], billing: [model('Invoice', { total: f.integer() })] },
    expected: {
      billing: [{ deps: [billingInitial], ops: [{ kind: 'removeField', model: 'Invoice', name: 'client' }] }],
      shop: [{ deps: [shopInitial, 'billing#0'], ops: [{ kind: 'deleteModel', name: 'Client' }] }],
    },
  },
  {
    name: 'a model with the same fields under a new name is a rename when confirmed',
    before: { shop: [Client] },
    after: { shop: [model('Customer', { name, bought: f.integer({ null: true }) })] },
    flags: { renameModels: ['shop.Client=Customer'] },
    asked: ['rename model shop.Client -> Customer'],
    expected: { shop: [{ ops: [{ kind: 'renameModel', oldName: 'Client', newName: 'Customer' }] }] },
  },
  {
    name: 'an unconfirmed rename of a model is a create and a delete',
    before: { shop: [Client] },
    after: { shop: [model('Customer', { name, bought: f.integer({ null: true }) })] },
    asked: ['rename model shop.Client -> Customer'],
    expected: { shop: [{ ops: [{ kind: 'createModel', name: 'Customer' }, { kind: 'deleteModel', name: 'Client' }] }] },
  },
  {
    name: 'renaming a model that others point at only renames it: relations follow',
    before: { shop: [Client, Computer] },
    after: {
      shop: [
        model('Customer', { name, bought: f.integer({ null: true }) }),
        model('Computer', { brand: name, boughtBy: f.foreignKey('Customer', { onDelete: 'cascade' }) }),
      ],
    },
    flags: { renameModels: ['shop.Client=Customer'] },
    expected: { shop: [{ ops: [{ kind: 'renameModel', oldName: 'Client', newName: 'Customer' }] }] },
  },
  {
    name: 'a rename declared by flag is honoured even when the fields changed too',
    before: { shop: [Client] },
    after: { shop: [model('Customer', { name, bought: f.integer({ null: true }), email: f.email({ null: true }) })] },
    flags: { renameModels: ['shop.Client=Customer'] },
    asked: [],
    expected: {
      shop: [{ ops: [{ kind: 'renameModel', oldName: 'Client', newName: 'Customer' }, { kind: 'addField', model: 'Customer', name: 'email' }] }],
    },
  },
  {
    name: 'a model renamed while a new model takes its old name is renamed first',
    before: { shop: [Client, Computer] },
    after: {
      shop: [
        model('Customer', { name, bought: f.integer({ null: true }) }),
        model('Client', { email: f.email() }),
        model('Computer', { brand: name, boughtBy: f.foreignKey('Customer', { onDelete: 'cascade' }) }),
      ],
    },
    flags: { renameModels: ['shop.Client=Customer'] },
    asked: [],
    expected: {
      shop: [{ ops: [{ kind: 'renameModel', oldName: 'Client', newName: 'Customer' }, { kind: 'createModel', name: 'Client', fieldNames: ['id', 'email'] }] }],
    },
  },
  {
    name: 'renaming a model renames its generated index names',
    before: { shop: [model('Client', { name }, { indexes: [index(['name'])] })] },
    after: { shop: [model('Customer', { name }, { indexes: [index(['name'])] })] },
    flags: { renameModels: ['shop.Client=Customer'] },
    expected: {
      shop: [
        {
          ops: [
            { kind: 'renameModel', oldName: 'Client', newName: 'Customer' },
            { kind: 'renameIndex', model: 'Customer', oldName: 'shop_client_name_645e7d46_idx', newName: 'shop_customer_name_645e7d46_idx' },
          ],
        },
      ],
    },
  },
  // ----------------------------------------------------------------------------------- fields
  {
    name: 'a nullable field is added without a question',
    before: { shop: [Client] },
    after: { shop: [with_(Client, { email: f.email({ null: true }) })] },
    asked: [],
    expected: { shop: [{ ops: [{ kind: 'addField', model: 'Client', name: 'email', preserveDefault: undefined }] }] },
  },
  {
    name: 'a NOT NULL field with a default is added without a question',
    before: { shop: [Client] },
    after: { shop: [with_(Client, { active: f.boolean({ default: true }) })] },
    asked: [],
    expected: { shop: [{ ops: [{ kind: 'addField', name: 'active', field: { default: true }, preserveDefault: undefined }] }] },
  },
  {
    name: 'a NOT NULL field without default gets the one-off default given with --default',
    before: { shop: [Client] },
    after: { shop: [with_(Client, { rank: f.integer() })] },
    flags: { defaults: ['shop.Client.rank=0'] },
    asked: ['not null addition shop.Client.rank'],
    expected: { shop: [{ ops: [{ kind: 'addField', model: 'Client', name: 'rank', field: { kind: 'integer', default: 0 }, preserveDefault: false }] }] },
  },
  {
    name: 'a NOT NULL date field accepts now as its one-off default',
    before: { shop: [Client] },
    after: { shop: [with_(Client, { joined: f.dateTime() })] },
    flags: { defaults: ['shop.Client.joined=now'] },
    expected: { shop: [{ ops: [{ kind: 'addField', name: 'joined', field: { default: { kind: 'callable', name: 'now' } }, preserveDefault: false }] }] },
  },
  {
    name: 'a NOT NULL field assumed handled is added as declared',
    before: { shop: [Client] },
    after: { shop: [with_(Client, { rank: f.integer() })] },
    flags: { assumeHandled: ['shop.Client.rank'] },
    expected: { shop: [{ ops: [{ kind: 'addField', name: 'rank', field: { default: undefined }, preserveDefault: undefined }] }] },
  },
  {
    name: 'a removed field is a removeField',
    before: { shop: [Client] },
    after: { shop: [without(Client, 'bought')] },
    expected: { shop: [{ ops: [{ kind: 'removeField', model: 'Client', name: 'bought' }] }] },
  },
  {
    name: 'a changed maxLength is an alterField with the whole new field',
    before: { shop: [Client] },
    after: { shop: [with_(Client, { name: f.char({ maxLength: 100 }) })] },
    expected: { shop: [{ ops: [{ kind: 'alterField', model: 'Client', name: 'name', field: { kind: 'char', maxLength: 100 } }] }] },
  },
  {
    name: 'a field option with no database effect is still an alterField',
    before: { shop: [Client] },
    after: { shop: [with_(Client, { name: f.char({ maxLength: 255, helpText: 'Full name' }) })] },
    expected: { shop: [{ ops: [{ kind: 'alterField', name: 'name', field: { helpText: 'Full name' } }] }] },
  },
  {
    name: 'writing an option at its default value is not a change',
    before: { shop: [Client] },
    after: { shop: [with_(Client, { name: f.char({ maxLength: 255, null: false, unique: false }) })] },
    expected: {},
  },
  {
    name: 'a changed dbColumn is an alterField',
    before: { shop: [Client] },
    after: { shop: [with_(Client, { bought: f.integer({ null: true, dbColumn: 'purchases' }) })] },
    expected: { shop: [{ ops: [{ kind: 'alterField', name: 'bought', field: { dbColumn: 'purchases' } }] }] },
  },
  {
    name: 'null to NOT NULL with a one-off default is an alterField that does not keep the default',
    before: { shop: [Client] },
    after: { shop: [with_(Client, { bought: f.integer() })] },
    flags: { defaults: ['shop.Client.bought=0'] },
    asked: ['not null alteration shop.Client.bought'],
    expected: { shop: [{ ops: [{ kind: 'alterField', name: 'bought', field: { null: undefined, default: 0 }, preserveDefault: false }] }] },
  },
  {
    name: 'null to NOT NULL handled by a data migration is an alterField without default',
    before: { shop: [Client] },
    after: { shop: [with_(Client, { bought: f.integer() })] },
    flags: { assumeHandled: ['shop.Client.bought'] },
    expected: { shop: [{ ops: [{ kind: 'alterField', name: 'bought', field: { kind: 'integer', default: undefined }, preserveDefault: undefined }] }] },
  },
  {
    name: 'null to NOT NULL with a default in the model asks nothing',
    before: { shop: [Client] },
    after: { shop: [with_(Client, { bought: f.integer({ default: 0 }) })] },
    asked: [],
    expected: { shop: [{ ops: [{ kind: 'alterField', name: 'bought', field: { default: 0 }, preserveDefault: undefined }] }] },
  },
  {
    name: 'a field with the same definition under a new name is a rename when confirmed',
    before: { shop: [Client] },
    after: { shop: [model('Client', { fullName: name, bought: f.integer({ null: true }) })] },
    flags: { renameFields: ['shop.Client.name=fullName'] },
    asked: ['rename field shop.Client.name -> fullName'],
    expected: { shop: [{ ops: [{ kind: 'renameField', model: 'Client', oldName: 'name', newName: 'fullName' }] }] },
  },
  {
    name: 'an unconfirmed field rename is a removal and an addition',
    before: { shop: [Client] },
    after: { shop: [model('Client', { name, purchases: f.integer({ null: true }) })] },
    asked: ['rename field shop.Client.bought -> purchases'],
    expected: { shop: [{ ops: [{ kind: 'removeField', name: 'bought' }, { kind: 'addField', name: 'purchases' }] }] },
  },
  {
    name: 'a renamed field that keeps its column with dbColumn is similar and keeps the column',
    before: { shop: [Client] },
    after: { shop: [model('Client', { fullName: f.char({ maxLength: 255, dbColumn: 'name' }), bought: f.integer({ null: true }) })] },
    flags: { renameFields: ['shop.Client.name=fullName'] },
    asked: ['rename field shop.Client.name -> fullName'],
    expected: {
      shop: [
        {
          ops: [
            { kind: 'renameField', oldName: 'name', newName: 'fullName' },
            { kind: 'alterField', name: 'fullName', field: { dbColumn: 'name' } },
          ],
        },
      ],
    },
  },
  {
    name: 'a field rename declared by flag is honoured when the definition changed too',
    before: { shop: [Client] },
    after: { shop: [model('Client', { fullName: f.text(), bought: f.integer({ null: true }) })] },
    flags: { renameFields: ['shop.Client.name=fullName'] },
    asked: [],
    expected: {
      shop: [{ ops: [{ kind: 'renameField', oldName: 'name', newName: 'fullName' }, { kind: 'alterField', name: 'fullName', field: { kind: 'text' } }] }],
    },
  },
  {
    name: 'renaming a field in an explicitly named index keeps the index',
    before: { shop: [model('Client', { name }, { indexes: [index(['name'], { name: 'client_name_idx' })] })] },
    after: { shop: [model('Client', { fullName: name }, { indexes: [index(['fullName'], { name: 'client_name_idx' })] })] },
    flags: { renameFields: ['shop.Client.name=fullName'] },
    expected: { shop: [{ ops: [{ kind: 'renameField', oldName: 'name', newName: 'fullName' }] }] },
  },
  {
    name: 'renaming a field in a generated index name renames the index',
    before: { shop: [model('Client', { name }, { indexes: [index(['name'])] })] },
    after: { shop: [model('Client', { fullName: name }, { indexes: [index(['fullName'])] })] },
    flags: { renameFields: ['shop.Client.name=fullName'] },
    expected: {
      shop: [
        {
          ops: [
            { kind: 'renameField', oldName: 'name', newName: 'fullName' },
            { kind: 'renameIndex', oldName: 'shop_client_name_645e7d46_idx', newName: 'shop_client_full_name_9243298e_idx' },
          ],
        },
      ],
    },
  },
  {
    name: 'a field added to a renamed model uses the new name after the rename',
    before: { shop: [Client] },
    after: { shop: [model('Customer', { name, bought: f.integer({ null: true }), vip: f.boolean({ default: false }) })] },
    flags: { renameModels: ['shop.Client=Customer'] },
    expected: { shop: [{ ops: [{ kind: 'renameModel', newName: 'Customer' }, { kind: 'addField', model: 'Customer', name: 'vip' }] }] },
  },
  {
    name: 'a foreign key from a kept model to a new model comes after the new model',
    before: { shop: [Author] },
    after: { shop: [with_(Author, { publisher: f.foreignKey('Publisher', { onDelete: 'setNull', null: true }) }), model('Publisher', { name })] },
    expected: { shop: [{ ops: [{ kind: 'createModel', name: 'Publisher' }, { kind: 'addField', model: 'Author', name: 'publisher' }] }] },
  },
  {
    name: 're-pointing a foreign key at a new model alters it after creating the model',
    before: { shop: [Client, Computer] },
    after: { shop: [Client, model('Owner', { name }), model('Computer', { brand: name, boughtBy: f.foreignKey('Owner', { onDelete: 'cascade' }) })] },
    expected: {
      shop: [{ ops: [{ kind: 'createModel', name: 'Owner' }, { kind: 'alterField', model: 'Computer', name: 'boughtBy', field: { to: 'shop.Owner' } }] }],
    },
  },
  {
    name: 'a foreign key added to a model of another app depends on that app',
    before: { shop: [Client], billing: [model('Invoice', { total: f.integer() })] },
    after: { shop: [Client], billing: [model('Invoice', { total: f.integer(), client: f.foreignKey('shop.Client', { onDelete: 'cascade', null: true }) })] },
    expected: { billing: [{ deps: [billingInitial, shopInitial], ops: [{ kind: 'addField', model: 'Invoice', name: 'client' }] }] },
  },
  {
    name: 'a new many-to-many field is added without a question',
    before: { shop: [Tag, Post] },
    after: { shop: [Tag, with_(Post, { tags: f.manyToMany('Tag', { relatedName: 'posts' }) })] },
    asked: [],
    expected: { shop: [{ ops: [{ kind: 'addField', model: 'Post', name: 'tags', field: { kind: 'manyToMany', to: 'shop.Tag' } }] }] },
  },
  {
    name: 'a removed many-to-many field is a removeField',
    before: { shop: [Tag, with_(Post, { tags: f.manyToMany('Tag') })] },
    after: { shop: [Tag, Post] },
    expected: { shop: [{ ops: [{ kind: 'removeField', model: 'Post', name: 'tags' }] }] },
  },
  {
    name: 'a many-to-many turned into a foreign key is removed and added again',
    before: { shop: [Tag, with_(Post, { tags: f.manyToMany('Tag') })] },
    after: { shop: [Tag, with_(Post, { tags: f.foreignKey('Tag', { onDelete: 'cascade' }) })] },
    flags: { assumeHandled: ['shop.Post.tags'] },
    asked: ['not null addition shop.Post.tags'],
    expected: { shop: [{ ops: [{ kind: 'removeField', name: 'tags' }, { kind: 'addField', name: 'tags', field: { kind: 'foreignKey' } }] }] },
  },
  {
    name: 'removing a many-to-many with its through model removes the field before the model',
    before: {
      shop: [
        Tag,
        with_(Post, { tags: f.manyToMany('Tag', { through: 'Tagging' }) }),
        model('Tagging', { post: f.foreignKey('Post', { onDelete: 'cascade' }), tag: f.foreignKey('Tag', { onDelete: 'cascade' }) }),
      ],
    },
    after: { shop: [Tag, Post] },
    expected: { shop: [{ ops: [{ kind: 'removeField', model: 'Post', name: 'tags' }, { kind: 'deleteModel', name: 'Tagging' }] }] },
  },
  // ----------------------------------------------------------------------------------- indexes and constraints
  {
    name: 'a new index is an addIndex with its generated name',
    before: { shop: [Client] },
    after: { shop: [options(Client, { indexes: [index(['name'])] })] },
    expected: { shop: [{ ops: [{ kind: 'addIndex', model: 'Client', index: { fields: ['name'], name: 'shop_client_name_645e7d46_idx' } }] }] },
  },
  {
    name: 'a dropped index is a removeIndex',
    before: { shop: [options(Client, { indexes: [index(['name'])] })] },
    after: { shop: [Client] },
    expected: { shop: [{ ops: [{ kind: 'removeIndex', model: 'Client', name: 'shop_client_name_645e7d46_idx' }] }] },
  },
  {
    name: 'an index with the same definition and a new name is renamed',
    before: { shop: [options(Client, { indexes: [index(['name'], { name: 'old_idx' })] })] },
    after: { shop: [options(Client, { indexes: [index(['name'], { name: 'new_idx' })] })] },
    expected: { shop: [{ ops: [{ kind: 'renameIndex', model: 'Client', oldName: 'old_idx', newName: 'new_idx' }] }] },
  },
  {
    name: 'an index whose definition changed under the same name is removed and added',
    before: { shop: [options(Client, { indexes: [index(['name'], { name: 'client_idx' })] })] },
    after: { shop: [options(Client, { indexes: [index(['name', 'bought'], { name: 'client_idx' })] })] },
    expected: { shop: [{ ops: [{ kind: 'removeIndex', name: 'client_idx' }, { kind: 'addIndex', index: { name: 'client_idx', fields: ['name', 'bought'] } }] }] },
  },
  {
    name: 'new unique and check constraints are addConstraint operations',
    before: { shop: [Client] },
    after: { shop: [options(Client, { constraints: [unique(['name']), check('bought >= 0', { name: 'bought_positive' })] })] },
    expected: {
      shop: [
        {
          ops: [
            { kind: 'addConstraint', constraint: { kind: 'unique', name: 'shop_client_name_5c7ab074_uniq' } },
            { kind: 'addConstraint', constraint: { kind: 'check', name: 'bought_positive' } },
          ],
        },
      ],
    },
  },
  {
    name: 'a changed check constraint is removed and added again',
    before: { shop: [options(Client, { constraints: [check('bought >= 0', { name: 'bought_ok' })] })] },
    after: { shop: [options(Client, { constraints: [check('bought > 0', { name: 'bought_ok' })] })] },
    expected: { shop: [{ ops: [{ kind: 'removeConstraint', name: 'bought_ok' }, { kind: 'addConstraint', constraint: { check: 'bought > 0' } }] }] },
  },
  {
    name: 'removing a field drops its index before the field',
    before: { shop: [options(Client, { indexes: [index(['bought'], { name: 'bought_idx' })] })] },
    after: { shop: [without(Client, 'bought')] },
    expected: { shop: [{ ops: [{ kind: 'removeIndex', name: 'bought_idx' }, { kind: 'removeField', name: 'bought' }] }] },
  },
  {
    name: 'an index on a new field comes after the field',
    before: { shop: [Client] },
    after: { shop: [model('Client', { name, bought: f.integer({ null: true }), email: f.email({ null: true }) }, { indexes: [index(['email'])] })] },
    expected: { shop: [{ ops: [{ kind: 'addField', name: 'email' }, { kind: 'addIndex', index: { fields: ['email'] } }] }] },
  },
  // ----------------------------------------------------------------------------------- model options
  {
    name: 'a new model keeps its indexes, constraints and uniqueTogether in its createModel',
    before: {},
    after: {
      shop: [
        Client,
        model('Computer', { brand: name, boughtBy: f.foreignKey('Client', { onDelete: 'cascade' }) }, {
          indexes: [index(['brand'])],
          constraints: [unique(['brand'])],
          uniqueTogether: [['brand', 'boughtBy']],
        }),
      ],
    },
    expected: {
      shop: [
        {
          ops: [
            { kind: 'createModel', name: 'Client' },
            {
              kind: 'createModel',
              name: 'Computer',
              fieldNames: ['id', 'brand', 'boughtBy'],
              options: { uniqueTogether: [['brand', 'boughtBy']], indexes: [{ name: 'shop_computer_brand_b222600a_idx' }] },
            },
          ],
        },
      ],
    },
  },
  {
    name: 'a new uniqueTogether set is an alterUniqueTogether',
    before: { shop: [Client] },
    after: { shop: [options(Client, { uniqueTogether: [['name', 'bought']] })] },
    expected: { shop: [{ ops: [{ kind: 'alterUniqueTogether', name: 'Client', uniqueTogether: [['name', 'bought']] }] }] },
  },
  {
    name: 'removing a field in a uniqueTogether set drops the set before the field',
    before: { shop: [options(Client, { uniqueTogether: [['name', 'bought']] })] },
    after: { shop: [without(Client, 'bought')] },
    expected: { shop: [{ ops: [{ kind: 'alterUniqueTogether', uniqueTogether: [] }, { kind: 'removeField', name: 'bought' }] }] },
  },
  {
    name: 'reordering uniqueTogether sets is not a change',
    before: { shop: [options(Client, { uniqueTogether: [['name'], ['bought']] })] },
    after: { shop: [options(Client, { uniqueTogether: [['bought'], ['name']] })] },
    expected: {},
  },
  {
    name: 'a changed dbTable is an alterModelTable',
    before: { shop: [Client] },
    after: { shop: [options(Client, { dbTable: 'clients' })] },
    expected: { shop: [{ ops: [{ kind: 'alterModelTable', name: 'Client', table: 'clients' }] }] },
  },
  {
    name: 'dropping dbTable goes back to the default table',
    before: { shop: [options(Client, { dbTable: 'clients' })] },
    after: { shop: [Client] },
    expected: { shop: [{ ops: [{ kind: 'alterModelTable', name: 'Client', table: null }] }] },
  },
  {
    name: 'ordering and verbose names are recorded with alterModelOptions',
    before: { shop: [Client] },
    after: { shop: [options(Client, { ordering: ['-bought'], verboseName: 'customer' })] },
    expected: { shop: [{ ops: [{ kind: 'alterModelOptions', name: 'Client', options: { ordering: ['-bought'], verboseName: 'customer' } }] }] },
  },
  {
    name: 'renaming a field named in ordering needs no alterModelOptions',
    before: { shop: [options(Client, { ordering: ['-name'] })] },
    after: { shop: [model('Client', { fullName: name, bought: f.integer({ null: true }) }, { ordering: ['-fullName'] })] },
    flags: { renameFields: ['shop.Client.name=fullName'] },
    expected: { shop: [{ ops: [{ kind: 'renameField', oldName: 'name', newName: 'fullName' }] }] },
  },
  {
    name: 'a field renamed away while a new field takes its old name keeps ordering right',
    before: { shop: [options(Client, { ordering: ['name'] })] },
    after: { shop: [model('Client', { fullName: name, bought: f.integer({ null: true }), name: f.text({ null: true }) }, { ordering: ['name'] })] },
    flags: { renameFields: ['shop.Client.name=fullName'] },
    expected: {
      shop: [
        {
          ops: [
            { kind: 'renameField', oldName: 'name', newName: 'fullName' },
            { kind: 'alterModelOptions', options: { ordering: ['name'] } },
            { kind: 'addField', name: 'name', field: { kind: 'text' } },
          ],
        },
      ],
    },
  },
  {
    name: 'making a model unmanaged is an alterModelOptions',
    before: { shop: [Client] },
    after: { shop: [options(Client, { managed: false })] },
    expected: { shop: [{ ops: [{ kind: 'alterModelOptions', name: 'Client', options: { managed: false } }] }] },
  },
  {
    name: 'an unmanaged model needs no default for a NOT NULL field',
    before: { shop: [options(Client, { managed: false })] },
    after: { shop: [model('Client', { name, bought: f.integer({ null: true }), rank: f.integer() }, { managed: false })] },
    asked: [],
    expected: { shop: [{ ops: [{ kind: 'addField', name: 'rank', preserveDefault: undefined }] }] },
  },
  // ----------------------------------------------------------------------------------- whole runs
  {
    name: 'nothing changed means no changes',
    before: { shop: [Client, Computer] },
    after: { shop: [Client, Computer] },
    expected: {},
  },
  {
    name: 'asking for one app keeps the apps its migrations need and drops the others',
    before: {},
    after: {
      shop: [model('Order', { customer: f.foreignKey('billing.Customer', { onDelete: 'protect' }) })],
      billing: [model('Customer', { name })],
      blog: [Post],
    },
    apps: ['shop'],
    expected: {
      billing: [{ ops: [{ kind: 'createModel', name: 'Customer' }] }],
      shop: [{ deps: ['billing#0'], ops: [{ kind: 'createModel', name: 'Order' }] }],
    },
  },
  {
    name: 'several changes to one model come in Django’s phase order',
    before: { shop: [options(Client, { indexes: [index(['name'], { name: 'name_idx' })] })] },
    after: {
      shop: [
        model('Client', { name: f.char({ maxLength: 100 }), email: f.email({ null: true }) }, { indexes: [index(['email'], { name: 'email_idx' })], ordering: ['name'] }),
      ],
    },
    expected: {
      shop: [
        {
          ops: [
            { kind: 'removeIndex', name: 'name_idx' },
            { kind: 'alterModelOptions', options: { ordering: ['name'] } },
            { kind: 'removeField', name: 'bought' },
            { kind: 'addField', name: 'email' },
            { kind: 'alterField', name: 'name' },
            { kind: 'addIndex', index: { name: 'email_idx' } },
          ],
        },
      ],
    },
  },
];
