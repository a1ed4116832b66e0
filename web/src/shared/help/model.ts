import type { Locale } from "../i18n";

export { type HelpSlug, helpSlugs } from "./slugs";

export type HelpAudience = "payer" | "merchant";

export interface HelpArticle {
  slug: string;
  title: string;
  summary: string;
  audience: HelpAudience;
  order: number;
  /** Rendered at build time from the repository's Markdown; links to other articles carry data-help="slug". */
  html: string;
  text: string;
}

/** Each language's articles are their own chunk, fetched when help is first opened in that language. */
export function loadHelpArticles(locale: Locale): Promise<HelpArticle[]> {
  const module = locale === "zh-CN" ? import("virtual:coffer-help/zh-CN") : import("virtual:coffer-help/en");
  return module.then((loaded) => loaded.default);
}
