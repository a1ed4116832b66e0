import type { Queryable } from "../db/pool.js";

/**
 * The time zone names PostgreSQL knows (pg_timezone_names), read once per process: bucketing happens in SQL with
 * AT TIME ZONE, so a name is valid exactly when the database can use it. POSIX-style specs ("EST5EDT", "+08") are
 * refused: only IANA area/location names and UTC.
 */
export function createTimeZones(db: Queryable) {
  let names: Promise<Set<string>> | undefined;
  const ianaName = /^(UTC|[A-Z][A-Za-z_]+(\/[A-Za-z0-9_+-]+){1,2})$/;
  return {
    async has(name: string): Promise<boolean> {
      if (!ianaName.test(name)) return false;
      names ??= db
        .query<{ name: string }>("SELECT name FROM pg_timezone_names")
        .then((r) => new Set(r.rows.map((row) => row.name)))
        .catch((error) => {
          names = undefined;
          throw error;
        });
      return (await names).has(name);
    },
  };
}
