// Some clients and computers, so that the later steps run on a table that already holds rows.
import { migration, ops } from 'sediment-migrations';

export default migration({
  dependencies: [['store', '0001_initial']],
  operations: [
    ops.runSql({
      sql: [
        "INSERT INTO store_client (name) VALUES ('Ada'), ('Grace'), ('Linus')",
        `INSERT INTO store_computer (brand, bought_by_id)
         SELECT brand, c.id FROM store_client c
         JOIN (VALUES ('Ada', 'Lenovo'), ('Ada', 'Apple'), ('Grace', 'Dell')) AS v(name, brand) ON v.name = c.name`,
      ],
      reverseSql: ['DELETE FROM store_computer', 'DELETE FROM store_client'],
    }),
  ],
});
