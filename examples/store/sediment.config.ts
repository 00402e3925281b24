import { defineConfig } from 'sediment-migrations';

export default defineConfig({
  // Embedded PostgreSQL: no server needed. DATABASE_URL=postgres://… runs the same project on a server.
  database: process.env.DATABASE_URL ?? 'pglite:./.sediment/demo',
  apps: { store: 'src/store' },
});
