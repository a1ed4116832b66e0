import { IntlMessageFormat } from "intl-messageformat";

export type MessageValues = Record<string, string | number>;

/** Compiled messages per locale, by their text (an area and its pages may use one key for different texts). */
const compiled = new Map<string, Map<string, IntlMessageFormat>>();

function compile(locale: string, message: string): IntlMessageFormat {
  let byText = compiled.get(locale);
  if (!byText) {
    byText = new Map();
    compiled.set(locale, byText);
  }
  let format = byText.get(message);
  if (!format) {
    // An apostrophe is always a literal one ("don't", "'{name}'"), as before ICU: ICU would read it as a quote.
    // Tags are text too ("<name>"): no message carries markup.
    format = new IntlMessageFormat(message.replaceAll("'", "''"), locale, undefined, { ignoreTag: true });
    byText.set(message, format);
  }
  return format;
}

/**
 * Formats a text as an ICU message (docs/adr/0030): `{name}` arguments and `{count, plural, one {…} other {…}}`.
 * A text with no argument is shown as written, with nothing to compile.
 */
export function formatMessage(locale: string, message: string, values?: MessageValues): string {
  if (!message.includes("{")) return message;
  try {
    return compile(locale, message).format(values) as string;
  } catch (error) {
    // A value the caller did not give, or a text that is not ICU: shown as written rather than breaking the page.
    if (import.meta.env?.DEV) console.warn(`message not formatted: ${message}`, error);
    return message;
  }
}
