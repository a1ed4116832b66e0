import type { ComponentType } from "react";
import { HelpPage, isHelpPath } from "../shared/help";
import { I18nProvider } from "../shared/i18n";
import { match, Redirect, usePath } from "../shared/router";
import { Spinner } from "../shared/ui";
import "./console.css";
import { ConsoleShell, PublicShell } from "./layout";
import { messages, useT } from "./messages";
import { DisputePage, DisputesPage, SupportPage, TicketPage } from "./pages/after-sales";
import { ApiKeysPage } from "./pages/api-keys";
import { AuditPage } from "./pages/audit";
import {
  AcceptInvitePage,
  ForgotPasswordPage,
  LoginPage,
  ResetPasswordPage,
  SignupPage,
  VerifyEmailPage,
} from "./pages/auth";
import { BalancePage } from "./pages/balance";
import { FeedbackPage } from "./pages/feedback-lazy";
import { GoLivePage } from "./pages/go-live";
import { HomePage } from "./pages/home";
import { KybPage } from "./pages/kyb";
import { PaymentMethodsPage } from "./pages/lazy";
import { DevMailboxPage } from "./pages/mailbox";
import { NotMePage } from "./pages/not-me";
import { PaymentLinkDetailPage, PaymentLinksPage } from "./pages/payment-links";
import { PaymentDetailPage, PaymentsPage } from "./pages/payments";
import { CouponPage, PromotionsPage } from "./pages/promotions";
import { SecurityPage } from "./pages/security";
import { StoredValueCardPage, StoredValueCardsPage } from "./pages/stored-value";
import { StoresPage } from "./pages/stores";
import { TeamPage } from "./pages/team";
import { WebhookDetailPage, WebhooksPage } from "./pages/webhooks";
import { SessionProvider, useSession } from "./session";

/**
 * The merchant console at /. Pages before sign-in (and the pages mail links open: /console/verify-email,
 * /console/reset-password, /console/accept-invite — see src/merchants/links.ts) work signed out; the rest need
 * a session and send the browser to /login without one.
 */
const publicPages: Record<string, ComponentType> = {
  "/login": LoginPage,
  "/signup": SignupPage,
  "/forgot-password": ForgotPasswordPage,
  "/console/verify-email": VerifyEmailPage,
  "/console/reset-password": ResetPasswordPage,
  "/console/accept-invite": AcceptInvitePage,
  "/console/not-me": NotMePage,
  "/dev/mailbox": DevMailboxPage,
};

const signedInPages: Record<string, ComponentType> = {
  "/": HomePage,
  "/payments": PaymentsPage,
  "/feedback": FeedbackPage,
  "/payment-links": PaymentLinksPage,
  "/promotions": PromotionsPage,
  "/stores": StoresPage,
  "/prepaid-cards": StoredValueCardsPage,
  "/payment-methods": PaymentMethodsPage,
  "/balance": BalancePage,
  "/disputes": DisputesPage,
  "/support": SupportPage,
  "/webhooks": WebhooksPage,
  "/api-keys": ApiKeysPage,
  "/go-live": GoLivePage,
  "/verification": KybPage,
  "/team": TeamPage,
  "/audit-log": AuditPage,
  "/security": SecurityPage,
};

function NotFound() {
  const { t } = useT();
  return (
    <>
      <h1>{t("common.notFound")}</h1>
      <p>{t("common.notFoundHint")}</p>
    </>
  );
}

function SignedInRoutes({ path }: { path: string }) {
  const Page = signedInPages[path];
  if (Page) return <Page />;
  const payment = match("/payments/:id", path);
  if (payment?.id) return <PaymentDetailPage id={payment.id} />;
  const paymentLink = match("/payment-links/:id", path);
  if (paymentLink?.id) return <PaymentLinkDetailPage id={paymentLink.id} />;
  const coupon = match("/promotions/coupons/:id", path);
  if (coupon?.id) return <CouponPage id={coupon.id} />;
  const card = match("/prepaid-cards/:id", path);
  if (card?.id) return <StoredValueCardPage id={card.id} />;
  const dispute = match("/disputes/:id", path);
  if (dispute?.id) return <DisputePage id={dispute.id} />;
  const ticket = match("/support/:id", path);
  if (ticket?.id) return <TicketPage id={ticket.id} />;
  const endpoint = match("/webhooks/:id", path);
  if (endpoint?.id) return <WebhookDetailPage id={endpoint.id} />;
  return <NotFound />;
}

function Routes() {
  const { t } = useT();
  const path = usePath();
  const { state } = useSession();
  const PublicPage = publicPages[path];
  // The help centre works signed in (in the console's frame) and signed out (before signing up, say).
  if (isHelpPath(path, "/help") && state.status !== "loading") {
    const Shell = state.status === "signed_out" ? PublicShell : ConsoleShell;
    return (
      <Shell>
        <HelpPage base="/help" audience="merchant" />
      </Shell>
    );
  }
  // Mail links and the mailbox work whether or not someone is signed in.
  const alwaysPublic = path.startsWith("/console/") || path === "/dev/mailbox";
  if (PublicPage && (alwaysPublic || state.status === "signed_out")) {
    return (
      <PublicShell>
        <PublicPage />
      </PublicShell>
    );
  }
  if (state.status === "loading") {
    return (
      <main className="app-main narrow">
        <Spinner label={t("common.loading")} />
      </main>
    );
  }
  if (state.status === "signed_out") return <Redirect to="/login" />;
  if (PublicPage) return <Redirect to="/" />;
  return (
    <ConsoleShell>
      <SignedInRoutes path={path} />
    </ConsoleShell>
  );
}

export function App() {
  return (
    <I18nProvider messages={messages}>
      <SessionProvider>
        <Routes />
      </SessionProvider>
    </I18nProvider>
  );
}
