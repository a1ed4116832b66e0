import pino, { type DestinationStream, type Logger } from "pino";
import type { LogLevel } from "./config.js";

/**
 * Structured JSON logs (one object per line, for any log shipper), with secrets censored before they are written.
 * Redaction is by field name at any depth we log (top level, and up to three levels down), so `log.info({ body })`
 * cannot leak a password or a card number by accident.
 */

/** Field names whose values are secrets wherever they appear. Compared exactly, so list the spellings we use. */
export const secretFieldNames = [
  "password",
  "new_password",
  "secret",
  "client_secret",
  "webhook_secret",
  "token",
  "access_token",
  "refresh_token",
  "session_token",
  "api_key",
  "apiKey",
  "secret_key",
  "private_key",
  "privateKey",
  "master_key",
  "masterKey",
  "mnemonic",
  "seed",
  "otp",
  "totp_code",
  "card_number",
  "cardNumber",
  "number", // card and bank objects name their number just "number"
  "cvc",
  "cvv",
  "account_number",
  "accountNumber",
  "iban",
  "routing_number",
  "authorization",
  "cookie",
];

const secretHeaderPaths = [
  'req.headers["authorization"]',
  'req.headers["cookie"]',
  'req.headers["x-api-key"]',
  'req.headers["idempotency-key"]',
  'res.headers["set-cookie"]',
];

function redactPaths(): string[] {
  const paths = [...secretHeaderPaths];
  for (const name of secretFieldNames) paths.push(name, `*.${name}`, `*.*.${name}`, `*.*.*.${name}`);
  return paths;
}

export const redactedCensor = "[redacted]";

const secretNames = new Set(secretFieldNames.map((name) => name.toLowerCase()));

/** A URL as logged: values of secret-named query parameters (`?token=…`) are censored. */
export function redactUrl(url: string): string {
  const queryStart = url.indexOf("?");
  if (queryStart === -1) return url;
  const query = new URLSearchParams(url.slice(queryStart + 1));
  let censored = false;
  for (const name of new Set(query.keys())) {
    if (secretNames.has(name.toLowerCase())) {
      query.set(name, redactedCensor);
      censored = true;
    }
  }
  return censored ? `${url.slice(0, queryStart)}?${query.toString()}` : url;
}

interface LoggedRequest {
  method?: string;
  url?: string;
  ip?: string;
  routeOptions?: { url?: string };
}

/** Replaces Fastify's `req` serializer: no headers, and no secrets in the query string. */
function serializeRequest(request: LoggedRequest) {
  return {
    method: request.method,
    url: request.url === undefined ? undefined : redactUrl(request.url),
    route: request.routeOptions?.url,
    remote_address: request.ip,
  };
}

export interface LoggerOptions {
  level: LogLevel;
  /** Where lines go; stdout when omitted. Tests pass a stream to read them. */
  destination?: DestinationStream;
  name?: string;
}

export function createLogger(options: LoggerOptions): Logger {
  return pino(
    {
      name: options.name ?? "coffer",
      level: options.level,
      redact: { paths: redactPaths(), censor: redactedCensor },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      serializers: { err: pino.stdSerializers.err, req: serializeRequest },
    },
    options.destination ?? pino.destination({ fd: 1, sync: false }),
  );
}
