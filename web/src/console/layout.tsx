import {
  BadgeCheck,
  Banknote,
  CreditCard,
  House,
  KeyRound,
  Layers,
  LifeBuoy,
  Link as LinkIcon,
  LogOut,
  MessageSquare,
  Rocket,
  Scale,
  ScrollText,
  ShieldCheck,
  Store,
  TicketPercent,
  Users,
  WalletCards,
  Webhook,
} from "lucide-react";
import type { ReactNode } from "react";
import { HelpLink } from "../shared/help";
import { LanguageSwitcher } from "../shared/i18n";
import { Icon, type LucideIcon } from "../shared/icons";
import { Link, usePath } from "../shared/router";
import { Button } from "../shared/ui";
import { useAction } from "../shared/use-async";
import { api, type Me } from "./api";
import { ConsoleError } from "./common";
import { type en, useT } from "./messages";
import { isAdmin, useMe, useSession } from "./session";

/**
 * The signed-in console: header (brand, mode switch, language, user), the nav, and the test-mode banner. Each menu
 * entry has an icon, so a page is found again by its picture as well as its name.
 */
const navItems: { to: string; label: keyof typeof en; icon: LucideIcon; adminOnly?: boolean }[] = [
  { to: "/", label: "nav.home", icon: House },
  { to: "/payments", label: "nav.payments", icon: CreditCard },
  { to: "/feedback", label: "nav.feedback", icon: MessageSquare },
  { to: "/payment-links", label: "nav.paymentLinks", icon: LinkIcon },
  { to: "/promotions", label: "nav.promotions", icon: TicketPercent },
  { to: "/stores", label: "nav.stores", icon: Store },
  { to: "/prepaid-cards", label: "nav.prepaidCards", icon: WalletCards },
  { to: "/payment-methods", label: "nav.methods", icon: Layers },
  { to: "/balance", label: "nav.balance", icon: Banknote },
  { to: "/disputes", label: "nav.disputes", icon: Scale },
  { to: "/support", label: "nav.support", icon: LifeBuoy },
  { to: "/webhooks", label: "nav.webhooks", icon: Webhook },
  { to: "/api-keys", label: "nav.apiKeys", icon: KeyRound },
  { to: "/go-live", label: "nav.goLive", icon: Rocket },
  { to: "/verification", label: "nav.verification", icon: BadgeCheck, adminOnly: true },
  { to: "/team", label: "nav.team", icon: Users },
  { to: "/audit-log", label: "nav.audit", icon: ScrollText, adminOnly: true },
  { to: "/security", label: "nav.security", icon: ShieldCheck },
];

function isCurrent(path: string, to: string): boolean {
  return to === "/" ? path === "/" : path === to || path.startsWith(`${to}/`);
}

function ModeSwitch() {
  const { t } = useT();
  const me = useMe();
  const { signedIn } = useSession();
  const change = useAction(async (livemode: boolean) => {
    signedIn(await api.post<Me>("/v1/console/mode", { livemode }));
  });
  return (
    <div className="mode-area">
      <div className="mode-switch">
        <span id="mode-switch-label">{t("mode.live")}</span>
        <button
          type="button"
          role="switch"
          className={`switch ${me.livemode ? "switch-on" : ""}`}
          aria-checked={me.livemode}
          aria-labelledby="mode-switch-label"
          aria-describedby={me.live_mode_available ? undefined : "mode-switch-hint"}
          disabled={change.pending}
          onClick={() => change.run(!me.livemode)}
        >
          <span className="switch-knob" aria-hidden="true" />
        </button>
        {me.live_mode_available ? null : (
          <span id="mode-switch-hint" className="visually-hidden">
            {t("mode.unavailableHint")}
          </span>
        )}
      </div>
      {change.error ? (
        <div className="mode-error">
          <ConsoleError error={change.error} />
          <Link to="/go-live">{t("mode.seeChecklist")}</Link>
        </div>
      ) : null}
    </div>
  );
}

export function ConsoleShell({ children }: { children: ReactNode }) {
  const { t, locale, setLocale } = useT();
  const me = useMe();
  const { signOut } = useSession();
  const path = usePath();
  return (
    <>
      <header className="app-header">
        <Link to="/" className="app-brand">
          coffer <span className="brand-sub">{me.business_name}</span>
        </Link>
        <ModeSwitch />
        <div className="header-tools">
          <HelpLink to="/help" />
          <LanguageSwitcher locale={locale} onChange={setLocale} label={t("common.language")} />
          <span className="user-email">{me.user.email}</span>
          <Button variant="secondary" icon={LogOut} onClick={() => signOut()}>
            {t("auth.signOut")}
          </Button>
        </div>
      </header>
      {me.livemode ? null : (
        <p className="test-banner" role="note">
          {t("mode.testBanner")}
        </p>
      )}
      <div className="app-shell with-nav">
        <nav className="app-nav" aria-label={t("nav.label")}>
          <ul>
            {navItems
              .filter((item) => !item.adminOnly || isAdmin(me))
              .map((item) => (
                <li key={item.to}>
                  <Link to={item.to} aria-current={isCurrent(path, item.to) ? "page" : undefined}>
                    <Icon icon={item.icon} />
                    {t(item.label)}
                  </Link>
                </li>
              ))}
          </ul>
        </nav>
        {/* Keyed on the mode: switching remounts every page, so nothing of the other mode stays on screen. */}
        <main className="app-main" key={me.livemode ? "live" : "test"}>
          {children}
        </main>
      </div>
    </>
  );
}

/** Pages before sign-in: a narrow column with the language switcher. */
export function PublicShell({ children }: { children: ReactNode }) {
  const { t, locale, setLocale } = useT();
  return (
    <>
      <header className="app-header">
        <Link to="/login" className="app-brand">
          coffer
        </Link>
        <div className="header-tools">
          <HelpLink to="/help" />
          <LanguageSwitcher locale={locale} onChange={setLocale} label={t("common.language")} />
        </div>
      </header>
      <main className="app-main narrow">{children}</main>
    </>
  );
}
