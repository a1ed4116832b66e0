import { useState } from "react";
import { Alert, Card } from "../../shared/ui";
import { useAction, useAsync } from "../../shared/use-async";
import { api } from "../api";
import { ConfirmButton, ConsoleError } from "../common";
import { isAdmin, useMe } from "../session";
import { useVersionT } from "./api-version-messages";

interface ApiVersionSetting {
  version: string;
  latest: string;
  upgrade_changes: { version: string; summary: string; changes: { code: string; summary: string }[] }[];
}

/**
 * The account's default API version, what an upgrade to the latest would change (the preview), and the upgrade for
 * the owner and admins. The change texts come from the API (GET /v1/console/api_version), in English: they name
 * parameters and status codes, which read the same in both languages.
 */
export function ApiVersionCard() {
  const { t } = useVersionT();
  const me = useMe();
  const setting = useAsync(() => api.get<ApiVersionSetting>("/v1/console/api_version"), []);
  const [upgradedTo, setUpgradedTo] = useState<string | null>(null);
  const upgrade = useAction(async (version: string) => {
    const after = await api.post<ApiVersionSetting>("/v1/console/api_version", { version });
    setUpgradedTo(after.version);
    setting.reload();
  });
  const value = setting.data ?? null;
  return (
    <Card title={t("version.title")}>
      {value ? (
        <>
          <p>{t("version.current", { version: value.version })}</p>
          <p className="field-hint">{t("version.explain")}</p>
          {upgradedTo ? <Alert kind="success">{t("version.upgraded", { version: upgradedTo })}</Alert> : null}
          {value.upgrade_changes.length === 0 ? (
            <p>{t("version.latest")}</p>
          ) : (
            <>
              <p>{t("version.newer", { latest: value.latest })}</p>
              {value.upgrade_changes.map((release) => (
                <section key={release.version} aria-label={release.version}>
                  <p>
                    <strong>{t("version.release", { version: release.version, summary: release.summary })}</strong>
                  </p>
                  <ul>
                    {release.changes.map((change) => (
                      <li key={change.code}>{change.summary}</li>
                    ))}
                  </ul>
                </section>
              ))}
              {isAdmin(me) ? (
                <ConfirmButton
                  label={t("version.upgrade", { latest: value.latest })}
                  confirmLabel={t("version.upgradeConfirm", { latest: value.latest })}
                  pending={upgrade.pending}
                  onConfirm={() => upgrade.run(value.latest)}
                />
              ) : (
                <p className="field-hint">{t("version.onlyAdmins")}</p>
              )}
            </>
          )}
        </>
      ) : null}
      <ConsoleError error={setting.error ?? upgrade.error} />
    </Card>
  );
}
