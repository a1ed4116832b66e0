import { ApiRequestError } from "../../shared/api";
import { Alert, Badge, Button, Card, DefinitionList, ErrorAlert } from "../../shared/ui";
import { useAction, useAsync } from "../../shared/use-async";
import { api, type VerifyRun } from "../api";
import { Loaded, When } from "../common";
import { type MessageKey, useT } from "../messages";
import { can, useOperator } from "../session";

/** The latest `coffer verify` (from the CLI or this page) with pass or fail per check; admins can run it now. */
export function VerifyPage() {
  const { t } = useT();
  const operator = useOperator();
  const latest = useAsync(async () => {
    try {
      return await api.get<VerifyRun>("/v1/ops/verify/latest");
    } catch (error) {
      if (error instanceof ApiRequestError && error.code === "verify_never_run") return null;
      throw error;
    }
  }, []);
  const run = useAction(async () => {
    await api.post<VerifyRun>("/v1/ops/verify", {});
    latest.reload();
  });
  return (
    <>
      <h1>{t("verify.title")}</h1>
      <p>{t("verify.intro")}</p>
      {can(operator, "verify.run") ? (
        <div className="button-row">
          <Button pending={run.pending} onClick={() => run.run()}>
            {t("verify.run")}
          </Button>
        </div>
      ) : null}
      <ErrorAlert error={run.error} />
      <Loaded state={latest}>
        {(result) => (result ? <Report run={result} /> : <Alert kind="info">{t("verify.never")}</Alert>)}
      </Loaded>
    </>
  );
}

function Report({ run }: { run: VerifyRun }) {
  const { t } = useT();
  const checkName = (check: string) => {
    const key = `verify.check.${check}` as MessageKey;
    const text = t(key);
    return text === key ? check : text;
  };
  return (
    <>
      <Alert kind={run.ok ? "success" : "error"}>
        {run.ok ? t("verify.summaryOk") : t("verify.summaryFailed", { count: run.violations.length })}
      </Alert>
      <Card>
        <DefinitionList
          items={[
            [t("verify.when"), <When key="w" at={run.checked_at} />],
            [
              t("verify.by"),
              <span key="b">
                {t(`bank.source.${run.source}`)}
                {run.operator ? (
                  <>
                    {" "}
                    <code>{run.operator}</code>
                  </>
                ) : null}
              </span>,
            ],
            [t("verify.ledger"), t(`verify.ledger.${run.ledger}`)],
            [t("verify.counts"), t("verify.countsValue", { accounts: run.accounts, transfers: run.transfers })],
          ]}
        />
      </Card>
      <Card>
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">{t("verify.check")}</th>
                <th scope="col">{t("verify.result")}</th>
                <th scope="col">{t("verify.violations")}</th>
              </tr>
            </thead>
            <tbody>
              {run.checks.map((check) => (
                <tr key={check.check}>
                  <th scope="row">
                    {checkName(check.check)} <code>{check.check}</code>
                  </th>
                  <td>
                    <Badge tone={check.passed ? "good" : "bad"}>
                      {check.passed ? t("verify.passed") : t("verify.failed")}
                    </Badge>
                  </td>
                  <td>{check.violations}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </Card>
      {run.violations.length > 0 ? (
        <Card title={t("verify.violations")}>
          <ul>
            {run.violations.map((violation, index) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: a report rendered once; messages may repeat.
              <li key={index}>
                <code>{violation.check}</code> {violation.message}
              </li>
            ))}
          </ul>
        </Card>
      ) : null}
    </>
  );
}
