// Steps 2-3 of seed 003: a data migration that fills `bought` for every existing client, on the
// historical model (the Client of this point in the history, not of models.ts), row by row as the
// seed writes it. Sediment streams the clients in batches and counts their computers per batch.
import { migration, ops } from 'sediment-migrations';

export default migration({
  dependencies: [['store', '0003_client_bought']],
  operations: [
    ops.runCode({
      forward: async function addBought({ apps }) {
        const Client = apps.getModel('store', 'Client');
        for await (const c of Client.objects.all()) {
          c.bought = await c.computers.count();
          await c.save();
        }
      },
      reverse: ops.noop,
    }),
  ],
});
