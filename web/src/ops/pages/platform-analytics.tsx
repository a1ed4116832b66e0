import { ChartColumn } from "lucide-react";
import { formatMoney } from "../../shared/money";
import { SortableTable } from "../../shared/sortable-table-lazy";
import { Card, DefinitionList, Empty, SelectField } from "../../shared/ui";
import { useAsync } from "../../shared/use-async";
import { api } from "../api";
import { Loaded, useQueryParams } from "../common";
import { useT } from "../messages";

/**
 * Platform analytics (GET /v1/ops/analytics/summary): volume per currency, payments, success rate and active
 * merchants of one mode, and the KYB funnel, over a range ending now. Mode and range live in the URL.
 */
export interface PlatformAnalyticsSummary {
  object: "ops_analytics_summary";
  livemode: boolean;
  from: number;
  to: number;
  currency: string | null;
  volume: {
    currency: string;
    gross_volume: string;
    fees: string;
    refunded_amount: string;
    net_volume: string;
    payments_succeeded: number;
  }[];
  payments: { created: number; succeeded: number; failed: number; canceled: number; expired: number };
  success_rate: number | null;
  active_merchants: number;
  kyb: { submitted: number; approved: number; rejected: number; pending: number; action_required: number };
}

const rangeDays = ["1", "7", "30", "90", "365"] as const;
type RangeDays = (typeof rangeDays)[number];
const dayS = 86_400;

export function PlatformAnalyticsPage() {
  const { t } = useT();
  const [params, setParams] = useQueryParams();
  const mode = params.mode === "test" ? "test" : "live";
  const days: RangeDays = (rangeDays as readonly string[]).includes(params.days ?? "")
    ? (params.days as RangeDays)
    : "30";
  const summary = useAsync(() => {
    const to = Math.ceil(Date.now() / 1000 / 3600) * 3600;
    const query = new URLSearchParams({
      livemode: String(mode === "live"),
      from: String(to - Number(days) * dayS),
      to: String(to),
    });
    return api.get<PlatformAnalyticsSummary>(`/v1/ops/analytics/summary?${query}`);
  }, [mode, days]);
  return (
    <>
      <h1>{t("platformAnalytics.title")}</h1>
      <p>{t("platformAnalytics.intro")}</p>
      <div className="ops-filters">
        <SelectField
          label={t("platformAnalytics.mode")}
          value={mode}
          onChange={(event) => setParams({ ...params, mode: event.target.value })}
        >
          <option value="live">{t("platformAnalytics.mode.live")}</option>
          <option value="test">{t("platformAnalytics.mode.test")}</option>
        </SelectField>
        <SelectField
          label={t("platformAnalytics.range")}
          value={days}
          onChange={(event) => setParams({ ...params, days: event.target.value })}
        >
          {rangeDays.map((d) => (
            <option key={d} value={d}>
              {t(`platformAnalytics.range.${d}`)}
            </option>
          ))}
        </SelectField>
      </div>
      <Loaded state={summary}>{(s) => <Figures summary={s} />}</Loaded>
    </>
  );
}

function Figures({ summary }: { summary: PlatformAnalyticsSummary }) {
  const { t, locale } = useT();
  const number = (n: number) => n.toLocaleString(locale);
  const percent = (rate: number | null) =>
    rate === null
      ? t("platformAnalytics.none")
      : rate.toLocaleString(locale, { style: "percent", minimumFractionDigits: 1, maximumFractionDigits: 1 });
  const p = summary.payments;
  return (
    <>
      <Card title={t("platformAnalytics.payments")}>
        <DefinitionList
          items={[
            [t("platformAnalytics.activeMerchants"), number(summary.active_merchants)],
            [t("platformAnalytics.successRate"), percent(summary.success_rate)],
            [t("platformAnalytics.created"), number(p.created)],
            [t("platformAnalytics.succeeded"), number(p.succeeded)],
            [t("platformAnalytics.failed"), number(p.failed)],
            [t("platformAnalytics.canceled"), number(p.canceled)],
            [t("platformAnalytics.expired"), number(p.expired)],
          ]}
        />
      </Card>
      <Card title={t("platformAnalytics.volume")}>
        {summary.volume.length === 0 ? (
          <Empty compact icon={ChartColumn} title={t("platformAnalytics.noVolumeTitle")}>
            {t("platformAnalytics.noVolume")} {t("platformAnalytics.noVolumeText")}
          </Empty>
        ) : (
          <SortableTable
            rows={summary.volume}
            rowKey={(v) => v.currency}
            caption={t("platformAnalytics.volume")}
            // Every currency of the range is here, so the rows sort on the page. Amounts do not sort: sums in
            // different currencies do not compare without exchange rates.
            columns={[
              {
                id: "currency",
                header: t("platformAnalytics.currency"),
                rowHeader: true,
                render: (v) => v.currency,
                sortValue: (v) => v.currency,
              },
              {
                id: "gross",
                header: t("platformAnalytics.gross"),
                render: (v) => formatMoney(v.gross_volume, v.currency, locale),
              },
              {
                id: "refunded",
                header: t("platformAnalytics.refunded"),
                render: (v) => formatMoney(v.refunded_amount, v.currency, locale),
              },
              {
                id: "fees",
                header: t("platformAnalytics.fees"),
                render: (v) => formatMoney(v.fees, v.currency, locale),
              },
              {
                id: "net",
                header: t("platformAnalytics.net"),
                render: (v) => formatMoney(v.net_volume, v.currency, locale),
              },
              {
                id: "succeeded",
                header: t("platformAnalytics.succeeded"),
                render: (v) => number(v.payments_succeeded),
                sortValue: (v) => v.payments_succeeded,
              },
            ]}
          />
        )}
      </Card>
      <Card title={t("platformAnalytics.kyb")}>
        <p className="field-hint">{t("platformAnalytics.kybHint")}</p>
        <DefinitionList
          items={[
            [t("platformAnalytics.kyb.submitted"), number(summary.kyb.submitted)],
            [t("platformAnalytics.kyb.approved"), number(summary.kyb.approved)],
            [t("platformAnalytics.kyb.rejected"), number(summary.kyb.rejected)],
            [t("platformAnalytics.kyb.pending"), number(summary.kyb.pending)],
            [t("platformAnalytics.kyb.actionRequired"), number(summary.kyb.action_required)],
          ]}
        />
      </Card>
    </>
  );
}
