// Step 2-3 of seed 003: a data migration that fills `bought` for every existing client, with one
// set-based UPDATE through `db` (Kysely on the migration's own transaction).
import { migration, ops } from 'sediment';

export default migration({
  dependencies: [['store', '0003_client_bought']],
  operations: [
    ops.runCode({
      forward: async ({ db }) => {
        await db
          .updateTable('store_client')
          .set((eb) => ({
            bought: eb
              .selectFrom('store_computer')
              .select((inner) => inner.fn.countAll<number>().as('n'))
              .whereRef('store_computer.bought_by_id', '=', 'store_client.id'),
          }))
          .execute();
      },
      reverse: ops.noop,
    }),
  ],
});
