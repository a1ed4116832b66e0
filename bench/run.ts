/**
 * `npm run bench -- <suite> …`: ledger and http measure speed against pgbench (bench/suites.ts); statements counts
 * what one operation sends to the database (bench/statements.ts).
 */
if (process.argv[2] === "statements") await import("./statements.js");
else await import("./suites.js");
