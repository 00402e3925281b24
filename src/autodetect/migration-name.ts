import { UsageError } from '../errors/index.js';

/**
 * How long a migration's name (`0002_client_bought`, without the extension) may be. File systems
 * refuse a file name over 255 bytes (ENAMETOOLONG: `--name` with 300 characters, or a 340-character
 * model name in an automatic name, crashed makemigrations: issue 8, item 13); 100 bytes keeps every
 * name well inside that, inside Windows' 260-character paths with a deep project, and readable.
 */
export const MAX_MIGRATION_NAME_LENGTH = 100;

/**
 * Automatic names built from the operations longer than this become `auto_<timestamp>`, as Django's
 * Migration.suggest_name does for names it cannot build (Django's own limit for joining fragments is
 * 52 characters; a single fragment from a long model or field name can exceed any limit).
 */
export const MAX_SUGGESTED_WORDS = 60;

/** A UsageError unless `--name WORDS` makes a valid migration name after `number_`. */
export function checkGivenMigrationName(words: string, number: string): void {
  if (!/^\w+$/.test(words)) throw new UsageError(`--name ${JSON.stringify(words)} must be letters, digits and _ only.`);
  const room = MAX_MIGRATION_NAME_LENGTH - number.length - 1;
  if (Buffer.byteLength(words) > room) {
    throw new UsageError(`--name is ${Buffer.byteLength(words)} characters long; a migration name may have at most ${room} after '${number}_'.`, {
      hint: 'Choose a shorter name: it becomes the file name, and says in a few words what the migration does.',
    });
  }
}
