import { type FormEvent, useState } from "react";
import { Alert, Badge, Button, Card, DefinitionList, ErrorAlert, TextField } from "../../shared/ui";
import { useAction, useAsync } from "../../shared/use-async";
import { api, type WalletUser } from "../api";
import { BackLink, Loaded, When } from "../common";
import { useT } from "../messages";
import { can, useOperator } from "../session";
import { contactOf } from "./wallet-users";

/** One wallet user: who they are, and freezing (with a reason, audited) or unfreezing their wallet. */
export function WalletUserPage({ id }: { id: string }) {
  const { t } = useT();
  const loaded = useAsync(() => api.get<WalletUser>(`/v1/ops/wallet_users/${id}`), [id]);
  const [changed, setChanged] = useState<WalletUser | null>(null);
  const user = changed ?? loaded.data;
  return (
    <>
      <BackLink to="/ops/wallet-users" />
      <Loaded state={loaded}>
        {() =>
          user ? (
            <>
              <h1>
                {t("walletUsers.detailTitle", { contact: contactOf(user) })}{" "}
                <Badge tone={user.frozen ? "bad" : "good"}>
                  {user.frozen ? t("walletUsers.frozen") : t("walletUsers.active")}
                </Badge>
              </h1>
              <Card>
                <DefinitionList
                  items={[
                    [t("common.id"), <code key="id">{user.id}</code>],
                    [t("walletUsers.email"), user.email ?? t("common.none")],
                    [t("walletUsers.phone"), user.phone ?? t("common.none")],
                    [t("walletUsers.displayName"), user.display_name ?? t("common.none")],
                    [t("walletUsers.legalName"), user.legal_name ?? t("common.none")],
                    [t("walletUsers.mode"), user.livemode ? t("common.live") : t("common.test")],
                    [t("walletUsers.tier"), String(user.tier)],
                    [t("walletUsers.twoFactor"), user.totp_enabled ? t("common.yes") : t("common.no")],
                    [t("walletUsers.locale"), user.locale],
                    [t("common.created"), <When key="c" at={user.created} />],
                  ]}
                />
              </Card>
              <FreezeCard user={user} onChanged={setChanged} />
            </>
          ) : null
        }
      </Loaded>
    </>
  );
}

function FreezeCard({ user, onChanged }: { user: WalletUser; onChanged(user: WalletUser): void }) {
  const { t } = useT();
  const operator = useOperator();
  const [reason, setReason] = useState("");
  const [done, setDone] = useState<string | null>(null);
  const freeze = useAction(async () => {
    const next = await api.post<WalletUser>(`/v1/ops/wallet_users/${user.id}/freeze`, { reason: reason.trim() });
    setReason("");
    setDone(t("walletUsers.frozenNow"));
    onChanged(next);
  });
  const unfreeze = useAction(async () => {
    const next = await api.post<WalletUser>(`/v1/ops/wallet_users/${user.id}/unfreeze`, {});
    setDone(t("walletUsers.unfrozenNow"));
    onChanged(next);
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    freeze.run();
  };
  return (
    <Card title={t("walletUsers.freezeTitle")}>
      <p>{t("walletUsers.freezeExplain")}</p>
      {done ? <Alert kind="success">{done}</Alert> : null}
      {!can(operator, "wallet_users.freeze") ? (
        <p>{t("walletUsers.noFreeze")}</p>
      ) : user.frozen ? (
        <Button pending={unfreeze.pending} onClick={() => unfreeze.run()}>
          {t("walletUsers.unfreeze")}
        </Button>
      ) : (
        <form onSubmit={submit}>
          <TextField
            label={t("walletUsers.freezeReason")}
            required
            maxLength={500}
            value={reason}
            error={freeze.error?.param === "reason" ? freeze.error.message : null}
            onChange={(event) => setReason(event.target.value)}
          />
          <Button type="submit" variant="danger" pending={freeze.pending} disabled={reason.trim() === ""}>
            {t("walletUsers.freeze")}
          </Button>
        </form>
      )}
      {freeze.error && freeze.error.param !== "reason" ? <ErrorAlert error={freeze.error} /> : null}
      <ErrorAlert error={unfreeze.error} />
    </Card>
  );
}
