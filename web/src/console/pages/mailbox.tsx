import { Mail, RefreshCw } from "lucide-react";
import { Fragment, useState } from "react";
import type { ListPage } from "../../shared/api";
import { Link } from "../../shared/router";
import { Button, Card, Empty, NoMatch, Spinner, TextField } from "../../shared/ui";
import { useAsync } from "../../shared/use-async";
import { api, type MailboxMessage } from "../api";
import { ConsoleError, useFormat } from "../common";
import { useT } from "../messages";

/**
 * The dev mailbox (GET /v1/console/dev/mailbox): with no SMTP server configured, coffer keeps its mail and shows it
 * here, so a developer can click the verification link without a real inbox. Links to this coffer open in place.
 */
const urlPattern = /(https?:\/\/[^\s<>"')]+)/g;

function MailText({ text }: { text: string }) {
  const parts = text.split(urlPattern);
  return (
    <pre className="mail-text">
      {/* The pieces of one text, always in the same order: their position is their identity. */}
      {parts.map((part, index) => {
        // biome-ignore lint/suspicious/noArrayIndexKey: pieces of a fixed text, never reordered.
        if (index % 2 === 0) return <Fragment key={index}>{part}</Fragment>;
        let url: URL | null = null;
        try {
          url = new URL(part);
        } catch {
          url = null;
        }
        if (url && url.origin === location.origin) {
          return (
            // biome-ignore lint/suspicious/noArrayIndexKey: pieces of a fixed text, never reordered.
            <Link key={index} to={`${url.pathname}${url.search}`}>
              {part}
            </Link>
          );
        }
        return (
          // biome-ignore lint/suspicious/noArrayIndexKey: pieces of a fixed text, never reordered.
          <a key={index} href={part} rel="noreferrer">
            {part}
          </a>
        );
      })}
    </pre>
  );
}

export function DevMailboxPage() {
  const { t } = useT();
  const format = useFormat();
  const [to, setTo] = useState("");
  const [filter, setFilter] = useState("");
  const mail = useAsync(
    () => api.get<ListPage<MailboxMessage>>("/v1/console/dev/mailbox", { to: filter || undefined, limit: 20 }),
    [filter],
  );
  return (
    <>
      <h1>{t("mailbox.title")}</h1>
      <p className="field-hint">{t("mailbox.intro")}</p>
      <form
        className="form-row"
        onSubmit={(event) => {
          event.preventDefault();
          setFilter(to.trim());
        }}
      >
        <TextField label={t("mailbox.to")} type="email" value={to} onChange={(e) => setTo(e.target.value)} />
        <div className="button-row">
          <Button type="submit">{t("mailbox.filter")}</Button>
          <Button variant="secondary" icon={RefreshCw} onClick={() => mail.reload()}>
            {t("common.refresh")}
          </Button>
        </div>
      </form>
      {mail.status === "loading" && !mail.data ? <Spinner label={t("common.loading")} /> : null}
      <ConsoleError error={mail.error} />
      {mail.data && mail.data.data.length === 0 ? (
        filter ? (
          <NoMatch
            title={t("mailbox.noMatch")}
            clearLabel={t("common.clearFilters")}
            onClear={() => {
              setTo("");
              setFilter("");
            }}
          >
            {t("mailbox.noMatchText")}
          </NoMatch>
        ) : (
          <Empty icon={Mail} title={t("mailbox.empty")}>
            {t("mailbox.emptyText")}
          </Empty>
        )
      ) : null}
      {mail.data?.data.map((message) => (
        <Card key={message.id} title={message.subject ?? t("mailbox.noSubject")}>
          <p className="field-hint">
            {t("mailbox.sentTo", { to: message.to })} · {format.date(message.created)}
          </p>
          <MailText text={message.text} />
        </Card>
      ))}
      <p>
        <Link to="/login">{t("auth.toLogin")}</Link>
      </p>
    </>
  );
}
