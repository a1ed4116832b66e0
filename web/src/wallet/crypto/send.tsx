import { type FormEvent, useCallback, useState } from "react";
import { ApiRequestError, type ListPage } from "../../shared/api";
import { looksLikeAddress, parseUnits } from "../../shared/crypto-amount";
import { Alert, Button, Card, DefinitionList, SelectField, TextField } from "../../shared/ui";
import { useAsync } from "../../shared/use-async";
import { useVisibleInterval } from "../../shared/visible-interval";
import type { Balance, WalletUser } from "../api-types";
import { needsStepUp, StepUpField, stepUpBody } from "../components";
import { paths, useSession } from "../session";
import {
  CryptoNav,
  CryptoProblem,
  failureReason,
  Hex,
  useAssetFormat,
  useCryptoAddress,
  WithAddress,
  WithdrawalBadge,
} from "./common";
import { type CryptoMessageKey, useCryptoT } from "./messages";
import {
  type CryptoAddress,
  type CryptoAsset,
  type CryptoWithdrawal,
  cryptoPollMs,
  type WithdrawalSettings,
} from "./model";

/**
 * Sending crypto out (POST /v1/wallet/crypto/withdrawals): asset, amount and destination, then a review with the
 * network fee and the total taken from the balance before anything is sent; a second factor when coffer asks for
 * one (step_up_required, as the bank withdrawal asks), and the withdrawal followed to its confirmations.
 */
export function CryptoSendPage() {
  const { t } = useCryptoT();
  const address = useCryptoAddress();
  return (
    <>
      <h1>{t("send.title")}</h1>
      <CryptoNav current={paths.cryptoSend} />
      <WithAddress state={address}>{(found) => <Send address={found} />}</WithAddress>
    </>
  );
}

interface Draft {
  asset: CryptoAsset;
  amount: string;
  to: string;
}

/** Errors that are about the destination: shown under its field. */
const addressErrors = new Set([
  "crypto_address_invalid",
  "crypto_address_checksum_invalid",
  "crypto_address_is_custody",
  "crypto_address_not_allowlisted",
]);

function Send({ address }: { address: CryptoAddress }) {
  const { t } = useCryptoT();
  const { api } = useSession();
  const format = useAssetFormat(address);
  const context = useAsync(async () => {
    const [balances, settings, me] = await Promise.all([
      api.get<ListPage<Balance>>("/v1/wallet/balances"),
      api.get<WithdrawalSettings>("/v1/wallet/crypto/withdrawal_settings"),
      api.get<WalletUser>("/v1/wallet/me"),
    ]);
    return { balances: balances.data, settings, me };
  }, [api]);
  const options = address.assets;
  const [chosen, setChosen] = useState(0);
  const asset = options[chosen] ?? options[0];
  const [amount, setAmount] = useState("");
  const [amountError, setAmountError] = useState<string | null>(null);
  const [to, setTo] = useState("");
  const [toError, setToError] = useState<string | null>(null);
  const [draft, setDraft] = useState<Draft | null>(null);
  const [totp, setTotp] = useState("");
  const [stepUp, setStepUp] = useState(false);
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [withdrawal, setWithdrawal] = useState<CryptoWithdrawal | null>(null);

  if (!asset) return null;
  const available = context.data?.balances.find((balance) => balance.currency === asset.asset)?.available ?? "0";

  const review = (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    const parsed = parseUnits(amount, asset.decimals);
    setAmountError(parsed.ok ? null : t(`amount.${parsed.reason}` as CryptoMessageKey));
    const destination = to.trim();
    const destinationOk = looksLikeAddress(destination);
    setToError(destinationOk ? null : t("send.toInvalid"));
    if (!parsed.ok || !destinationOk) return;
    setDraft({ asset, amount: parsed.minor, to: destination });
  };

  const confirm = async () => {
    if (!draft) return;
    setPending(true);
    setError(null);
    try {
      const created = await api.post<CryptoWithdrawal>("/v1/wallet/crypto/withdrawals", {
        asset: draft.asset.asset,
        chain: draft.asset.chain,
        amount: draft.amount,
        to_address: draft.to,
        ...stepUpBody(totp),
      });
      setWithdrawal(created);
      setDraft(null);
      setAmount("");
      setTo("");
      setTotp("");
      setStepUp(false);
      context.reload();
    } catch (caught) {
      if (needsStepUp(caught)) {
        setStepUp(true);
        setError(caught);
      } else if (caught instanceof ApiRequestError && addressErrors.has(caught.code)) {
        // Back to the form, the reason under the address.
        setDraft(null);
        setToError(t(`error.${caught.code}` as CryptoMessageKey));
      } else {
        setError(caught);
      }
    } finally {
      setPending(false);
    }
  };

  if (withdrawal) {
    return (
      <>
        <FollowWithdrawal address={address} withdrawal={withdrawal} onChange={setWithdrawal} />
        <Button variant="secondary" onClick={() => setWithdrawal(null)}>
          {t("send.another")}
        </Button>
      </>
    );
  }

  if (draft) {
    const fee = draft.asset.withdrawal_fee;
    return (
      <Card title={t("send.reviewTitle")}>
        <DefinitionList
          items={[
            [t("send.youSend"), format(draft.amount, draft.asset.asset)],
            [t("send.fee"), fee === undefined ? t("send.feeUnknown") : format(fee, draft.asset.asset)],
            ...(fee === undefined
              ? []
              : ([[t("send.total"), format(BigInt(draft.amount) + BigInt(fee), draft.asset.asset)]] as [
                  string,
                  string,
                ][])),
            [
              t("send.to"),
              <span key="to" className="mono">
                {draft.to}
              </span>,
            ],
            [t("send.network"), t("send.networkValue", { chain: draft.asset.chain, chainId: draft.asset.chain_id })],
          ]}
        />
        <Alert kind="warning">{t("send.irreversible")}</Alert>
        <StepUpField
          needed={stepUp}
          totpEnabled={context.data?.me.totp_enabled ?? true}
          value={totp}
          onChange={setTotp}
        />
        <CryptoProblem error={error} />
        <div className="button-row">
          <Button onClick={confirm} pending={pending}>
            {t("send.confirm")}
          </Button>
          <Button
            variant="secondary"
            onClick={() => {
              // A new amount asks coffer again whether it needs a second factor.
              setDraft(null);
              setStepUp(false);
              setError(null);
            }}
            disabled={pending}
          >
            {t("send.change")}
          </Button>
        </div>
      </Card>
    );
  }

  return (
    <Card>
      {context.data?.settings.allowlist_only ? <Alert kind="info">{t("send.allowlistOnly")}</Alert> : null}
      <form onSubmit={review} noValidate>
        <SelectField
          label={t("send.asset")}
          value={String(chosen)}
          onChange={(event) => setChosen(Number(event.target.value))}
        >
          {options.map((option, index) => (
            <option key={`${option.chain}-${option.asset}`} value={index}>
              {t("send.assetOption", { asset: option.asset, chain: option.chain })}
            </option>
          ))}
        </SelectField>
        <TextField
          label={t("send.amount", { asset: asset.asset })}
          name="amount"
          inputMode="decimal"
          autoComplete="off"
          value={amount}
          hint={t("send.available", { amount: format(available, asset.asset) })}
          error={amountError}
          onChange={(event) => setAmount(event.target.value)}
        />
        <TextField
          label={t("send.to")}
          name="to_address"
          autoComplete="off"
          autoCapitalize="off"
          spellCheck={false}
          className="mono"
          value={to}
          hint={t("send.toHint")}
          error={toError}
          onChange={(event) => setTo(event.target.value)}
        />
        <CryptoProblem error={error} />
        <Button type="submit">{t("send.review")}</Button>
      </form>
    </Card>
  );
}

/** A withdrawal followed until it is confirmed or failed: status, confirmations, transaction. */
export function FollowWithdrawal({
  address,
  withdrawal,
  onChange,
}: {
  address: CryptoAddress;
  withdrawal: CryptoWithdrawal;
  onChange(next: CryptoWithdrawal): void;
}) {
  const { t } = useCryptoT();
  const { api } = useSession();
  const format = useAssetFormat(address);
  const open = withdrawal.status === "pending" || withdrawal.status === "broadcast";
  const [busy, setBusy] = useState(false);
  const refresh = useCallback(() => {
    setBusy(true);
    api
      .get<CryptoWithdrawal>(`/v1/wallet/crypto/withdrawals/${encodeURIComponent(withdrawal.id)}`)
      .then(onChange, () => undefined)
      .finally(() => setBusy(false));
  }, [api, withdrawal.id, onChange]);
  useVisibleInterval(refresh, open ? cryptoPollMs : null, () => busy);
  const required = address.assets.find(
    (asset) => asset.asset === withdrawal.asset && asset.chain === withdrawal.chain,
  )?.confirmations_required;
  return (
    <Card title={t("send.follow")} actions={<WithdrawalBadge status={withdrawal.status} />}>
      <div role="status" aria-live="polite">
        <Alert kind={withdrawal.status === "failed" ? "error" : withdrawal.status === "confirmed" ? "success" : "info"}>
          {t("send.created", {
            amount: format(withdrawal.amount, withdrawal.asset),
            address: withdrawal.to_address,
          })}{" "}
          {t(`withdrawal.${withdrawal.status}`)}
          {withdrawal.status === "broadcast" && withdrawal.confirmations !== null && required !== undefined
            ? ` · ${t("history.confirmations", { count: withdrawal.confirmations, required })}`
            : ""}
        </Alert>
      </div>
      <DefinitionList
        items={[
          [t("send.youSend"), format(withdrawal.amount, withdrawal.asset)],
          [t("send.fee"), format(withdrawal.fee, withdrawal.asset)],
          [t("send.total"), format(BigInt(withdrawal.amount) + BigInt(withdrawal.fee), withdrawal.asset)],
          [
            t("send.to"),
            <span key="to" className="mono">
              {withdrawal.to_address}
            </span>,
          ],
          [t("history.tx"), withdrawal.tx_hash ? <Hex key="tx" value={withdrawal.tx_hash} /> : t("history.noTx")],
          ...(withdrawal.failure_code
            ? ([[t("send.failure"), failureReason(t, withdrawal.failure_code)]] as [string, string][])
            : []),
        ]}
      />
    </Card>
  );
}
