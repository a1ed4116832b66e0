import {
  BadgeCheck,
  Bitcoin,
  ChartColumn,
  HeartPulse,
  IdCard,
  Landmark,
  LifeBuoy,
  ListChecks,
  LockKeyhole,
  LogOut,
  Megaphone,
  Scale,
  ScrollText,
  ShieldCheck,
  Store,
  UserCog,
  Users,
  WalletCards,
} from "lucide-react";
import type { ReactNode } from "react";
import { LanguageSwitcher } from "../shared/i18n";
import { Icon, type LucideIcon } from "../shared/icons";
import { Link, usePath } from "../shared/router";
import { Button } from "../shared/ui";
import { useAction } from "../shared/use-async";
import { type MessageKey, useT } from "./messages";
import { type ConsolePermission, can, useOperator, useSession } from "./session";

/**
 * The signed-in operator console: header (brand, language, who, sign out) and the navigation, by role. Each entry has
 * an icon, so a queue is found again by its picture as well as its name.
 */
const navItems: { to: string; label: MessageKey; icon: LucideIcon; needs?: ConsolePermission }[] = [
  { to: "/ops/kyb", label: "nav.kyb", icon: BadgeCheck },
  { to: "/ops/merchants", label: "nav.merchants", icon: Store },
  { to: "/ops/wallet-users", label: "nav.walletUsers", icon: Users },
  { to: "/ops/stored-value", label: "nav.storedValue", icon: WalletCards },
  { to: "/ops/crypto", label: "nav.crypto", icon: Bitcoin },
  { to: "/ops/marketing", label: "nav.marketing", icon: Megaphone },
  { to: "/ops/disputes", label: "nav.disputes", icon: Scale },
  { to: "/ops/support", label: "nav.support", icon: LifeBuoy },
  { to: "/ops/kyc", label: "nav.kyc", icon: IdCard, needs: "kyc.review" },
  { to: "/ops/audit-log", label: "nav.audit", icon: ScrollText, needs: "audit_log.read" },
  { to: "/ops/operators", label: "nav.operators", icon: UserCog, needs: "operators.manage" },
  { to: "/ops/bank", label: "nav.bank", icon: Landmark, needs: "bank_files.manage" },
  { to: "/ops/verify", label: "nav.verify", icon: ListChecks },
  { to: "/ops/security-audit", label: "nav.securityAudit", icon: ShieldCheck, needs: "audit_report.read" },
  { to: "/ops/system-health", label: "nav.systemHealth", icon: HeartPulse, needs: "system_health.read" },
  { to: "/ops/analytics", label: "nav.platformAnalytics", icon: ChartColumn, needs: "platform_analytics.read" },
  { to: "/ops/security", label: "nav.security", icon: LockKeyhole },
];

export function Layout({ children }: { children: ReactNode }) {
  const { t, locale, setLocale } = useT();
  const operator = useOperator();
  const { signOut } = useSession();
  const path = usePath();
  const leave = useAction(signOut);
  return (
    <>
      <a className="visually-hidden ops-skip" href="#ops-main">
        {t("app.skip")}
      </a>
      <header className="app-header">
        <Link to="/ops/kyb" className="app-brand">
          {t("app.title")}
        </Link>
        <div className="ops-header-tools">
          <span className="ops-who">
            {t("header.signedInAs", { email: operator.email, role: t(`role.${operator.role}`) })}
          </span>
          <LanguageSwitcher locale={locale} onChange={setLocale} label={t("app.language")} />
          <Button variant="secondary" icon={LogOut} pending={leave.pending} onClick={() => leave.run()}>
            {t("header.signOut")}
          </Button>
        </div>
      </header>
      <div className="app-shell with-nav">
        <nav className="app-nav" aria-label={t("nav.label")}>
          <ul>
            {navItems
              .filter((item) => !item.needs || can(operator, item.needs))
              .map((item) => (
                <li key={item.to}>
                  <Link
                    to={item.to}
                    aria-current={path === item.to || path.startsWith(`${item.to}/`) ? "page" : undefined}
                  >
                    <Icon icon={item.icon} />
                    {t(item.label)}
                  </Link>
                </li>
              ))}
          </ul>
        </nav>
        <main className="app-main" id="ops-main" tabIndex={-1}>
          {children}
        </main>
      </div>
    </>
  );
}
