/**
 * The file under the data directory that holds a generated master key. Shared by the code that creates it
 * (src/runtime/master-key.ts) and the security audit that checks its permissions.
 */
export const masterKeyFileName = "master.key";
