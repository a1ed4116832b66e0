import { Download, FileSpreadsheet } from "lucide-react";
import { type FormEvent, useEffect, useRef, useState } from "react";
import { Icon } from "../../shared/icons";
import { Alert, Badge, Button, Card, Empty, ErrorAlert } from "../../shared/ui";
import { useAction } from "../../shared/use-async";
import { api, type BankFileBatch } from "../api";
import { PagedTable, usePagedList, useQueryParams, When } from "../common";
import { useT } from "../messages";

/**
 * The file bank connector (admins): export the instructions waiting for the bank as a CSV download (its account
 * numbers are shown only now), import the bank's settlement file, and see every file exchanged, also by the CLI.
 */
const uploadBytesMax = 16 * 1024 * 1024; // the API's limit for a settlement file uploaded here

interface Exported {
  batch: BankFileBatch;
  file: { filename: string; content_type: "text/csv"; content: string };
}

export function BankFilesPage() {
  const { t } = useT();
  const [params, setParams] = useQueryParams();
  const batches = usePagedList<BankFileBatch>("/v1/ops/bank_files", params, {}, 25);
  return (
    <>
      <h1>{t("bank.title")}</h1>
      <p>{t("bank.intro")}</p>
      <ExportCard onDone={batches.reload} />
      <ImportCard onDone={batches.reload} />
      <Card title={t("bank.batches")}>
        <PagedTable
          state={batches}
          params={params}
          setParams={setParams}
          empty={
            <Empty icon={FileSpreadsheet} title={t("bank.empty")}>
              {t("bank.emptyText")}
            </Empty>
          }
          columns={[
            { header: t("audit.when"), render: (batch) => <When at={batch.created} /> },
            { header: t("bank.direction"), render: (batch) => t(`bank.direction.${batch.direction}`) },
            { header: t("bank.name"), render: (batch) => <code>{batch.name}</code> },
            {
              header: t("bank.source"),
              render: (batch) => (
                <>
                  {t(`bank.source.${batch.source}`)}
                  {batch.operator ? (
                    <>
                      {" "}
                      <code>{batch.operator}</code>
                    </>
                  ) : null}
                </>
              ),
            },
            { header: t("bank.count"), render: (batch) => batch.instruction_count },
            {
              header: t("bank.result"),
              render: (batch) =>
                batch.direction === "import" ? (
                  <>
                    <Badge tone={batch.errors > 0 ? "bad" : "good"}>
                      {t("bank.imported", { applied: batch.applied, unchanged: batch.unchanged, errors: batch.errors })}
                    </Badge>
                    <Problems batch={batch} />
                  </>
                ) : (
                  t("common.none")
                ),
            },
          ]}
        />
      </Card>
    </>
  );
}

function Problems({ batch }: { batch: BankFileBatch }) {
  const { t } = useT();
  if (batch.problems.length === 0) return null;
  return (
    <ul aria-label={t("bank.problems")}>
      {batch.problems.map((problem) => (
        <li key={problem.line}>
          {t("bank.problem", { line: problem.line, id: problem.instruction_id || "?", problem: problem.problem })}
        </li>
      ))}
    </ul>
  );
}

function ExportCard({ onDone }: { onDone(): void }) {
  const { t } = useT();
  const [exported, setExported] = useState<{ result: Exported; url: string } | null>(null);
  useEffect(() => () => (exported ? URL.revokeObjectURL(exported.url) : undefined), [exported]);
  const run = useAction(async () => {
    const result = await api.post<Exported>("/v1/ops/bank_files/export", {});
    const url = URL.createObjectURL(new Blob([result.file.content], { type: "text/csv" }));
    setExported({ result, url });
    onDone();
  });
  return (
    <Card title={t("bank.exportTitle")}>
      <Button icon={Download} pending={run.pending} onClick={() => run.run()}>
        {t("bank.export")}
      </Button>
      <ErrorAlert error={run.error} />
      {exported ? (
        <Alert kind={exported.result.batch.instruction_count > 0 ? "success" : "info"}>
          <p>
            {exported.result.batch.instruction_count > 0
              ? t("bank.exported", {
                  count: exported.result.batch.instruction_count,
                  batch: exported.result.batch.name,
                })
              : t("bank.exportedNone")}
          </p>
          <p>
            <a href={exported.url} download={exported.result.file.filename}>
              <Icon icon={Download} /> {t("bank.download", { file: exported.result.file.filename })}
            </a>
          </p>
          <p>{t("bank.exportWarning")}</p>
        </Alert>
      ) : null}
    </Card>
  );
}

function ImportCard({ onDone }: { onDone(): void }) {
  const { t } = useT();
  const input = useRef<HTMLInputElement>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [result, setResult] = useState<BankFileBatch | null>(null);
  const run = useAction(async (file: File) => {
    const batch = await api.post<BankFileBatch>("/v1/ops/bank_files/import", {
      filename: file.name,
      content: await file.text(),
    });
    setResult(batch);
    if (input.current) input.current.value = "";
    onDone();
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setProblem(null);
    setResult(null);
    const file = input.current?.files?.[0];
    if (!file) return setProblem(t("bank.chooseFile"));
    if (file.size > uploadBytesMax) return setProblem(t("bank.tooLarge", { size: uploadBytesMax / 1024 / 1024 }));
    run.run(file);
  };
  return (
    <Card title={t("bank.importTitle")}>
      <form onSubmit={submit}>
        <div className="field">
          <label htmlFor="ops-bank-file">{t("bank.file")}</label>
          <input
            id="ops-bank-file"
            ref={input}
            type="file"
            accept=".csv,text/csv"
            aria-invalid={problem ? true : undefined}
            aria-describedby={problem ? "ops-bank-file-error" : undefined}
          />
          {problem ? (
            <p className="field-error" id="ops-bank-file-error">
              {problem}
            </p>
          ) : null}
        </div>
        <Button type="submit" pending={run.pending}>
          {t("bank.import")}
        </Button>
      </form>
      <ErrorAlert error={run.error} />
      {result ? (
        <Alert kind={result.errors > 0 ? "warning" : "success"}>
          {t("bank.imported", { applied: result.applied, unchanged: result.unchanged, errors: result.errors })}
          <Problems batch={result} />
        </Alert>
      ) : null}
    </Card>
  );
}
