import { ArrowDownToLine, BellOff, FileCheck, RefreshCw, Send, Unplug } from "lucide-react";
import { type ReactNode, useState } from "react";
import type { ApiRequestError, ListPage } from "../../shared/api";
import { formatAsset, shortHex } from "../../shared/crypto-amount";
import { currencyExponent } from "../../shared/money";
import { Link } from "../../shared/router";
import { Alert, Badge, Button, Card, DataTable, Empty, ErrorAlert, SelectField } from "../../shared/ui";
import { useAction, useAsync } from "../../shared/use-async";
import { useVisibleInterval } from "../../shared/visible-interval";
import { api } from "../api";
import { Loaded, When } from "../common";
import { useOperator } from "../session";
import "./crypto.css";
import { type OpsCryptoKey, useOpsCryptoT } from "./crypto-messages";

/**
 * Crypto custody for operators (docs/crypto.md): custody alerts with acknowledge, the hot wallet of every chain and
 * asset against the ledger, pending deposits, crypto withdrawals, and proof-of-reserves reports (latest first) with
 * a "run now". What a role may not read (hot wallets and withdrawals: admin and support) is not asked for.
 */
interface CryptoAlert {
  id: string;
  livemode: boolean;
  chain: string;
  kind: string;
  subject: string;
  details: Record<string, unknown>;
  created: number;
  acknowledged_at: number | null;
  acknowledged_by: string | null;
}

interface HotWallet {
  chain: string;
  livemode: boolean;
  asset: string;
  hot_wallet_address: string | null;
  on_chain_balance: string | null;
  custody_ledger_balance: string;
  hot_wallet_limit: string;
  above_limit: boolean;
  queued: number;
  sent: number;
  next_nonce: number | null;
}

interface OpsDeposit {
  id: string;
  livemode: boolean;
  status: string;
  chain: string;
  asset: string;
  amount: string;
  address: string;
  tx_hash: string;
  confirmations: number;
  confirmations_required: number;
  created: number;
  address_kind: "hot" | "wallet" | "payment";
  wallet_user: string | null;
  payment: string | null;
}

interface OpsWithdrawal {
  id: string;
  livemode: boolean;
  status: "pending" | "broadcast" | "confirmed" | "failed";
  chain: string;
  asset: string;
  amount: string;
  fee: string;
  to_address: string;
  tx_hash: string | null;
  nonce: number | null;
  confirmations: number | null;
  failure_code: string | null;
  created: number;
}

interface ReservesAsset {
  asset: string;
  ok: boolean;
  on_chain: string;
  custody: { posted: string; pending_in: string; pending_out: string };
  liabilities: { wallets: string; merchants: string; payment_held: string; total: string };
  shortfall: string;
  merkle: { root: string | null; total: string; leaves: number };
}

interface ReservesReport {
  id: string;
  livemode: boolean;
  source: "cli" | "worker" | "operator";
  ok: boolean;
  assets: ReservesAsset[];
  created_at: number;
}

/** How often the page asks again: deposits gain confirmations with every block. */
const cryptoOpsPollMs = 5_000;
const reportsShown = 5;

export function CryptoPage() {
  const { t } = useOpsCryptoT();
  const operator = useOperator();
  // Hot wallets and withdrawals are for admins and support (src/crypto/withdrawals/routes.ts).
  const custodian = operator.role === "admin" || operator.role === "support";
  const [refreshed, setRefreshed] = useState(0);
  const refresh = () => setRefreshed((n) => n + 1);
  useVisibleInterval(refresh, cryptoOpsPollMs);
  return (
    <>
      <h1>{t("crypto.title")}</h1>
      <p>{t("crypto.intro")}</p>
      <div className="button-row">
        <Button variant="secondary" icon={RefreshCw} onClick={refresh}>
          {t("crypto.refresh")}
        </Button>
      </div>
      <AlertsCard refreshed={refreshed} canAcknowledge={custodian} />
      {custodian ? <HotWalletsCard refreshed={refreshed} /> : null}
      <DepositsCard refreshed={refreshed} />
      {custodian ? <WithdrawalsCard refreshed={refreshed} /> : null}
      <ReservesCard canRun={operator.role === "admin"} />
    </>
  );
}

function useAssetFormat() {
  const { locale } = useOpsCryptoT();
  return (amount: string, asset: string) => formatAsset(amount, asset, currencyExponent(asset), locale);
}

function Hex({ value }: { value: string }) {
  return (
    <code className="mono" title={value}>
      <span aria-hidden="true">{shortHex(value)}</span>
      <span className="visually-hidden">{value}</span>
    </code>
  );
}

function ModeBadge({ livemode }: { livemode: boolean }) {
  const { t } = useOpsCryptoT();
  return <Badge tone={livemode ? "info" : "neutral"}>{livemode ? t("mode.live") : t("mode.test")}</Badge>;
}

function CryptoError({ error }: { error: ApiRequestError | null | undefined }) {
  const { t } = useOpsCryptoT();
  if (!error) return null;
  const key = `error.${error.code}` as OpsCryptoKey;
  const text = t(key);
  if (text === key) return <ErrorAlert error={error} />;
  return (
    <Alert kind="error">
      {text} <code className="error-code">{error.code}</code>
    </Alert>
  );
}

function AlertsCard({ refreshed, canAcknowledge }: { refreshed: number; canAcknowledge: boolean }) {
  const { t } = useOpsCryptoT();
  const [openOnly, setOpenOnly] = useState(true);
  const alerts = useAsync(
    () => api.get<ListPage<CryptoAlert>>("/v1/ops/crypto/alerts", { open: openOnly ? true : undefined, limit: 50 }),
    [openOnly, refreshed],
  );
  const acknowledge = useAction(async (id: string) => {
    await api.post(`/v1/ops/crypto/alerts/${encodeURIComponent(id)}/acknowledge`, {});
    alerts.reload();
  });
  const kindText = (kind: string) => {
    const key = `alerts.kind.${kind}` as OpsCryptoKey;
    const text = t(key);
    return text === key ? kind : text;
  };
  return (
    <Card title={t("alerts.title")}>
      <div className="field crypto-check">
        <label>
          <input type="checkbox" checked={openOnly} onChange={(event) => setOpenOnly(event.target.checked)} />{" "}
          {t("alerts.openOnly")}
        </label>
      </div>
      <CryptoError error={acknowledge.error} />
      <Loaded state={alerts}>
        {(page) => (
          <DataTable
            rows={page.data}
            rowKey={(alert) => alert.id}
            caption={t("alerts.title")}
            empty={
              <Empty compact icon={BellOff} title={openOnly ? t("alerts.none") : t("alerts.never")}>
                {t("alerts.noneText")}
              </Empty>
            }
            columns={[
              { header: t("alerts.kind"), rowHeader: true, render: (alert) => kindText(alert.kind) },
              {
                header: t("alerts.chain"),
                render: (alert) => (
                  <>
                    {alert.chain} <ModeBadge livemode={alert.livemode} />
                  </>
                ),
              },
              { header: t("alerts.subject"), render: (alert) => <span className="mono">{alert.subject}</span> },
              { header: t("alerts.details"), render: (alert) => <Details details={alert.details} /> },
              { header: t("alerts.raised"), render: (alert) => <When at={alert.created} /> },
              {
                header: t("alerts.state"),
                render: (alert) =>
                  alert.acknowledged_at ? (
                    <>
                      <Badge tone="good">{t("alerts.acknowledged")}</Badge> <When at={alert.acknowledged_at} />
                    </>
                  ) : canAcknowledge ? (
                    <Button
                      variant="secondary"
                      pending={acknowledge.pending}
                      aria-label={t("alerts.acknowledgeNamed", { id: alert.id })}
                      onClick={() => acknowledge.run(alert.id)}
                    >
                      {t("alerts.acknowledge")}
                    </Button>
                  ) : (
                    <Badge tone="warn">{t("alerts.open")}</Badge>
                  ),
              },
            ]}
          />
        )}
      </Loaded>
    </Card>
  );
}

/** An alert's details (amounts, addresses, ids) as short lines. */
function Details({ details }: { details: Record<string, unknown> }) {
  const entries = Object.entries(details);
  if (entries.length === 0) return <>—</>;
  return (
    <ul className="plain-list crypto-details">
      {entries.map(([name, value]) => (
        <li key={name}>
          {name}: <span className="mono">{typeof value === "string" ? value : JSON.stringify(value)}</span>
        </li>
      ))}
    </ul>
  );
}

function HotWalletsCard({ refreshed }: { refreshed: number }) {
  const { t } = useOpsCryptoT();
  const money = useAssetFormat();
  const hot = useAsync(() => api.get<ListPage<HotWallet>>("/v1/ops/crypto/hot_wallet"), [refreshed]);
  return (
    <Card title={t("hot.title")}>
      <p className="field-hint">{t("hot.intro")}</p>
      <Loaded state={hot}>
        {(page) => (
          <DataTable
            rows={page.data}
            rowKey={(row) => `${row.livemode}-${row.chain}-${row.asset}`}
            caption={t("hot.title")}
            empty={
              <Empty compact icon={Unplug} title={t("hot.none")}>
                {t("hot.noneText")}
              </Empty>
            }
            columns={[
              {
                header: t("hot.chain"),
                render: (row) => (
                  <>
                    {row.chain} <ModeBadge livemode={row.livemode} />
                  </>
                ),
              },
              { header: t("hot.asset"), rowHeader: true, render: (row) => row.asset },
              {
                header: t("hot.address"),
                render: (row) => (row.hot_wallet_address ? <Hex value={row.hot_wallet_address} /> : t("hot.noAddress")),
              },
              {
                header: t("hot.onChain"),
                className: "amount",
                render: (row) =>
                  row.on_chain_balance === null ? t("hot.unknown") : money(row.on_chain_balance, row.asset),
              },
              {
                header: t("hot.ledger"),
                className: "amount",
                render: (row) => money(row.custody_ledger_balance, row.asset),
              },
              {
                header: t("hot.limit"),
                className: "amount",
                render: (row) => (
                  <>
                    {money(row.hot_wallet_limit, row.asset)}
                    {row.above_limit ? (
                      <>
                        {" "}
                        <Badge tone="bad">{t("hot.aboveLimit")}</Badge>
                      </>
                    ) : null}
                  </>
                ),
              },
              { header: t("hot.queue"), render: (row) => t("hot.queueValue", { queued: row.queued, sent: row.sent }) },
              { header: t("hot.nonce"), render: (row) => (row.next_nonce === null ? "—" : row.next_nonce) },
            ]}
          />
        )}
      </Loaded>
    </Card>
  );
}

function DepositsCard({ refreshed }: { refreshed: number }) {
  const { t } = useOpsCryptoT();
  const money = useAssetFormat();
  const deposits = useAsync(
    () => api.get<ListPage<OpsDeposit>>("/v1/ops/crypto/deposits", { status: "pending", limit: 50 }),
    [refreshed],
  );
  const owner = (row: OpsDeposit): ReactNode => {
    if (row.address_kind === "wallet" && row.wallet_user) {
      return (
        <Link to={`/ops/wallet-users/${encodeURIComponent(row.wallet_user)}`}>
          {t("deposits.kind.wallet", { id: row.wallet_user })}
        </Link>
      );
    }
    if (row.address_kind === "payment") return t("deposits.kind.payment", { id: row.payment ?? "—" });
    return t("deposits.kind.hot");
  };
  return (
    <Card title={t("deposits.title")}>
      <p className="field-hint">{t("deposits.intro")}</p>
      <Loaded state={deposits}>
        {(page) => (
          <DataTable
            rows={page.data}
            rowKey={(row) => row.id}
            caption={t("deposits.title")}
            empty={
              <Empty compact icon={ArrowDownToLine} title={t("deposits.none")}>
                {t("deposits.noneText")}
              </Empty>
            }
            columns={[
              {
                header: t("deposits.amount"),
                className: "amount",
                rowHeader: true,
                render: (row) => money(row.amount, row.asset),
              },
              {
                header: t("hot.chain"),
                render: (row) => (
                  <>
                    {row.chain} <ModeBadge livemode={row.livemode} />
                  </>
                ),
              },
              { header: t("deposits.to"), render: owner },
              {
                header: t("deposits.confirmations"),
                render: (row) =>
                  t("deposits.confirmationsValue", { count: row.confirmations, required: row.confirmations_required }),
              },
              { header: t("deposits.tx"), render: (row) => <Hex value={row.tx_hash} /> },
              { header: t("deposits.seen"), render: (row) => <When at={row.created} /> },
            ]}
          />
        )}
      </Loaded>
    </Card>
  );
}

const withdrawalTone = { pending: "warn", broadcast: "info", confirmed: "good", failed: "bad" } as const;

function WithdrawalsCard({ refreshed }: { refreshed: number }) {
  const { t } = useOpsCryptoT();
  const money = useAssetFormat();
  const withdrawals = useAsync(
    () => api.get<ListPage<OpsWithdrawal>>("/v1/ops/crypto/withdrawals", { limit: 20 }),
    [refreshed],
  );
  return (
    <Card title={t("withdrawals.title")}>
      <Loaded state={withdrawals}>
        {(page) => (
          <DataTable
            rows={page.data}
            rowKey={(row) => row.id}
            caption={t("withdrawals.title")}
            empty={
              <Empty compact icon={Send} title={t("withdrawals.none")}>
                {t("withdrawals.noneText")}
              </Empty>
            }
            columns={[
              {
                header: t("withdrawals.amount"),
                className: "amount",
                rowHeader: true,
                render: (row) => money(row.amount, row.asset),
              },
              { header: t("withdrawals.fee"), className: "amount", render: (row) => money(row.fee, row.asset) },
              {
                header: t("withdrawals.status"),
                render: (row) => (
                  <>
                    <Badge tone={withdrawalTone[row.status]}>{t(`withdrawals.status.${row.status}`)}</Badge>
                    {row.failure_code ? <span className="mono"> {row.failure_code}</span> : null}
                  </>
                ),
              },
              {
                header: t("hot.chain"),
                render: (row) => (
                  <>
                    {row.chain} <ModeBadge livemode={row.livemode} />
                  </>
                ),
              },
              { header: t("withdrawals.to"), render: (row) => <Hex value={row.to_address} /> },
              { header: t("deposits.tx"), render: (row) => (row.tx_hash ? <Hex value={row.tx_hash} /> : "—") },
              { header: t("withdrawals.nonce"), render: (row) => (row.nonce === null ? "—" : row.nonce) },
              {
                header: t("deposits.confirmations"),
                render: (row) => (row.confirmations === null ? "—" : row.confirmations),
              },
              { header: t("withdrawals.created"), render: (row) => <When at={row.created} /> },
            ]}
          />
        )}
      </Loaded>
    </Card>
  );
}

function ReservesCard({ canRun }: { canRun: boolean }) {
  const { t } = useOpsCryptoT();
  const [mode, setMode] = useState<"test" | "live">("test");
  const [made, setMade] = useState<string | null>(null);
  const reports = useAsync(
    () => api.get<ListPage<ReservesReport>>("/v1/ops/crypto/reserves_reports", { limit: reportsShown }),
    [],
  );
  const run = useAction(async () => {
    setMade(null);
    const report = await api.post<ReservesReport>("/v1/ops/crypto/reserves_reports", { mode });
    setMade(report.id);
    reports.reload();
  });
  return (
    <Card title={t("reserves.title")}>
      <p className="field-hint">{t("reserves.intro")}</p>
      {canRun ? (
        <div className="form-row">
          <SelectField
            label={t("reserves.mode")}
            value={mode}
            onChange={(event) => setMode(event.target.value as "test" | "live")}
          >
            <option value="test">{t("mode.test")}</option>
            <option value="live">{t("mode.live")}</option>
          </SelectField>
          <Button pending={run.pending} onClick={() => run.run()}>
            {t("reserves.run")}
          </Button>
        </div>
      ) : null}
      <CryptoError error={run.error} />
      <div role="status" aria-live="polite">
        {made ? <Alert kind="success">{t("reserves.ran", { id: made })}</Alert> : null}
      </div>
      <Loaded state={reports}>
        {(page) =>
          page.data.length === 0 ? (
            <Empty compact icon={FileCheck} title={t("reserves.none")}>
              {t("reserves.noneText")}
            </Empty>
          ) : (
            page.data.map((report) => <Report key={report.id} report={report} />)
          )
        }
      </Loaded>
    </Card>
  );
}

function Report({ report }: { report: ReservesReport }) {
  const { t } = useOpsCryptoT();
  const money = useAssetFormat();
  return (
    <section className="crypto-report" aria-labelledby={`report-${report.id}`}>
      <h3 id={`report-${report.id}`}>
        {t("reserves.report", { id: report.id })} <ModeBadge livemode={report.livemode} />{" "}
        <Badge tone={report.ok ? "good" : "bad"}>{report.ok ? t("reserves.ok") : t("reserves.short")}</Badge>
      </h3>
      <p className="field-hint">
        {t("reserves.when")}: <When at={report.created_at} /> · {t("reserves.source")}:{" "}
        {t(`reserves.source.${report.source}`)}
      </p>
      <DataTable
        rows={report.assets}
        rowKey={(row) => row.asset}
        caption={t("reserves.report", { id: report.id })}
        columns={[
          { header: t("reserves.asset"), rowHeader: true, render: (row) => row.asset },
          { header: t("reserves.onChain"), className: "amount", render: (row) => money(row.on_chain, row.asset) },
          { header: t("reserves.custody"), className: "amount", render: (row) => money(row.custody.posted, row.asset) },
          {
            header: t("reserves.liabilities"),
            className: "amount",
            render: (row) => money(row.liabilities.total, row.asset),
          },
          {
            header: t("reserves.shortfall"),
            className: "amount",
            render: (row) =>
              row.shortfall === "0" ? (
                money(row.shortfall, row.asset)
              ) : (
                <Badge tone="bad">{money(row.shortfall, row.asset)}</Badge>
              ),
          },
          {
            header: t("reserves.root"),
            render: (row) => (row.merkle.root ? <Hex value={`0x${row.merkle.root}`} /> : "—"),
          },
          { header: t("reserves.leaves"), render: (row) => row.merkle.leaves },
        ]}
      />
    </section>
  );
}
