import type { Connection } from '../backends/base/connection.js';
import type { SchemaEditor } from '../backends/base/schema-editor.js';
import type { Migration } from '../graph/migration.js';
import { loadMigrations } from '../loader/index.js';
import type { Project } from './project.js';

/** The project's migrations, loaded through the cached bundle. */
export function loadProjectMigrations(project: Project): Promise<Migration[]> {
  return loadMigrations({ root: project.root, apps: project.apps });
}

/** A schema editor factory for the project's backend (PostgreSQL and PGlite share one). */
export async function editorFactory(project: Project, collect?: string[]): Promise<(connection: Connection) => SchemaEditor> {
  const { createPostgresSchemaEditor } = await import('../backends/postgres/schema-editor.js');
  return (connection) => createPostgresSchemaEditor(connection, project.naming, collect ? { collect } : undefined);
}
