import { IdCard } from "lucide-react";
import { useState } from "react";
import { Alert, Button, Card, Empty, ErrorAlert, TextField } from "../../shared/ui";
import { useAction, useAsync } from "../../shared/use-async";
import { api, type KycReviewItem, type ListPage } from "../api";
import { Loaded, When } from "../common";
import { useT } from "../messages";

/** Wallet users' identity submissions waiting for a reviewer, oldest first: approve, or reject with a reason. */
export function KycPage() {
  const { t } = useT();
  const queue = useAsync(() => api.get<ListPage<KycReviewItem>>("/v1/ops/kyc_submissions", { limit: 25 }), []);
  const [done, setDone] = useState<string | null>(null);
  return (
    <>
      <h1>{t("kyc.title")}</h1>
      {done ? <Alert kind="success">{done}</Alert> : null}
      <Loaded state={queue}>
        {(page) =>
          page.data.length === 0 ? (
            <Card>
              <Empty icon={IdCard} title={t("kyc.empty")}>
                {t("kyc.emptyText")}
              </Empty>
            </Card>
          ) : (
            page.data.map((item) => (
              <Submission
                key={item.submission.id}
                item={item}
                onDecided={(status) => {
                  setDone(t("kyc.done", { status }));
                  queue.reload();
                }}
              />
            ))
          )
        }
      </Loaded>
    </>
  );
}

function Submission({ item, onDecided }: { item: KycReviewItem; onDecided(status: string): void }) {
  const { t } = useT();
  const [reason, setReason] = useState("");
  const name = item.submission.full_name ?? item.submission.wallet_user;
  const decide = useAction(async (decision: "approve" | "reject") => {
    const result = await api.post<{ status: string }>(
      `/v1/ops/kyc_submissions/${item.submission.id}/${decision}`,
      decision === "reject" ? { reason: reason.trim() } : {},
    );
    onDecided(result.status);
  });
  return (
    <Card title={name}>
      <dl className="definitions">
        <div>
          <dt>{t("kyc.level")}</dt>
          <dd>{item.submission.level}</dd>
        </div>
        <div>
          <dt>{t("kyc.idNumber")}</dt>
          <dd>{item.id_number ?? t("common.none")}</dd>
        </div>
        <div>
          <dt>{t("kyc.birth")}</dt>
          <dd>{item.date_of_birth ?? t("common.none")}</dd>
        </div>
        <div>
          <dt>{t("kyc.document")}</dt>
          <dd>
            {[item.submission.document_type, item.submission.document_country, item.document_number]
              .filter(Boolean)
              .join(" · ") || t("common.none")}
          </dd>
        </div>
        <div>
          <dt>{t("common.created")}</dt>
          <dd>
            <When at={item.submission.created} />
          </dd>
        </div>
      </dl>
      <TextField
        label={t("kyc.reason", { name })}
        maxLength={500}
        value={reason}
        onChange={(event) => setReason(event.target.value)}
      />
      <div className="button-row">
        <Button pending={decide.pending} onClick={() => decide.run("approve")}>
          {t("kyc.approve", { name })}
        </Button>
        <Button
          variant="danger"
          pending={decide.pending}
          disabled={reason.trim() === ""}
          onClick={() => decide.run("reject")}
        >
          {t("kyc.reject", { name })}
        </Button>
      </div>
      <ErrorAlert error={decide.error} />
    </Card>
  );
}
