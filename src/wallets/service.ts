import { createSignInService } from "../security/sign-ins/service.js";
import { createWalletAccounts } from "./accounts.js";
import { createFileBank } from "./bank/file.js";
import { createBankFiles } from "./bank/file-transfer.js";
import { reconcileBank } from "./bank/reconcile.js";
import { createSandboxBank } from "./bank/sandbox.js";
import { createBankSettlement } from "./bank/settlement.js";
import type { BankConnectorName } from "./config.js";
import type { WalletDeps } from "./deps.js";
import { createWalletFunding } from "./funding/service.js";
import { createWalletStatements } from "./history/statements.js";
import { createWalletTransactions } from "./history/transactions.js";
import { createWalletKyc } from "./kyc/service.js";
import { createKeyedQueue } from "./limits/serialize.js";
import { createWalletSpend } from "./spend.js";
import { createWalletPasskeys } from "./stepup/passkeys.js";
import { createWalletStepUp } from "./stepup/service.js";
import { createWalletTotp } from "./stepup/totp.js";
import { createWalletTopUps } from "./topups/service.js";
import { createWalletTransfers } from "./transfers/service.js";
import { createWalletPasswordReset } from "./users/password-reset.js";
import { createWalletUserService } from "./users/service.js";
import { createSessionStore } from "./users/sessions.js";
import { createWalletWithdrawals } from "./withdrawals/service.js";

/** Every account-wallet service, wired from the platform's services (see src/runtime/services.ts). */
export type WalletServices = ReturnType<typeof createWalletServices>;

export function createWalletServices(deps: WalletDeps) {
  const sessions = createSessionStore(deps);
  const signIns = createSignInService(deps);
  const users = createWalletUserService({ ...deps, sessions, signIns });
  const passwordReset = createWalletPasswordReset({ ...deps, sessions, users });
  // "This wasn't me" on a wallet's new-device alert: signed out everywhere, payments frozen until a password reset.
  signIns.onReport("wallet_user", {
    async secure(tx, userId, at) {
      await users.secureAfterReport(tx, userId, at);
      return { merchantId: null };
    },
    afterCommit: (userId) => sessions.forgetUsers([userId]),
  });
  const totp = createWalletTotp({ ...deps, users });
  const passkeys = createWalletPasskeys({ ...deps, users });
  const stepUp = createWalletStepUp({ ...deps, users, totp, passkeys });
  const kyc = createWalletKyc({ ...deps, users });
  const accounts = createWalletAccounts(deps);
  const spendQueue = createKeyedQueue();
  const connectors = {
    sandbox: createSandboxBank({ clock: deps.clock, settleMs: deps.config.sandboxBankSettleMs, pool: deps.pool }),
    file: createFileBank({ pool: deps.pool }),
  };
  const bank = createBankSettlement({
    pool: deps.pool,
    clock: deps.clock,
    secrets: deps.secrets,
    log: deps.log,
    connectors,
  });
  const bankFiles = createBankFiles({ pool: deps.pool, clock: deps.clock, currencies: deps.currencies, bank });
  const funding = createWalletFunding({ ...deps, users, bank });
  const topUps = createWalletTopUps({ ...deps, users, accounts, funding, bank });
  const withdrawals = createWalletWithdrawals({ ...deps, users, accounts, funding, bank, stepUp, spendQueue });
  const transfers = createWalletTransfers({ ...deps, users, accounts, stepUp, spendQueue });
  const transactions = createWalletTransactions(deps);
  const statements = createWalletStatements(deps);
  const spend = createWalletSpend({ ...deps, accounts, stepUp });
  bank.onComplete("verify", funding.completeVerification);
  bank.onComplete("debit", topUps.completeFromBank);
  bank.onComplete("credit", withdrawals.completeFromBank);

  return {
    config: deps.config,
    pool: deps.pool,
    clock: deps.clock,
    notifications: deps.notifications,
    /** Whether GET /v1/wallet/dev/sms_outbox exists (no SMS_HTTP_URL, COFFER_DEV_MAILBOX on). */
    devSmsOutbox: deps.devSmsOutbox,
    sessions,
    users,
    /** Devices, sign-ins and new-device alerts of wallet users (src/security/sign-ins). */
    signIns,
    passwordReset,
    totp,
    passkeys,
    stepUp,
    kyc,
    accounts,
    bank,
    bankFiles,
    funding,
    topUps,
    withdrawals,
    transfers,
    transactions,
    statements,
    spend,
    /** One spend at a time per wallet in this process (limits/serialize.ts): crypto withdrawals queue here too. */
    spendQueue,
    reconcile: (connector: BankConnectorName, range: { from: Date; to: Date }) =>
      reconcileBank({ pool: deps.pool, connectors }, connector, range),
    /** Turns `Authorization: Bearer wst_…` into a wallet caller; listed in services.authenticators. */
    authenticator: sessions.authenticator,
  };
}
