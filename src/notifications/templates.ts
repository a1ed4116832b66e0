/**
 * Message templates in English and Simplified Chinese. A domain defines its templates beside its code (e.g.
 * src/merchants/messages.ts) with defineTemplate; `{{name}}` placeholders are filled from the variables, and
 * HTML-escaped in the HTML part.
 */
export const locales = ["en", "zh-CN"] as const;
export type Locale = (typeof locales)[number];

export interface MessageTemplate {
  /** Stable name, stored with each message: "merchant.verify_email". */
  name: string;
  subject: Record<Locale, string>;
  text: Record<Locale, string>;
}

export function defineTemplate(template: MessageTemplate): MessageTemplate {
  for (const locale of locales) {
    for (const part of [template.subject[locale], template.text[locale]]) {
      if (typeof part !== "string" || part.length === 0) throw new Error(`template ${template.name} lacks ${locale}`);
    }
  }
  return template;
}

export interface RenderedMessage {
  subject: string;
  text: string;
  html: string;
}

const placeholder = /\{\{\s*([a-zA-Z0-9_]+)\s*\}\}/g;

function fill(text: string, vars: Record<string, string>, encode: (s: string) => string, name: string): string {
  return text.replace(placeholder, (_, key: string) => {
    const value = vars[key];
    if (value === undefined) throw new Error(`template ${name} needs variable ${key}`);
    return encode(value);
  });
}

export function escapeHtml(value: string): string {
  return value
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&#39;");
}

const webAddress = /^https?:\/\/[^\s<>"']+$/;

/**
 * A value as the HTML part shows it: escaped, and a web address (a verification or sign-in link) as a link a mail
 * client lets you click, not text to copy. Only whole http(s) values become links, so a value cannot smuggle in
 * another scheme (javascript:) or markup.
 */
function htmlValue(value: string): string {
  const escaped = escapeHtml(value);
  return webAddress.test(value) ? `<a href="${escaped}">${escaped}</a>` : escaped;
}

export function renderTemplate(
  template: MessageTemplate,
  locale: Locale,
  vars: Record<string, string>,
): RenderedMessage {
  const subject = fill(template.subject[locale], vars, (s) => s, template.name);
  const text = fill(template.text[locale], vars, (s) => s, template.name);
  const body = fill(template.text[locale], vars, htmlValue, template.name)
    .split(/\n{2,}/)
    .map((paragraph) => `<p>${paragraph.replaceAll("\n", "<br>")}</p>`)
    .join("\n");
  const html = `<!doctype html><html lang="${locale}"><meta charset="utf-8"><body style="font-family:system-ui,sans-serif;line-height:1.5">${body}</body></html>`;
  return { subject, text, html };
}

/** The best of our locales for an Accept-Language header: zh, zh-CN, zh-Hans → zh-CN; anything else → en. */
export function localeFromAcceptLanguage(header: string | undefined): Locale {
  if (!header) return "en";
  const ranked = header
    .split(",")
    .map((part) => {
      const [tag, ...params] = part.trim().split(";");
      const q = params.find((p) => p.trim().startsWith("q="));
      return { tag: (tag ?? "").toLowerCase(), q: q ? Number(q.trim().slice(2)) || 0 : 1 };
    })
    .sort((a, b) => b.q - a.q);
  for (const { tag, q } of ranked) {
    if (q <= 0) continue;
    if (tag === "zh" || tag.startsWith("zh-cn") || tag.startsWith("zh-hans") || tag.startsWith("zh-sg")) return "zh-CN";
    if (tag === "en" || tag.startsWith("en-")) return "en";
  }
  return "en";
}

export function isLocale(value: unknown): value is Locale {
  return typeof value === "string" && (locales as readonly string[]).includes(value);
}
