import { House, type LucideIcon, QrCode, ReceiptText, ScanLine, ShieldCheck } from "lucide-react";
import { type ReactNode, useEffect } from "react";
import { HelpLink, HelpPage, isHelpPath } from "../shared/help";
import { I18nProvider, LanguageSwitcher } from "../shared/i18n";
import { Icon, tabBarIconSizePx } from "../shared/icons";
import { Link, match, navigate, Redirect, usePath } from "../shared/router";
import { AddCardPage, CardHomePage } from "./cards/lazy";
import { CryptoPages, isCryptoPath } from "./crypto/lazy";
import { type MessageKey, messages, useT } from "./messages";
import { OfflinePage } from "./offline/lazy";
import { HistoryPage } from "./pages/history";
import { HomePage } from "./pages/home";
import { IdentityPage } from "./pages/identity";
import { LoginPage, SignUpPage } from "./pages/login";
import { WelcomePage } from "./pages/onboarding";
import { PaymentCodePage } from "./pages/payment-code";
import { PaymentPage, PendingPaymentsPage } from "./pages/payments";
import { ScanPage } from "./pages/scan";
import { SecurityPage } from "./pages/security";
import { ForgotPasswordPage, NotMePage } from "./pages/security-centre";
import { SendPage } from "./pages/send";
import { TopUpPage, WithdrawPage } from "./pages/top-up";
import { SandboxBanner } from "./sandbox";
import { paths, SessionProvider, useSession, walletBase } from "./session";
import { SupportPage, TicketPage } from "./support/lazy";

/**
 * The wallet app (/wallet): mobile first, installable. Logged out it shows log-in and sign-up; logged in, a bottom
 * navigation to the everyday pages (home, scan, payment code, history, security) and the rest from home.
 */
export function App() {
  return (
    <I18nProvider messages={messages}>
      <SessionProvider>
        <Wallet />
      </SessionProvider>
    </I18nProvider>
  );
}

const helpBase = `${walletBase}/help`;

/** Each entry of the bottom navigation has an icon above its name, as phone apps do. */
const navItems: [string, MessageKey, LucideIcon][] = [
  [paths.home, "nav.home", House],
  [paths.scan, "nav.scan", ScanLine],
  [paths.code, "nav.code", QrCode],
  [paths.history, "nav.history", ReceiptText],
  [paths.security, "nav.security", ShieldCheck],
];

/** With a prepaid card open: the card's pages only (a card cannot top up, send, withdraw or verify an identity). */
const cardNavItems: [string, MessageKey, LucideIcon][] = [
  [paths.home, "nav.home", House],
  [paths.scan, "nav.scan", ScanLine],
  [paths.code, "nav.code", QrCode],
];

function Wallet() {
  const path = usePath();
  const { token, card, accountToken } = useSession();
  const { t } = useT();
  useEffect(() => {
    document.title = t("appName");
  }, [t]);

  // The app lives under /wallet/ (the service worker's scope); /wallet alone goes there.
  if (path === walletBase) return <Redirect to={paths.home} />;
  // The help centre works signed in, with a card, or signed out.
  if (isHelpPath(path, helpBase)) {
    const items = card ? cardNavItems : token ? navItems : null;
    return (
      <Frame nav={items ? <BottomNav path={path} items={items} /> : undefined}>
        <HelpPage base={helpBase} audience="payer" />
      </Frame>
    );
  }
  // The pages an alert or a forgotten password lead to work signed in or out.
  if (path === paths.notMe || path === paths.forgotPassword) {
    return <Frame>{path === paths.notMe ? <NotMePage /> : <ForgotPasswordPage />}</Frame>;
  }
  // Adding a prepaid card needs no account (its printed QR code opens this page); signed in, it opens one too.
  if (path === paths.card) {
    return (
      <Frame>
        <AddCardPage />
      </Frame>
    );
  }
  if (card) {
    // The holder of an open card may sign in (or sign up) to move its balance into an account.
    if (!accountToken && (path === paths.login || path === paths.signup)) {
      return <Frame>{path === paths.login ? <LoginPage /> : <SignUpPage />}</Frame>;
    }
    return (
      <Frame nav={<BottomNav path={path} items={cardNavItems} />}>
        <CardPage path={path} />
      </Frame>
    );
  }
  if (!token) {
    if (path === paths.signup) return <Frame>{<SignUpPage />}</Frame>;
    if (path !== paths.login) return <Redirect to={paths.login} />;
    return (
      <Frame>
        <LoginPage />
      </Frame>
    );
  }
  if (path === paths.login || path === paths.signup) return <Redirect to={paths.home} />;
  return (
    <Frame nav={<BottomNav path={path} items={navItems} />}>
      <Page path={path} />
    </Frame>
  );
}

function Page({ path }: { path: string }) {
  const payment = match(`${walletBase}/payments/:id`, path);
  if (payment) return <PaymentPage id={payment.id as string} />;
  const ticket = match(`${walletBase}/support/:id`, path);
  if (ticket) return <TicketPage id={ticket.id as string} />;
  if (isCryptoPath(path)) return <CryptoPages path={path} />;
  switch (path) {
    case paths.support:
      return <SupportPage />;
    case paths.home:
      return <HomePage />;
    case paths.topUp:
      return <TopUpPage />;
    case paths.withdraw:
      return <WithdrawPage />;
    case paths.send:
      return <SendPage />;
    case paths.scan:
      return <ScanPage />;
    case paths.code:
      return <PaymentCodePage />;
    case paths.offline:
      return <OfflinePage />;
    case paths.pending:
      return <PendingPaymentsPage />;
    case paths.history:
      return <HistoryPage />;
    case paths.security:
      return <SecurityPage />;
    case paths.identity:
      return <IdentityPage />;
    case paths.welcome:
      return <WelcomePage />;
    default:
      return <Redirect to={paths.home} />;
  }
}

/** The pages a card session can use: the card's home, paying by scan or payment code, confirming a payment. */
function CardPage({ path }: { path: string }) {
  const payment = match(`${walletBase}/payments/:id`, path);
  if (payment) return <PaymentPage id={payment.id as string} />;
  switch (path) {
    case paths.home:
      return <CardHomePage />;
    case paths.scan:
      return <ScanPage />;
    case paths.code:
      return <PaymentCodePage />;
    case paths.offline:
      return <OfflinePage />;
    case paths.pending:
      return <PendingPaymentsPage />;
    default:
      return <Redirect to={paths.home} />;
  }
}

function Frame({ nav, children }: { nav?: ReactNode; children: ReactNode }) {
  const { t, locale, setLocale } = useT();
  return (
    <div className="wallet">
      <header className="app-header wallet-header">
        <a
          className="app-brand"
          href={paths.home}
          onClick={(event) => {
            event.preventDefault();
            navigate(paths.home);
          }}
        >
          {t("appName")}
        </a>
        <div className="help-header-tools">
          <HelpLink to={helpBase} />
          <LanguageSwitcher locale={locale} onChange={setLocale} label={t("language")} />
        </div>
      </header>
      <SandboxBanner />
      <main className="app-main wallet-main">{children}</main>
      {nav}
    </div>
  );
}

function BottomNav({ path, items }: { path: string; items: [string, MessageKey, LucideIcon][] }) {
  const { t } = useT();
  return (
    <nav className={`wallet-nav wallet-nav-${items.length}`} aria-label={t("nav.label")}>
      <ul>
        {items.map(([to, key, icon]) => (
          <li key={to}>
            <Link to={to} aria-current={path === to ? "page" : undefined}>
              <Icon icon={icon} sizePx={tabBarIconSizePx} />
              {t(key)}
            </Link>
          </li>
        ))}
      </ul>
    </nav>
  );
}
