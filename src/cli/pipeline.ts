import type { Connection } from '../backends/base/connection.js';
import type { SchemaEditor } from '../backends/base/schema-editor.js';
import type { Migration } from '../graph/migration.js';
import { loadMigrations } from '../loader/index.js';
import type { Project } from './project.js';

/** The project's migrations, loaded through the cached bundle. */
export function loadProjectMigrations(project: Project): Promise<Migration[]> {
  return loadMigrations({ root: project.root, apps: project.apps });
}

/** A schema editor factory for the connection's backend. */
export function editorFactory(project: Project, collect?: string[]): (connection: Connection) => SchemaEditor {
  return (connection) => connection.backend.schemaEditor(connection, project.naming, collect ? { collect } : undefined);
}
