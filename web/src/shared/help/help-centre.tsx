import { type MouseEvent, useCallback, useEffect, useId, useMemo, useRef, useState } from "react";
import { type Locale, usePageMessages } from "../i18n";
import { navigate, usePath } from "../router";
import { Alert, Button, Spinner, TextField } from "../ui";
import { helpMessages } from "./messages";
import { type HelpArticle, type HelpAudience, loadHelpArticles } from "./model";
import { searchArticles } from "./search";
import "./help.css";

/**
 * The help centre: the list of articles by audience, a search over titles and text, and one article. The same view
 * is a page (the console's /help, the wallet's /wallet/help, each article at its own address) and a dialog (a "?"
 * beside a form, and the checkout page's Help), where moving between articles stays inside the dialog.
 */
type LoadState = { locale: Locale; articles: HelpArticle[] | null; error: boolean };

function useHelpArticles(locale: Locale) {
  const [state, setState] = useState<LoadState>({ locale, articles: null, error: false });
  const [attempt, setAttempt] = useState(0);
  useEffect(() => {
    let current = true;
    setState({ locale, articles: null, error: false });
    // `attempt` makes "Try again" load again after a failed chunk.
    void attempt;
    loadHelpArticles(locale).then(
      (articles) => current && setState({ locale, articles, error: false }),
      () => current && setState({ locale, articles: null, error: true }),
    );
    return () => {
      current = false;
    };
  }, [locale, attempt]);
  return { ...state, retry: () => setAttempt((n) => n + 1) };
}

interface ViewProps {
  slug: string | null;
  query: string;
  onQuery(query: string): void;
  onOpen(slug: string | null): void;
  hrefFor(slug: string | null): string;
  /** Whose articles come first in the list; without one, the audience of the article `from` (a "?" button's). */
  audience?: HelpAudience;
  from?: string | null;
  /** 1 on a page, 2 in a dialog (the dialog's title). */
  level: 1 | 2;
  headingId: string;
}

function HelpView({ slug, query, onQuery, onOpen, hrefFor, audience, from, level, headingId }: ViewProps) {
  const { t, locale } = usePageMessages(helpMessages);
  const { articles, error, retry } = useHelpArticles(locale);
  const Heading = level === 1 ? "h1" : "h2";
  const SubHeading = level === 1 ? "h2" : "h3";
  // Moving between the list and an article moves the reader to the new title, as a new page would (the link that
  // was pressed is gone); the first view of the page or the dialog keeps the focus where the browser puts it.
  const shown = useRef(false);
  // biome-ignore lint/correctness/useExhaustiveDependencies: it runs when the view changes.
  useEffect(() => {
    if (!shown.current) {
      shown.current = true;
      return;
    }
    document.getElementById(headingId)?.focus();
  }, [slug, headingId]);

  if (error) {
    return (
      <>
        <Heading id={headingId}>{t("help.title")}</Heading>
        <Alert kind="error">{t("help.loadFailed")}</Alert>
        <Button onClick={retry}>{t("help.retry")}</Button>
      </>
    );
  }
  if (!articles) {
    return (
      <>
        <Heading id={headingId}>{t("help.title")}</Heading>
        <Spinner label={t("help.loading")} />
      </>
    );
  }
  if (slug !== null) {
    const article = articles.find((candidate) => candidate.slug === slug);
    return (
      <ArticleView
        article={article ?? null}
        onOpen={onOpen}
        hrefFor={hrefFor}
        Heading={Heading}
        headingId={headingId}
        notFound={t("help.notFound")}
        backText={t("help.allArticles")}
      />
    );
  }

  const found = query.trim() ? searchArticles(articles, query) : null;
  const first = audience ?? articles.find((article) => article.slug === from)?.audience ?? "payer";
  const groups: [HelpAudience, string][] =
    first === "merchant"
      ? [
          ["merchant", t("help.forMerchants")],
          ["payer", t("help.forPayers")],
        ]
      : [
          ["payer", t("help.forPayers")],
          ["merchant", t("help.forMerchants")],
        ];
  return (
    <>
      <Heading id={headingId} tabIndex={-1}>
        {t("help.title")}
      </Heading>
      <p>{t("help.intro")}</p>
      <search className="help-search">
        <TextField
          label={t("help.search")}
          hint={t("help.searchHint")}
          type="search"
          value={query}
          enterKeyHint="search"
          autoComplete="off"
          onChange={(event) => onQuery(event.target.value)}
        />
      </search>
      <p className="help-count" role="status" aria-live="polite">
        {found === null
          ? ""
          : found.length === 0
            ? t("help.noResults", { query: query.trim() })
            : t("help.found", { count: found.length })}
      </p>
      {found !== null ? (
        found.length > 0 ? (
          <section aria-label={t("help.results")}>
            <ArticleList articles={found} onOpen={onOpen} hrefFor={hrefFor} />
          </section>
        ) : null
      ) : (
        groups.map(([group, title]) => (
          <section key={group} aria-labelledby={`${headingId}-${group}`}>
            <SubHeading id={`${headingId}-${group}`} className="help-group">
              {title}
            </SubHeading>
            <ArticleList
              articles={articles.filter((article) => article.audience === group)}
              onOpen={onOpen}
              hrefFor={hrefFor}
            />
          </section>
        ))
      )}
    </>
  );
}

/** A plain click opens the article here; a click with a modifier keeps the browser's own behaviour (a new tab). */
function openHere(event: MouseEvent | globalThis.MouseEvent, open: () => void) {
  if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) return;
  event.preventDefault();
  open();
}

function ArticleList({
  articles,
  onOpen,
  hrefFor,
}: {
  articles: HelpArticle[];
  onOpen(slug: string): void;
  hrefFor(slug: string): string;
}) {
  return (
    <ul className="help-list">
      {articles.map((article) => (
        <li key={article.slug}>
          <a href={hrefFor(article.slug)} onClick={(event) => openHere(event, () => onOpen(article.slug))}>
            {article.title}
          </a>
          <p>{article.summary}</p>
        </li>
      ))}
    </ul>
  );
}

function ArticleView({
  article,
  onOpen,
  hrefFor,
  Heading,
  headingId,
  notFound,
  backText,
}: {
  article: HelpArticle | null;
  onOpen(slug: string | null): void;
  hrefFor(slug: string | null): string;
  Heading: "h1" | "h2";
  headingId: string;
  notFound: string;
  backText: string;
}) {
  // Links between articles: the build writes href="slug" data-help="slug"; here they get the area's address.
  const html = useMemo(
    () =>
      article?.html.replace(
        /<a href="([a-z0-9-]+)" data-help="([a-z0-9-]+)">/g,
        (_whole, _href, slug: string) => `<a href="${hrefFor(slug)}" data-help="${slug}">`,
      ) ?? "",
    [article, hrefFor],
  );
  // The article's HTML is rendered at build time from the repository's own Markdown, never from anyone's input.
  const body = useRef<HTMLDivElement>(null);
  const open = useRef(onOpen);
  open.current = onOpen;
  useEffect(() => {
    const element = body.current;
    if (!element) return;
    element.innerHTML = html;
    const follow = (event: globalThis.MouseEvent) => {
      const slug = (event.target as Element).closest?.("a[data-help]")?.getAttribute("data-help");
      if (slug) openHere(event, () => open.current(slug));
    };
    element.addEventListener("click", follow);
    return () => element.removeEventListener("click", follow);
  }, [html]);
  return (
    <article aria-labelledby={headingId} className="help-article-view">
      <p>
        <a href={hrefFor(null)} onClick={(event) => openHere(event, () => onOpen(null))} className="help-back">
          {backText}
        </a>
      </p>
      <Heading id={headingId} tabIndex={-1}>
        {article?.title ?? notFound}
      </Heading>
      {article ? (
        <>
          <p className="help-summary">{article.summary}</p>
          <div className="help-article" ref={body} />
        </>
      ) : null}
    </article>
  );
}

/** The help centre page: `base` lists and searches, `base/<slug>` shows an article. */
export function HelpCentrePage({ base, audience }: { base: string; audience: HelpAudience }) {
  const path = usePath();
  const headingId = useId();
  const rest = path.slice(base.length + 1);
  const slug = path === base || rest === "" ? null : decodeURIComponent(rest);
  const [query, setQuery] = useState("");
  const hrefFor = useCallback((to: string | null) => (to ? `${base}/${to}` : base), [base]);
  return (
    <HelpView
      slug={slug}
      query={query}
      onQuery={setQuery}
      onOpen={(to) => navigate(hrefFor(to))}
      hrefFor={hrefFor}
      audience={audience}
      level={1}
      headingId={headingId}
    />
  );
}

/**
 * The help centre in a modal dialog: it opens on an article (a "?" button) or on the list (the checkout's Help), and
 * closes with its button or Escape; the opener gets the focus back.
 */
export function HelpDialog({
  slug: initial,
  audience,
  onClose,
}: {
  slug: string | null;
  audience?: HelpAudience;
  onClose(): void;
}) {
  const { t } = usePageMessages(helpMessages);
  const dialog = useRef<HTMLDialogElement>(null);
  const headingId = useId();
  const [slug, setSlug] = useState(initial);
  const [query, setQuery] = useState("");
  useEffect(() => {
    const element = dialog.current;
    if (element && !element.open) element.showModal();
  }, []);
  const hrefFor = useCallback((to: string | null) => (to ? `#help-${to}` : "#help"), []);
  return (
    <dialog ref={dialog} className="help-dialog" aria-labelledby={headingId} onClose={onClose}>
      <div className="help-dialog-bar">
        <Button variant="secondary" onClick={() => dialog.current?.close()}>
          {t("help.close")}
        </Button>
      </div>
      <HelpView
        slug={slug}
        query={query}
        onQuery={setQuery}
        onOpen={setSlug}
        hrefFor={hrefFor}
        audience={audience}
        from={initial}
        level={2}
        headingId={headingId}
      />
    </dialog>
  );
}
