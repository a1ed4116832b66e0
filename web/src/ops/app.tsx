import { I18nProvider } from "../shared/i18n";
import { match, Redirect, usePath } from "../shared/router";
import { Spinner } from "../shared/ui";
import { Layout } from "./layout";
import { messages, useT } from "./messages";
import "./ops.css";
import { DisputesPage, SupportQueuePage } from "./pages/after-sales-lazy";
import { AuditLogPage } from "./pages/audit-log";
import { BankFilesPage } from "./pages/bank-files";
import { CryptoPage } from "./pages/crypto-lazy";
import { KybApplicationPage } from "./pages/kyb-application";
import { KybQueuePage } from "./pages/kyb-queue";
import { KycPage } from "./pages/kyc";
import { LoginPage } from "./pages/login";
import { MarketingPage } from "./pages/marketing-lazy";
import { MerchantsPage } from "./pages/merchants";
import { OperatorsPage } from "./pages/operators";
import { PlatformAnalyticsPage } from "./pages/platform-analytics";
import { SecurityPage } from "./pages/security";
import { SecurityAuditPage } from "./pages/security-audit";
import { StoredValuePage } from "./pages/stored-value-lazy";
import { SystemHealthPage } from "./pages/system-health";
import { VerifyPage } from "./pages/verify";
import { WalletUserPage } from "./pages/wallet-user";
import { WalletUsersPage } from "./pages/wallet-users";
import { SessionProvider, useSession } from "./session";

/** The operator console at /ops: sign-in, then the pages of the signed-in operator. */
export function App() {
  return (
    <I18nProvider messages={messages}>
      <SessionProvider>
        <Root />
      </SessionProvider>
    </I18nProvider>
  );
}

function Root() {
  const { t } = useT();
  const { state } = useSession();
  const path = usePath();
  if (state.status === "loading") {
    return (
      <main className="app-main narrow">
        <Spinner label={t("app.loading")} />
      </main>
    );
  }
  if (state.status === "signed_out") {
    return path === "/ops/login" ? <LoginPage /> : <Redirect to="/ops/login" />;
  }
  if (path === "/ops" || path === "/ops/" || path === "/ops/login") return <Redirect to="/ops/kyb" />;
  return (
    <Layout>
      <Page path={path} />
    </Layout>
  );
}

function Page({ path }: { path: string }) {
  const application = match("/ops/kyb/:id", path);
  if (application) return <KybApplicationPage id={application.id as string} />;
  const walletUser = match("/ops/wallet-users/:id", path);
  if (walletUser) return <WalletUserPage id={walletUser.id as string} />;
  const dispute = match("/ops/disputes/:id", path);
  if (dispute) return <DisputesPage id={dispute.id as string} />;
  const ticket = match("/ops/support/:id", path);
  if (ticket) return <SupportQueuePage id={ticket.id as string} />;
  switch (path) {
    case "/ops/kyb":
      return <KybQueuePage />;
    case "/ops/merchants":
      return <MerchantsPage />;
    case "/ops/wallet-users":
      return <WalletUsersPage />;
    case "/ops/kyc":
      return <KycPage />;
    case "/ops/audit-log":
      return <AuditLogPage />;
    case "/ops/operators":
      return <OperatorsPage />;
    case "/ops/bank":
      return <BankFilesPage />;
    case "/ops/verify":
      return <VerifyPage />;
    case "/ops/security":
      return <SecurityPage />;
    case "/ops/analytics":
      return <PlatformAnalyticsPage />;
    case "/ops/security-audit":
      return <SecurityAuditPage />;
    case "/ops/system-health":
      return <SystemHealthPage />;
    case "/ops/stored-value":
      return <StoredValuePage />;
    case "/ops/crypto":
      return <CryptoPage />;
    case "/ops/marketing":
      return <MarketingPage />;
    case "/ops/disputes":
      return <DisputesPage />;
    case "/ops/support":
      return <SupportQueuePage />;
    default:
      return <Redirect to="/ops/kyb" />;
  }
}
