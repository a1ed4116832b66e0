import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { Marked, type Tokens } from "marked";
import type { Plugin } from "vite";

/**
 * The help centre's articles are Markdown files in the repository (help/en/*.md, help/zh-CN/*.md), written for people,
 * not developers. They are rendered here, at build time, so the browser downloads HTML and no Markdown library; each
 * language becomes one lazily loaded module (`virtual:coffer-help/en`, `virtual:coffer-help/zh-CN`), and a tiny one
 * holds the titles for the "?" buttons (`virtual:coffer-help/titles`). The build fails on an article that is missing in
 * one language, lacks its front matter, links to an article that does not exist, or carries raw HTML.
 */
export const helpLocales = ["en", "zh-CN"] as const;
export type HelpLocale = (typeof helpLocales)[number];
export type HelpAudience = "payer" | "merchant";

export interface HelpArticleData {
  slug: string;
  title: string;
  summary: string;
  audience: HelpAudience;
  order: number;
  /** The body as HTML; links to other articles are `<a href="SLUG" data-help="SLUG">`. */
  html: string;
  /** The body as plain text, for the search. */
  text: string;
}

export const defaultHelpDir = path.resolve(import.meta.dirname, "..", "help");
const slugPattern = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

function fail(file: string, problem: string): never {
  throw new Error(`help article ${file}: ${problem}`);
}

/** `---` / `key: value` lines / `---`: the few fields an article needs, without a YAML parser. */
function splitFrontMatter(file: string, source: string): { fields: Record<string, string>; body: string } {
  const match = /^---\r?\n([\s\S]*?)\r?\n---\r?\n([\s\S]*)$/.exec(source);
  if (!match) fail(file, "it must start with front matter between --- lines");
  const fields: Record<string, string> = {};
  for (const line of (match[1] ?? "").split(/\r?\n/)) {
    if (!line.trim()) continue;
    const colon = line.indexOf(":");
    if (colon < 1) fail(file, `front matter line "${line}" is not "key: value"`);
    fields[line.slice(0, colon).trim()] = line.slice(colon + 1).trim();
  }
  return { fields, body: match[2] ?? "" };
}

const entities: Record<string, string> = { "&amp;": "&", "&lt;": "<", "&gt;": ">", "&quot;": '"', "&#39;": "'" };

/** The text a person reads, for the search: tags dropped, entities decoded, white space folded. */
export function htmlToText(html: string): string {
  return html
    .replace(/<[^>]+>/g, " ")
    .replace(/&(?:amp|lt|gt|quot|#39);/g, (entity) => entities[entity] ?? entity)
    .replace(/\s+/g, " ")
    .trim();
}

function escapeAttribute(value: string): string {
  return value.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;");
}

function renderBody(file: string, body: string, slugs: ReadonlySet<string>): string {
  const marked = new Marked({ gfm: true, async: false });
  marked.use({
    renderer: {
      html() {
        fail(file, "raw HTML is not allowed: write Markdown");
      },
      heading({ tokens, depth }: Tokens.Heading) {
        if (depth === 1) fail(file, "the title comes from the front matter: start sections at ##");
        return `<h${depth}>${this.parser.parseInline(tokens)}</h${depth}>\n`;
      },
      link({ href, tokens }: Tokens.Link) {
        const text = this.parser.parseInline(tokens);
        const article = /^([a-z0-9-]+)\.md$/.exec(href);
        if (article) {
          const slug = article[1] as string;
          if (!slugs.has(slug)) fail(file, `it links to ${href}, which is no article`);
          return `<a href="${slug}" data-help="${slug}">${text}</a>`;
        }
        if (!/^https:\/\//.test(href)) fail(file, `link ${href}: use another article (name.md) or an https:// address`);
        return `<a href="${escapeAttribute(href)}" rel="noopener noreferrer">${text}</a>`;
      },
      image() {
        fail(file, "images are not supported in help articles yet");
      },
    },
  });
  return marked.parse(body) as string;
}

/** Every article of every language, checked, ordered by their `order`. */
export function readHelpArticles(dir = defaultHelpDir): Record<HelpLocale, HelpArticleData[]> {
  const filesOf = (locale: HelpLocale) =>
    readdirSync(path.join(dir, locale))
      .filter((name) => name.endsWith(".md"))
      .sort();
  const english = filesOf("en");
  const slugs = new Set(english.map((name) => name.slice(0, -3)));
  const result = {} as Record<HelpLocale, HelpArticleData[]>;
  for (const locale of helpLocales) {
    const files = filesOf(locale);
    const missing = english.filter((name) => !files.includes(name));
    const extra = files.filter((name) => !english.includes(name));
    if (missing.length || extra.length) {
      throw new Error(
        `help/${locale} must have the same articles as help/en (missing: ${missing.join(", ") || "none"}; ` +
          `not in English: ${extra.join(", ") || "none"})`,
      );
    }
    result[locale] = files
      .map((name): HelpArticleData => {
        const file = `${locale}/${name}`;
        const slug = name.slice(0, -3);
        if (!slugPattern.test(slug)) fail(file, "its file name must be lower-case words joined by hyphens");
        const { fields, body } = splitFrontMatter(file, readFileSync(path.join(dir, locale, name), "utf8"));
        const { title, summary, audience, order } = fields;
        if (!title || !summary) fail(file, "the front matter needs a title and a summary");
        if (audience !== "payer" && audience !== "merchant") fail(file, "audience must be payer or merchant");
        if (!order || !/^\d+$/.test(order)) fail(file, "order must be a whole number");
        const html = renderBody(file, body, slugs);
        return { slug, title, summary, audience, order: Number(order), html, text: htmlToText(html) };
      })
      .sort((a, b) => a.order - b.order || a.slug.localeCompare(b.slug));
  }
  // The same article has the same place and audience in every language.
  for (const article of result.en) {
    for (const locale of helpLocales) {
      const other = result[locale].find((candidate) => candidate.slug === article.slug);
      if (other?.audience !== article.audience || other.order !== article.order) {
        fail(`${locale}/${article.slug}.md`, "audience and order must be the same as in English");
      }
    }
  }
  return result;
}

const virtualPrefix = "virtual:coffer-help/";

/** The Vite plugin: the virtual modules above, rebuilt when an article changes. */
export function helpArticlesPlugin(dir = defaultHelpDir): Plugin {
  return {
    name: "coffer-help-articles",
    resolveId(id) {
      return id.startsWith(virtualPrefix) ? `\0${id}` : null;
    },
    load(id) {
      if (!id.startsWith(`\0${virtualPrefix}`)) return null;
      const name = id.slice(virtualPrefix.length + 1);
      for (const locale of helpLocales) {
        for (const file of readdirSync(path.join(dir, locale))) this.addWatchFile(path.join(dir, locale, file));
      }
      const articles = readHelpArticles(dir);
      if (name === "titles") {
        const titles = Object.fromEntries(
          helpLocales.map((locale) => [locale, Object.fromEntries(articles[locale].map((a) => [a.slug, a.title]))]),
        );
        return `export default ${JSON.stringify(titles)};`;
      }
      const locale = helpLocales.find((candidate) => candidate === name);
      if (!locale) throw new Error(`no help module ${id.slice(1)}`);
      return `export default ${JSON.stringify(articles[locale])};`;
    },
  };
}
