import { ArrowLeftRight } from "lucide-react";
import { type FormEvent, useState } from "react";
import type { ListPage } from "../../shared/api";
import { formatDateTime, formatMoney } from "../../shared/money";
import { Link, navigate } from "../../shared/router";
import {
  Alert,
  Badge,
  Button,
  Card,
  DataTable,
  DefinitionList,
  Empty,
  Spinner,
  statusTone,
  TextField,
} from "../../shared/ui";
import { useAsync } from "../../shared/use-async";
import { pollMs, useInterval } from "../components";
import { paths, useSession } from "../session";
import { CardProblem } from "./card-problem";
import { type CardMessageKey, useCardT } from "./messages";
import { type CardTransaction, cardDigits, forgetOpened, openedCredentials, type WalletCard } from "./model";

/**
 * A prepaid card's home, with the card's own session: its balance, status, expiry and where it can be spent, the
 * ways to pay (scan a shop's QR code, show a payment code), its history, a voucher to add, and moving the balance
 * into a wallet account when the holder is (or becomes) signed in to one on this phone.
 */
export function CardHomePage() {
  const { t, locale } = useCardT();
  const { api, card: session } = useSession();
  const id = session?.card ?? "";
  const state = useAsync(async () => {
    const [card, history] = await Promise.all([
      api.get<WalletCard>(`/v1/wallet/cards/${encodeURIComponent(id)}`),
      api.get<ListPage<CardTransaction>>(`/v1/wallet/cards/${encodeURIComponent(id)}/transactions`, { limit: 50 }),
    ]);
    return { card, history: history.data };
  }, [api, id]);
  // Once claimed, the card is closed and its session ended: the claim's answer is the card from then on.
  const [claimed, setClaimed] = useState<{ amount: string; card: WalletCard } | null>(null);
  // A refund or a counter's cash-in arrives without the holder doing anything: keep the page current.
  useInterval(state.reload, claimed ? null : pollMs * 2);

  if (!state.data) {
    return state.status === "error" ? (
      <>
        <CardProblem error={state.error} />
        <Button onClick={state.reload}>{t("retry")}</Button>
      </>
    ) : (
      <Spinner label={t("loading")} />
    );
  }
  const { history } = state.data;
  const card = claimed?.card ?? state.data.card;
  const money = (amount: string) => formatMoney(amount, card.currency, locale);
  const title = card.kind === "voucher" ? "card.voucherTitle" : card.closed_loop ? "card.giftTitle" : "card.title";
  const usable = card.status === "active";
  return (
    <>
      <h1>{t(title, { last4: card.last4 })}</h1>
      {!card.livemode ? <p className="test-banner">{t("testMode")}</p> : null}
      <Card>
        <p className="big-amount">
          <span className="visually-hidden">{t("card.balance")}: </span>
          {money(card.balance)}
        </p>
        <DefinitionList
          items={[
            [
              t("card.status"),
              <Badge key="status" tone={statusTone(card.status)}>
                {t(`card.status.${card.status}` as CardMessageKey)}
              </Badge>,
            ],
            [t("card.expires"), card.expires_at ? formatDateTime(card.expires_at, locale) : t("card.noExpiry")],
            [
              t("card.where"),
              card.closed_loop && card.merchant
                ? t("card.whereMerchant", { merchant: card.merchant.name })
                : t("card.whereEverywhere"),
            ],
          ]}
        />
        {card.status === "frozen" ? <Alert kind="error">{t("card.frozen")}</Alert> : null}
        {card.status === "expired" ? <Alert kind="warning">{t("card.expired")}</Alert> : null}
        {card.status === "closed" ? <Alert kind="info">{t("card.closed")}</Alert> : null}
      </Card>
      {usable ? (
        <nav aria-label={t("card.actions")}>
          <ul className="wallet-actions">
            <li>
              <Link to={paths.scan} className="wallet-action">
                {t("card.scan")}
              </Link>
            </li>
            <li>
              <Link to={paths.code} className="wallet-action">
                {t("card.code")}
              </Link>
            </li>
            <li>
              <Link to={paths.offline} className="wallet-action">
                {t("card.offline")}
              </Link>
            </li>
          </ul>
        </nav>
      ) : null}
      <Card title={t("history.title")}>
        <DataTable
          rows={history}
          rowKey={(row) => row.id}
          caption={t("history.title")}
          empty={
            <Empty compact icon={ArrowLeftRight} title={t("history.none")}>
              {t("history.none.text")}
            </Empty>
          }
          columns={[
            { header: t("history.date"), render: (row) => formatDateTime(row.created, locale) },
            {
              header: t("history.what"),
              render: (row) => t(`history.type.${row.type}` as CardMessageKey),
            },
            { header: t("history.amount"), className: "amount", render: (row) => money(row.amount) },
          ]}
        />
      </Card>
      {usable ? <VoucherForm onRedeemed={state.reload} /> : null}
      {claimed ? (
        <Claimed amount={claimed.amount} />
      ) : !card.closed_loop && (card.status === "active" || card.status === "frozen") ? (
        // A shop's own card stays a card (spendable there only); an open-loop card can move into an account.
        <ClaimCard card={card} onClaimed={(amount, closed) => setClaimed({ amount, card: closed })} />
      ) : null}
      <RemoveCard />
    </>
  );
}

/** A voucher's whole value onto this card (POST /v1/wallet/vouchers/redeem with the card's session). */
function VoucherForm({ onRedeemed }: { onRedeemed(): void }) {
  const { t, locale } = useCardT();
  const { api } = useSession();
  const [code, setCode] = useState("");
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState<string | null>(null);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!code.trim()) return;
    setPending(true);
    setError(null);
    setDone(null);
    try {
      const redeemed = await api.post<{ amount: string; currency: string }>("/v1/wallet/vouchers/redeem", {
        code: code.trim(),
      });
      setDone(formatMoney(redeemed.amount, redeemed.currency, locale));
      setCode("");
      onRedeemed();
    } catch (caught) {
      setError(caught);
    } finally {
      setPending(false);
    }
  };
  return (
    <Card title={t("voucher.title")}>
      <form onSubmit={submit} noValidate>
        <TextField
          label={t("voucher.code")}
          hint={t("voucher.code.hint")}
          name="voucher_code"
          autoComplete="off"
          value={code}
          onChange={(event) => setCode(event.target.value)}
        />
        <CardProblem error={error} />
        <div role="status" aria-live="polite">
          {done ? <Alert kind="success">{t("voucher.done", { amount: done })}</Alert> : null}
        </div>
        <Button type="submit" variant="secondary" pending={pending}>
          {t("voucher.submit")}
        </Button>
      </form>
    </Card>
  );
}

/**
 * Claiming: the card's balance into the wallet account signed in on this phone (POST /v1/wallet/cards/{id}/claim
 * with the account's session and the card's number and secret, which prove the holder has the card).
 */
function ClaimCard({ card, onClaimed }: { card: WalletCard; onClaimed(amount: string, closed: WalletCard): void }) {
  const { t, locale } = useCardT();
  const { accountApi, accountToken } = useSession();
  const known = openedCredentials(card.id);
  const [number, setNumber] = useState(known?.number ?? "");
  const [secret, setSecret] = useState(known?.secret ?? "");
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const amount = formatMoney(card.balance, card.currency, locale);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setPending(true);
    setError(null);
    try {
      const closed = await accountApi.post<WalletCard>(`/v1/wallet/cards/${encodeURIComponent(card.id)}/claim`, {
        number: cardDigits(number),
        secret: secret.trim(),
      });
      forgetOpened();
      onClaimed(amount, closed);
    } catch (caught) {
      setError(caught);
    } finally {
      setPending(false);
    }
  };

  return (
    <Card title={t("claim.title")}>
      <p>{t("claim.intro")}</p>
      {BigInt(card.balance) <= 0n ? (
        <p className="field-hint">{t("claim.empty")}</p>
      ) : accountToken ? (
        <form onSubmit={submit} noValidate>
          <p className="field-hint">{t("claim.signedInAs")}</p>
          {known ? null : <p className="field-hint">{t("claim.confirmHint")}</p>}
          <TextField
            label={t("add.number")}
            name="claim_number"
            inputMode="numeric"
            autoComplete="off"
            value={number}
            onChange={(event) => setNumber(event.target.value)}
          />
          <TextField
            label={t("add.secret")}
            name="claim_secret"
            type="password"
            autoComplete="off"
            value={secret}
            onChange={(event) => setSecret(event.target.value)}
          />
          <CardProblem error={error} />
          <Button type="submit" pending={pending}>
            {t("claim.submit", { amount })}
          </Button>
        </form>
      ) : (
        <>
          <p>{t("claim.needAccount")}</p>
          <p className="button-row">
            <Link to={paths.login} className="button button-secondary">
              {t("claim.login")}
            </Link>
            <Link to={paths.signup} className="button button-secondary">
              {t("claim.signup")}
            </Link>
          </p>
        </>
      )}
    </Card>
  );
}

/** After the claim: the money is in the account; the closed card's session has nothing more to do here. */
function Claimed({ amount }: { amount: string }) {
  const { t } = useCardT();
  const { closeCard } = useSession();
  return (
    <Card title={t("claim.title")}>
      <div role="status" aria-live="polite">
        <Alert kind="success">{t("claim.done", { amount })}</Alert>
      </div>
      <Button
        onClick={() => {
          closeCard();
          navigate(paths.home, { replace: true });
        }}
      >
        {t("add.backToAccount")}
      </Button>
    </Card>
  );
}

/** Forgetting the card on this phone: its session ends (best effort); its money stays on the card. */
function RemoveCard() {
  const { t } = useCardT();
  const { api, closeCard, accountToken } = useSession();
  const [asking, setAsking] = useState(false);
  const remove = () => {
    void api.post("/v1/wallet/logout").catch(() => undefined);
    forgetOpened();
    closeCard();
    navigate(accountToken ? paths.home : paths.card, { replace: true });
  };
  return (
    <Card title={t("remove.title")}>
      <p className="field-hint">{t("remove.hint")}</p>
      {asking ? (
        <div className="button-row">
          <Button variant="danger" onClick={remove}>
            {t("remove.confirm")}
          </Button>
          <Button variant="link" onClick={() => setAsking(false)}>
            {t("remove.cancel")}
          </Button>
        </div>
      ) : (
        <Button variant="secondary" onClick={() => setAsking(true)}>
          {t("remove.button")}
        </Button>
      )}
    </Card>
  );
}
