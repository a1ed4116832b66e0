import { Writable } from "node:stream";
import type { Logger } from "pino";
import { createLogger } from "../../src/logging.js";

/** A real coffer logger whose lines land in an array, for tests that read what was logged. */
export function capturingLogger(level: "info" | "debug" = "info"): { logger: Logger; lines: () => string[] } {
  const chunks: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  const logger = createLogger({ level, destination });
  return {
    logger,
    lines: () => {
      logger.flush();
      return chunks.join("").split("\n").filter(Boolean);
    },
  };
}
