import { Download } from "lucide-react";
import { useMemo, useState } from "react";
import { DateRangeField } from "../../shared/date-picker-lazy";
import { Link, navigate, useSearch } from "../../shared/router";
import { Alert, Button, SelectField, Spinner } from "../../shared/ui";
import { useAsync } from "../../shared/use-async";
import { ConsoleError } from "../common";
import { type en, useT } from "../messages";
import { loadDashboard, loadSettings } from "./api";
import { Charts } from "./charts";
import { downloadText, timeseriesCsv } from "./csv";
import { FailuresBreakdown } from "./failures";
import { KeyFigures } from "./figures";
import { type InsightKey, useInsightsT } from "./messages";
import type { Interval } from "./model";
import {
  type DateRange,
  defaultInterval,
  intervalsFor,
  presetRange,
  type RangePreset,
  rangePresets,
  zonedDay,
} from "./range";
import { TimeZoneSetting } from "./time-zone";
import "./insights.css";

/**
 * The console's home dashboard: key figures with their change, charts, failures, drill-down and CSV export for a
 * range in the merchant's time zone. Its state (range, interval, currency) lives in the URL, so a view can be
 * shared and the back button returns to it. Loaded on demand with uPlot, so the console's first load stays small.
 */
export default function Dashboard() {
  const { t } = useInsightsT();
  const settings = useAsync(loadSettings, []);
  const [savedZone, setSavedZone] = useState<string | null>(null);
  const timeZone = savedZone ?? settings.data?.time_zone;
  if (!timeZone) {
    return (
      <>
        {settings.status === "loading" ? <Spinner label={t("dash.title")} /> : null}
        <ConsoleError error={settings.error} />
      </>
    );
  }
  // Presets end at the mode's now: in test mode the merchant's test clock, which may run days ahead of the browser.
  const now = (settings.data?.now ?? Math.floor(Date.now() / 1000)) * 1000;
  return <DashboardBody key={timeZone} timeZone={timeZone} now={now} onZoneSaved={setSavedZone} />;
}

function readPreset(value: string | null): RangePreset {
  return rangePresets.find((preset) => preset === value) ?? "30d";
}

function DashboardBody({
  timeZone,
  now: opened,
  onZoneSaved,
}: {
  timeZone: string;
  now: number;
  onZoneSaved(zone: string): void;
}) {
  const { t } = useInsightsT();
  const area = useT();
  const search = useSearch();
  const preset = readPreset(search.get("range"));
  const fromDay = search.get("from") ?? "";
  const untilDay = search.get("until") ?? "";
  const currency = search.get("currency") ?? undefined;
  // "Now" is fixed when the page opens: re-rendering must not move the range (and refetch) every second.
  const [now] = useState(() => opened);
  const range = useMemo(
    () => presetRange(preset, now, timeZone, { fromDay, untilDay }),
    [preset, now, timeZone, fromDay, untilDay],
  );
  const offered = range ? intervalsFor(range) : [];
  const asked = search.get("interval") as Interval | null;
  const interval = range ? (asked && offered.includes(asked) ? asked : defaultInterval(range)) : "day";
  const data = useAsync(
    () => (range ? loadDashboard({ range, interval, timeZone, currency }) : Promise.resolve(undefined)),
    [range?.from, range?.to, interval, timeZone, currency],
  );

  const setParams = (changes: Record<string, string | undefined>) => {
    const next = new URLSearchParams(search);
    for (const [name, value] of Object.entries(changes)) {
      if (value) next.set(name, value);
      else next.delete(name);
    }
    const query = next.toString();
    navigate(query ? `/?${query}` : "/", { replace: true });
  };
  const choosePreset = (value: RangePreset) => {
    if (value === "custom" && range) {
      // A custom range starts as the range on screen, whole days in the merchant's zone.
      setParams({ range: value, from: zonedDay(range.from, timeZone), until: zonedDay(range.to - 1, timeZone) });
    } else {
      setParams({ range: value, from: undefined, until: undefined, interval: undefined });
    }
  };
  const methodName = (method: string) => {
    const key = `method.${method}` as keyof typeof en;
    const name = area.t(key);
    return name === key ? method : name;
  };
  const exportCsv = (shown: DateRange) => {
    if (!data.data) return;
    const csvCurrency = data.data.summary.currency ?? "none";
    const name = `coffer-${csvCurrency}-${zonedDay(shown.from, timeZone)}-${zonedDay(shown.to - 1, timeZone)}-${interval}.csv`;
    downloadText(name, timeseriesCsv(data.data.series, timeZone));
  };
  const loaded = data.data;
  return (
    <section className="dashboard" aria-labelledby="dashboard-title">
      <h2 id="dashboard-title">{t("dash.title")}</h2>
      <search className="form-row dashboard-controls" aria-label={t("dash.controls")}>
        <SelectField
          label={t("dash.range")}
          value={preset}
          onChange={(e) => choosePreset(e.target.value as RangePreset)}
        >
          {rangePresets.map((p) => (
            <option key={p} value={p}>
              {t(`dash.range.${p}` as InsightKey)}
            </option>
          ))}
        </SelectField>
        {preset === "custom" ? (
          <DateRangeField
            label={t("dash.range.custom")}
            from={fromDay}
            until={untilDay}
            onChange={(days) => setParams({ from: days.from, until: days.until })}
          />
        ) : null}
        <SelectField
          label={t("dash.interval")}
          value={interval}
          onChange={(e) => setParams({ interval: e.target.value })}
          disabled={!range}
        >
          {offered.map((i) => (
            <option key={i} value={i}>
              {t(`dash.interval.${i}` as InsightKey)}
            </option>
          ))}
        </SelectField>
        <SelectField
          label={t("dash.currency")}
          value={loaded?.summary.currency ?? currency ?? ""}
          onChange={(e) => setParams({ currency: e.target.value })}
          disabled={!loaded || loaded.currencies.length === 0}
        >
          {loaded && loaded.currencies.length === 0 ? <option value="">{t("dash.noCurrency")}</option> : null}
          {(loaded?.currencies ?? (currency ? [currency] : [])).map((c) => (
            <option key={c} value={c}>
              {c}
            </option>
          ))}
        </SelectField>
        <Button
          variant="secondary"
          icon={Download}
          disabled={!loaded || !range}
          onClick={() => range && exportCsv(range)}
        >
          {t("chart.export")}
        </Button>
      </search>
      <TimeZoneSetting timeZone={timeZone} onSaved={onZoneSaved} />
      {range ? null : <Alert kind="warning">{t("dash.customInvalid")}</Alert>}
      {data.status === "loading" ? <Spinner label={t("dash.title")} /> : null}
      <ConsoleError error={data.error} />
      {loaded && range ? (
        <div aria-busy={data.status === "loading" || undefined}>
          {loaded.summary.payments.created === 0 && loaded.summary.payments.succeeded === 0 ? (
            <p className="empty">{t("dash.empty")}</p>
          ) : null}
          <KeyFigures summary={loaded.summary} range={range} />
          <p className="field-hint">{t("dash.freshness")}</p>
          <Charts series={loaded.series} interval={interval} timeZone={timeZone} />
          <FailuresBreakdown failures={loaded.failures} range={range} methodName={methodName} />
        </div>
      ) : null}
      <p>
        <Link to="/payment-methods">{t("methods.link")}</Link>
      </p>
    </section>
  );
}
