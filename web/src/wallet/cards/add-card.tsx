import { type FormEvent, useEffect, useRef, useState } from "react";
import { createApiClient } from "../../shared/api";
import { HelpButton } from "../../shared/help";
import { Link, navigate } from "../../shared/router";
import { Button, Card, Spinner, TextField } from "../../shared/ui";
import { paths, useSession } from "../session";
import { CardProblem } from "./card-problem";
import { useCardT } from "./messages";
import {
  cardDigits,
  cardFromFragment,
  consumeCardFromFragment,
  looksLikeCardNumber,
  rememberOpened,
  type WalletCardSession,
} from "./model";

/**
 * Opening a prepaid card without signing up: its number and secret (typed, or from the fragment of the link its
 * printed QR code holds) make a card session (POST /v1/wallet/cards), and the wallet shows the card. No bearer goes
 * with the request: the card's own session comes back.
 */
export function AddCardPage() {
  const { t } = useCardT();
  const { openCard, accountToken } = useSession();
  const [scanned] = useState(cardFromFragment);
  const [number, setNumber] = useState(scanned?.number ?? "");
  const [secret, setSecret] = useState("");
  const [invalid, setInvalid] = useState<{ number?: string; secret?: string }>({});
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const api = useRef(createApiClient()).current;

  const open = async (card: { number: string; secret: string }) => {
    setPending(true);
    setError(null);
    try {
      const session = await api.post<WalletCardSession>("/v1/wallet/cards", card);
      consumeCardFromFragment();
      rememberOpened(session.card.id, card.number, card.secret);
      openCard({ token: session.token, card: session.card.id });
      navigate(paths.home, { replace: true });
    } catch (caught) {
      setError(caught);
      setPending(false);
    }
  };

  // The card's QR code: opened at once, as if typed.
  // biome-ignore lint/correctness/useExhaustiveDependencies: only once, for the card in the link.
  useEffect(() => {
    if (scanned) void open(scanned);
  }, [scanned]);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const digits = cardDigits(number);
    const problems = {
      number: looksLikeCardNumber(digits) ? undefined : t("add.numberInvalid"),
      secret: secret.trim() ? undefined : t("add.secretMissing"),
    };
    setInvalid(problems);
    if (problems.number || problems.secret) return;
    void open({ number: digits, secret: secret.trim() });
  };

  const fromLink = scanned && (pending || !error);
  return (
    <Card>
      <div className="heading-with-help">
        <h1>{t("add.title")}</h1>
        <HelpButton slug="prepaid-cards" />
      </div>
      {fromLink ? (
        <Spinner label={t("add.adding")} />
      ) : (
        <>
          <p>{t("add.intro")}</p>
          <form onSubmit={submit} noValidate>
            <TextField
              label={t("add.number")}
              hint={t("add.number.hint")}
              name="card_number"
              inputMode="numeric"
              autoComplete="off"
              maxLength={23}
              value={number}
              error={invalid.number}
              onChange={(event) => setNumber(event.target.value)}
            />
            <TextField
              label={t("add.secret")}
              hint={t("add.secret.hint")}
              name="card_secret"
              type="password"
              autoComplete="off"
              maxLength={64}
              value={secret}
              error={invalid.secret}
              onChange={(event) => setSecret(event.target.value)}
            />
            <CardProblem error={error} />
            <Button type="submit" pending={pending} className="button button-primary wide">
              {t("add.submit")}
            </Button>
          </form>
          <p className="field-hint">{t("add.privacy")}</p>
        </>
      )}
      <p>
        {accountToken ? (
          <Link to={paths.home}>{t("add.backToAccount")}</Link>
        ) : (
          <>
            {t("add.haveWallet")} <Link to={paths.login}>{t("add.toLogin")}</Link>
          </>
        )}
      </p>
    </Card>
  );
}
