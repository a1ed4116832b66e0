import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from "react";
import { formatMessage, type MessageValues } from "./message-format";

/**
 * English and Simplified Chinese. The browser's language decides at first; the switcher's choice is remembered.
 * Each area of the app (console, ops, wallet, checkout) keeps its own message tables (defineMessages) so pages load
 * only their texts; the Chinese table must have every English key (checked by the type). Texts are ICU messages
 * (./message-format.ts): `{name}` arguments, `{count, plural, one {…} other {…}}`; an apostrophe is just one.
 */
export type Locale = "en" | "zh-CN";
export const locales: readonly Locale[] = ["en", "zh-CN"];
const storageKey = "coffer.locale";

export function detectLocale(): Locale {
  const stored = globalThis.localStorage?.getItem(storageKey);
  if (stored === "en" || stored === "zh-CN") return stored;
  const preferred = globalThis.navigator?.languages ?? [globalThis.navigator?.language ?? "en"];
  for (const language of preferred) {
    const lower = language.toLowerCase();
    if (lower.startsWith("zh")) return "zh-CN";
    if (lower.startsWith("en")) return "en";
  }
  return "en";
}

export type Messages = Record<string, string>;
export type Translate<M extends Messages> = (key: keyof M & string, values?: MessageValues) => string;

export interface I18nValue<M extends Messages> {
  locale: Locale;
  setLocale(locale: Locale): void;
  t: Translate<M>;
}

/** An area's message tables; the Chinese one must have every English key. */
export function defineMessages<M extends Messages>(en: M, zhCN: { [K in keyof M]: string }): Record<Locale, M> {
  return { en, "zh-CN": zhCN as unknown as M };
}

const I18nContext = createContext<I18nValue<Messages> | null>(null);

export function I18nProvider({
  messages,
  initialLocale,
  children,
}: {
  messages: Record<Locale, Messages>;
  /** A language the link asked for (e.g. a merchant's ?locale= on a checkout link), over the detected one. */
  initialLocale?: Locale;
  children: ReactNode;
}) {
  const [locale, setLocaleState] = useState<Locale>(() => initialLocale ?? detectLocale());
  useEffect(() => {
    document.documentElement.lang = locale;
  }, [locale]);
  const setLocale = useCallback((next: Locale) => {
    globalThis.localStorage?.setItem(storageKey, next);
    setLocaleState(next);
  }, []);
  const value = useMemo<I18nValue<Messages>>(
    () => ({
      locale,
      setLocale,
      t: (key, values) => formatMessage(locale, messages[locale][key] ?? messages.en[key] ?? key, values),
    }),
    [locale, setLocale, messages],
  );
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

/** The area's typed view of the context: `export const useT = () => useI18n<typeof en>()` in each area. */
export function useI18n<M extends Messages>(): I18nValue<M> {
  const value = useContext(I18nContext);
  if (!value) throw new Error("useI18n outside I18nProvider");
  return value as unknown as I18nValue<M>;
}

/**
 * A lazily loaded page's own texts in the area's current language: its chunk carries them, so the area's first load
 * does not. Falls back to English, then to the key, like the area's own `t`.
 */
export function usePageMessages<M extends Messages>(table: Record<Locale, M>): I18nValue<M> {
  const area = useI18n<Messages>();
  const { locale, setLocale } = area;
  return useMemo(
    () => ({
      locale,
      setLocale,
      t: (key, values) => formatMessage(locale, table[locale][key] ?? table.en[key] ?? key, values),
    }),
    [locale, setLocale, table],
  );
}

/** The language switcher: a labelled select, the same in every area. */
export function LanguageSwitcher({
  locale,
  onChange,
  label,
}: {
  locale: Locale;
  onChange(locale: Locale): void;
  label: string;
}) {
  return (
    <label className="language-switcher">
      <span className="visually-hidden">{label}</span>
      <select value={locale} onChange={(event) => onChange(event.target.value as Locale)} aria-label={label}>
        <option value="en" lang="en">
          English
        </option>
        <option value="zh-CN" lang="zh-CN">
          简体中文
        </option>
      </select>
    </label>
  );
}
