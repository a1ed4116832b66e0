import { ApiRequestError } from "./api";

/**
 * An API error in the reader's language when the area's message table knows its code (`error.<code>`), coffer's own
 * English message otherwise. Every app and page words errors this one way.
 */
export function apiErrorText<K extends string>(t: (key: K) => string, error: ApiRequestError): string {
  const key = `error.${error.code}` as K;
  const known = t(key);
  return known === key ? error.message : known;
}

/** What a form shows for a failure: the text, and the code when coffer answered one (a network error has none). */
export function explainError<K extends string>(t: (key: K) => string, error: unknown): { text: string; code?: string } {
  if (!(error instanceof ApiRequestError)) return { text: String(error) };
  return { text: apiErrorText(t, error), code: error.code };
}
