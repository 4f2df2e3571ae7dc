import { openDatabase, type Db } from '../../db/open.ts';

let image: Buffer | undefined;

/**
 * A new in-memory database at the current schema. Tests open thousands (a property test opens one per run), and
 * applying every migration each time is most of their cost, so each is a copy of one database migrated once.
 */
export function freshMemoryDatabase(): Db {
  if (image === undefined) {
    const migrated = openDatabase(':memory:');
    image = migrated.serialize();
    migrated.close();
  }
  return openDatabase(image);
}
