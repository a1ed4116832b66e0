import { Monitor, Plus, Store as StoreIcon } from "lucide-react";
import { useState } from "react";
import type { ListPage } from "../../shared/api";
import { DateField } from "../../shared/date-picker-lazy";
import { HelpButton } from "../../shared/help";
import { Link } from "../../shared/router";
import { Badge, Button, Card, DataTable, Empty, SelectField, TextField } from "../../shared/ui";
import { useAction, useAsync } from "../../shared/use-async";
import { api } from "../api";
import { ActionForm, ConfirmButton, ConsoleError, LoadedTable, useFormat } from "../common";
import { canWrite, useMe } from "../session";
import { useStoresT } from "./stores-messages";

/**
 * Stores & tills: the merchant's shops, a till per counter with its QR poster to download, and each till's takings
 * of a day (today by default) — what a shop owner needs to run the counter without the API.
 */
interface Store {
  id: string;
  name: string;
  address: string | null;
  currency: string;
}

interface Figures {
  count: number;
  gross: string;
  refunds: string;
  net: string;
}

interface TillTakings extends Figures {
  till: string;
  name: string;
  active: boolean;
}

interface Takings {
  date: string;
  time_zone: string;
  currency: string;
  tills: TillTakings[];
  total: Figures;
}

export function StoresPage() {
  const { t, locale } = useStoresT();
  const me = useMe();
  const [creating, setCreating] = useState(false);
  const [day, setDay] = useState("");
  const [posterLanguage, setPosterLanguage] = useState<"en" | "zh">(locale === "zh-CN" ? "zh" : "en");
  const stores = useAsync(() => api.get<ListPage<Store>>("/v1/stores", { limit: 100 }), []);
  return (
    <>
      <h1>{t("stores.title")}</h1>
      <p>{t("stores.intro")}</p>
      {canWrite(me) && !creating ? (
        <p>
          <Button icon={Plus} onClick={() => setCreating(true)}>
            {t("stores.new")}
          </Button>
        </p>
      ) : null}
      {creating ? (
        <Card title={t("stores.new")} actions={<HelpButton slug="counter-qr" />}>
          <NewStoreForm
            onCreated={() => {
              setCreating(false);
              stores.reload();
            }}
          />
        </Card>
      ) : null}
      <div className="form-row">
        <DateField label={t("stores.day")} hint={t("stores.dayHint")} value={day} onChange={setDay} />
        <SelectField
          label={t("till.posterLanguage")}
          value={posterLanguage}
          onChange={(e) => setPosterLanguage(e.target.value as "en" | "zh")}
        >
          <option value="en">English</option>
          <option value="zh">中文</option>
        </SelectField>
      </div>
      <ConsoleError error={stores.error} />
      {stores.data && stores.data.data.length === 0 ? (
        <Empty
          icon={StoreIcon}
          title={t("stores.empty")}
          action={
            canWrite(me) && !creating ? (
              <Button icon={Plus} onClick={() => setCreating(true)}>
                {t("stores.addFirst")}
              </Button>
            ) : undefined
          }
        >
          {t("stores.emptyText")}
        </Empty>
      ) : null}
      {stores.data?.data.map((store) => (
        <StoreCard key={store.id} store={store} day={day} posterLanguage={posterLanguage} />
      ))}
    </>
  );
}

function NewStoreForm({ onCreated }: { onCreated(): void }) {
  const { t } = useStoresT();
  const [name, setName] = useState("");
  const [address, setAddress] = useState("");
  const [currency, setCurrency] = useState("USD");
  const create = useAction(async () => {
    await api.post("/v1/stores", {
      name,
      currency,
      ...(address.trim() ? { address: address.trim() } : {}),
    });
    onCreated();
  });
  return (
    <ActionForm action={create} submitLabel={t("stores.create")}>
      <div className="form-row">
        <TextField label={t("stores.name")} value={name} maxLength={100} onChange={(e) => setName(e.target.value)} />
        <TextField
          label={t("stores.currency")}
          value={currency}
          maxLength={10}
          onChange={(e) => setCurrency(e.target.value.toUpperCase())}
        />
      </div>
      <TextField
        label={t("stores.address")}
        value={address}
        maxLength={300}
        onChange={(e) => setAddress(e.target.value)}
      />
    </ActionForm>
  );
}

function StoreCard({ store, day, posterLanguage }: { store: Store; day: string; posterLanguage: "en" | "zh" }) {
  const { t } = useStoresT();
  const format = useFormat();
  const me = useMe();
  const takings = useAsync(
    () =>
      api.get<Takings>(`/v1/stores/${encodeURIComponent(store.id)}/takings`, {
        date: /^\d{4}-\d{2}-\d{2}$/.test(day) ? day : undefined,
      }),
    [store.id, day],
  );
  const [tillName, setTillName] = useState("");
  const addTill = useAction(async () => {
    await api.post(`/v1/stores/${encodeURIComponent(store.id)}/tills`, { name: tillName });
    setTillName("");
    takings.reload();
  });
  const deactivate = useAction(async (id: string) => {
    await api.post(`/v1/tills/${encodeURIComponent(id)}/deactivate`, {});
    takings.reload();
  });
  const money = (amount: string) => format.money(amount, store.currency);
  const poster = (row: TillTakings, kind: "png" | "pdf") => (
    <a
      href={`/v1/tills/${encodeURIComponent(row.till)}/poster.${kind}?lang=${posterLanguage}`}
      download
      aria-label={t("till.posterLabel", { till: row.name, format: kind.toUpperCase() })}
    >
      {kind === "png" ? t("till.posterPng") : t("till.posterPdf")}
    </a>
  );
  const rows = takings.data ? [...takings.data.tills] : [];
  return (
    <Card
      title={store.name}
      actions={<Link to={`/payments?store=${encodeURIComponent(store.id)}`}>{t("stores.seePayments")}</Link>}
    >
      {store.address ? <p>{store.address}</p> : null}
      {takings.data ? <h3>{t("stores.takings", { date: takings.data.date, zone: takings.data.time_zone })}</h3> : null}
      <LoadedTable
        state={takings}
        rows={() => rows}
        error={takings.error ?? deactivate.error}
        rowKey={(row) => row.till}
        caption={store.name}
        empty={
          <Empty compact icon={Monitor} title={t("stores.noTills")}>
            {t("stores.noTillsText")}
          </Empty>
        }
        columns={[
          {
            header: t("till.col.till"),
            render: (row) => (
              <>
                {row.name}{" "}
                {row.active ? (
                  <Badge tone="good">{t("till.active")}</Badge>
                ) : (
                  <Badge tone="neutral">{t("till.inactive")}</Badge>
                )}
              </>
            ),
          },
          { header: t("till.col.count"), className: "amount", render: (row) => String(row.count) },
          { header: t("till.col.gross"), className: "amount", render: (row) => money(row.gross) },
          { header: t("till.col.refunds"), className: "amount", render: (row) => money(row.refunds) },
          { header: t("till.col.net"), className: "amount", render: (row) => money(row.net) },
          {
            header: t("till.col.poster"),
            render: (row) => (
              <span className="button-row">
                {poster(row, "png")} {poster(row, "pdf")}
              </span>
            ),
          },
          {
            header: t("till.col.actions"),
            render: (row) => (
              <span className="button-row">
                <Link
                  to={`/payments?store=${encodeURIComponent(store.id)}&till=${encodeURIComponent(row.till)}`}
                  aria-label={t("till.paymentsLabel", { till: row.name })}
                >
                  {t("till.payments")}
                </Link>
                {canWrite(me) && row.active ? (
                  <ConfirmButton
                    label={t("till.deactivate")}
                    confirmLabel={t("till.deactivateConfirm")}
                    pending={deactivate.pending}
                    onConfirm={() => deactivate.run(row.till)}
                  />
                ) : null}
              </span>
            ),
          },
        ]}
      />
      {takings.data && takings.data.tills.length > 0 ? (
        <DataTable
          rows={[takings.data.total]}
          rowKey={() => "total"}
          caption={t("till.total")}
          columns={[
            { header: t("till.col.till"), render: () => <strong>{t("till.total")}</strong> },
            { header: t("till.col.count"), className: "amount", render: (row) => String(row.count) },
            { header: t("till.col.gross"), className: "amount", render: (row) => money(row.gross) },
            { header: t("till.col.refunds"), className: "amount", render: (row) => money(row.refunds) },
            { header: t("till.col.net"), className: "amount", render: (row) => money(row.net) },
          ]}
        />
      ) : null}
      {canWrite(me) ? (
        <ActionForm action={addTill} submitLabel={t("till.create")}>
          <TextField
            label={t("till.new")}
            hint={t("till.newHint")}
            value={tillName}
            maxLength={100}
            onChange={(e) => setTillName(e.target.value)}
          />
        </ActionForm>
      ) : null}
    </Card>
  );
}
