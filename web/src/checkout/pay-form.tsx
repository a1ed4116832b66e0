import { type FormEvent, useRef, useState } from "react";
import { ApiRequestError, createApiClient } from "../shared/api";
import { explainError } from "../shared/api-error-text";
import { Alert, Button, TextField } from "../shared/ui";
import { noWalletCredentials, storedWalletToken, WalletLoginFields, walletLoginBody } from "../shared/wallet-login";
import { useT } from "./messages";
import type { CheckoutSummary, PaidAnswer } from "./summary";

interface WalletLogin {
  token: string;
}

/**
 * Paying on the page: log in to the wallet (email or phone and password), then confirm this payment through the
 * wallet API as that user. A second factor is asked for only when the API says the amount needs it. The session
 * opened here ends once the payment is paid: the page is not the payer's wallet.
 */
export function PayForm({
  summary,
  amountText,
  onPaid,
}: {
  summary: CheckoutSummary;
  amountText: string;
  onPaid(paid?: PaidAnswer): void;
}) {
  const { t } = useT();
  const token = useRef<string | null>(null);
  const api = useRef(
    createApiClient({ headers: () => ({ authorization: token.current ? `Bearer ${token.current}` : undefined }) }),
  ).current;
  const [credentials, setCredentials] = useState(noWalletCredentials);
  const [totp, setTotp] = useState("");
  const [needsTotp, setNeedsTotp] = useState(false);
  const [pending, setPending] = useState(false);
  const [problem, setProblem] = useState<{ text: string; code?: string } | null>(null);

  const explain = (error: unknown) => explainError<Parameters<typeof t>[0]>(t, error);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!credentials.contact.trim()) return setProblem({ text: t("error.contact_required") });
    if (!credentials.password && !token.current) return setProblem({ text: t("error.password_required") });
    setPending(true);
    setProblem(null);
    try {
      if (!token.current) {
        const login = await api.post<WalletLogin>("/v1/wallet/login", walletLoginBody(credentials));
        token.current = login.token;
      }
      const code = totp.trim();
      const paid = await api.post<PaidAnswer>(
        `/v1/wallet/payments/${encodeURIComponent(summary.id)}/confirm`,
        code ? { step_up: { totp: code } } : {},
      );
      // The page's wallet session has done its job; ending it is best effort.
      void api.post("/v1/wallet/logout").catch(() => undefined);
      token.current = null;
      onPaid(paid);
    } catch (error) {
      if (error instanceof ApiRequestError && (error.code === "step_up_required" || error.code === "step_up_failed")) {
        setNeedsTotp(true);
      }
      if (error instanceof ApiRequestError && error.code === "login_failed") token.current = null;
      setProblem(explain(error));
    } finally {
      setPending(false);
    }
  };

  return (
    <form onSubmit={submit} noValidate aria-label={t("or")}>
      <p className="checkout-or">{t("or")}</p>
      <WalletLoginFields
        texts={{ contact: t("contact"), contactHint: t("contact.hint"), password: t("password") }}
        value={credentials}
        onChange={setCredentials}
      />
      {needsTotp ? (
        <TextField
          label={t("totp")}
          hint={t("totp.hint")}
          name="totp"
          inputMode="numeric"
          autoComplete="one-time-code"
          pattern="[0-9]{6}"
          maxLength={6}
          value={totp}
          onChange={(event) => setTotp(event.target.value)}
          autoFocus
        />
      ) : null}
      {problem ? (
        <Alert kind="error">
          {problem.text}
          {problem.code ? <code className="error-code">{problem.code}</code> : null}
        </Alert>
      ) : null}
      <Button type="submit" pending={pending} className="button button-primary checkout-pay">
        {pending ? t("paying") : t("pay", { amount: amountText })}
      </Button>
    </form>
  );
}

/** The session token in a test payer's sign-in link (…/wallet/#sign_in=wst_…), or the pasted token itself. */
export function testPayerToken(text: string): string {
  const value = text.trim();
  const fromLink = /#sign_in=([A-Za-z0-9_%.-]+)$/.exec(value)?.[1];
  return fromLink ? decodeURIComponent(fromLink) : value;
}

/**
 * Paying a test-mode payment on the page: as a test payer of the shop, by the session token of its sign-in link.
 * A browser that opened the link is signed in to the wallet app already, so the field starts with that session.
 * The session is the test payer's own and stays open: the developer uses it again.
 */
export function TestPayerForm({
  summary,
  amountText,
  onPaid,
}: {
  summary: CheckoutSummary;
  amountText: string;
  /** Given the confirmation's answer (its feedback link). */
  onPaid(paid?: PaidAnswer): void;
}) {
  const { t } = useT();
  const signedIn = useRef(storedWalletToken()).current;
  const [value, setValue] = useState(signedIn ?? "");
  const [pending, setPending] = useState(false);
  const [problem, setProblem] = useState<{ text: string; code?: string } | null>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const token = testPayerToken(value);
    if (!token) return setProblem({ text: t("error.test_payer_required") });
    setPending(true);
    setProblem(null);
    try {
      const api = createApiClient({ headers: () => ({ authorization: `Bearer ${token}` }) });
      onPaid(await api.post<PaidAnswer>(`/v1/wallet/payments/${encodeURIComponent(summary.id)}/confirm`, {}));
    } catch (error) {
      if (!(error instanceof ApiRequestError)) {
        setProblem({ text: String(error) });
      } else if (error.status === 401 || error.code === "resource_not_found") {
        // A live wallet (or an ended session) does not see test-mode payments at all.
        setProblem({ text: t("error.not_a_test_payer"), code: error.code });
      } else {
        setProblem(explainError<Parameters<typeof t>[0]>(t, error));
      }
    } finally {
      setPending(false);
    }
  };

  return (
    <form onSubmit={submit} noValidate aria-label={t("testPayer.or")}>
      <p className="checkout-or">{t("testPayer.or")}</p>
      <TextField
        label={t("testPayer.field")}
        hint={signedIn && value === signedIn ? t("testPayer.signedIn") : t("testPayer.hint")}
        name="test_payer"
        autoComplete="off"
        spellCheck={false}
        value={value}
        onChange={(event) => setValue(event.target.value)}
      />
      {problem ? (
        <Alert kind="error">
          {problem.text}
          {problem.code ? <code className="error-code">{problem.code}</code> : null}
        </Alert>
      ) : null}
      <Button type="submit" pending={pending} className="button button-primary checkout-pay">
        {pending ? t("paying") : t("pay", { amount: amountText })}
      </Button>
    </form>
  );
}
