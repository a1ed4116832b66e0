import titles from "virtual:coffer-help/titles";
import { lazy, Suspense, useRef, useState } from "react";
import { type Locale, useI18n } from "../i18n";
import { Link } from "../router";
import { Spinner } from "../ui";
import type { HelpAudience, HelpSlug } from "./model";
import "./help-button.css";

/**
 * What every area's first load carries of the help centre: the "?" button beside a confusing form, the header's
 * "Help" link, and lazy wrappers. The articles, the search and the dialog come in their own chunks when first opened.
 */
const texts: Record<Locale, { help: string; about: string; loading: string }> = {
  en: { help: "Help", about: "Help: {title}", loading: "Loading help…" },
  "zh-CN": { help: "帮助", about: "帮助：{title}", loading: "正在加载帮助…" },
};

const LazyDialog = lazy(() => import("./help-centre").then((module) => ({ default: module.HelpDialog })));
const LazyPage = lazy(() => import("./help-centre").then((module) => ({ default: module.HelpCentrePage })));

function Loading() {
  const { locale } = useI18n();
  return <Spinner label={texts[locale].loading} />;
}

/**
 * A "?" beside a form or a heading: opens the article that explains it in a dialog (from which the rest of the help
 * centre is one step away). Its accessible name says which article: "Help: Limits and identity tiers".
 */
export function HelpButton({ slug }: { slug: HelpSlug }) {
  const { locale } = useI18n();
  const [open, setOpen] = useState(false);
  const button = useRef<HTMLButtonElement>(null);
  const title = titles[locale][slug] ?? slug;
  return (
    <>
      <button
        ref={button}
        type="button"
        className="help-button"
        aria-label={texts[locale].about.replace("{title}", title)}
        aria-haspopup="dialog"
        title={title}
        onClick={() => setOpen(true)}
      >
        <span aria-hidden="true">?</span>
      </button>
      {open ? (
        <Suspense fallback={null}>
          <LazyDialog
            slug={slug}
            onClose={() => {
              setOpen(false);
              button.current?.focus();
            }}
          />
        </Suspense>
      ) : null}
    </>
  );
}

/** The header's "Help" link to the area's help centre page. */
export function HelpLink({ to }: { to: string }) {
  const { locale } = useI18n();
  return (
    <Link to={to} className="help-link">
      {texts[locale].help}
    </Link>
  );
}

/** The header's "Help" button where the area has no help page of its own (the checkout): the centre in a dialog. */
export function HelpCentreButton({ audience }: { audience: HelpAudience }) {
  const { locale } = useI18n();
  const [open, setOpen] = useState(false);
  const button = useRef<HTMLButtonElement>(null);
  return (
    <>
      <button
        ref={button}
        type="button"
        className="help-link help-link-button"
        aria-haspopup="dialog"
        onClick={() => setOpen(true)}
      >
        {texts[locale].help}
      </button>
      {open ? (
        <Suspense fallback={null}>
          <LazyDialog
            slug={null}
            audience={audience}
            onClose={() => {
              setOpen(false);
              button.current?.focus();
            }}
          />
        </Suspense>
      ) : null}
    </>
  );
}

/** The help centre as a page at `base` (the list and search) and `base/<slug>` (an article). */
export function HelpPage({ base, audience }: { base: string; audience: HelpAudience }) {
  return (
    <Suspense fallback={<Loading />}>
      <LazyPage base={base} audience={audience} />
    </Suspense>
  );
}

/** True for the help centre's own paths under `base`. */
export function isHelpPath(path: string, base: string): boolean {
  return path === base || path.startsWith(`${base}/`);
}
