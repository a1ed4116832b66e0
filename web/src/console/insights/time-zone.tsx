import { useId, useState } from "react";
import { Alert, Button, TextField } from "../../shared/ui";
import { useAction } from "../../shared/use-async";
import { ConsoleError } from "../common";
import { isAdmin, useMe } from "../session";
import { saveTimeZone } from "./api";
import { useInsightsT } from "./messages";

/** The merchant's time zone: shown with the figures, and changed here by owners and admins (a merchant setting). */
function knownZones(): string[] {
  const intl = Intl as unknown as { supportedValuesOf?(key: string): string[] };
  return intl.supportedValuesOf?.("timeZone") ?? [];
}

export function TimeZoneSetting({ timeZone, onSaved }: { timeZone: string; onSaved(zone: string): void }) {
  const { t } = useInsightsT();
  const me = useMe();
  const listId = useId();
  const [editing, setEditing] = useState(false);
  const [value, setValue] = useState(timeZone);
  const [saved, setSaved] = useState<string | null>(null);
  const save = useAction(async () => {
    const answer = await saveTimeZone(value.trim());
    setEditing(false);
    setSaved(answer.time_zone);
    onSaved(answer.time_zone);
  });
  return (
    <div className="time-zone">
      <p className="field-hint">
        {t("dash.timeZoneShown", { zone: timeZone })}{" "}
        {isAdmin(me) && !editing ? (
          <Button
            variant="link"
            onClick={() => {
              setValue(timeZone);
              setSaved(null);
              setEditing(true);
            }}
          >
            {t("dash.changeTimeZone")}
          </Button>
        ) : null}
      </p>
      {saved ? <Alert kind="success">{t("dash.timeZoneSaved", { zone: saved })}</Alert> : null}
      {editing ? (
        <form
          className="form-row"
          onSubmit={(event) => {
            event.preventDefault();
            save.run();
          }}
          noValidate
        >
          <TextField
            label={t("dash.timeZone")}
            hint={t("dash.timeZoneName")}
            list={listId}
            value={value}
            onChange={(event) => setValue(event.target.value)}
          />
          <datalist id={listId}>
            {knownZones().map((zone) => (
              <option key={zone} value={zone} />
            ))}
          </datalist>
          <Button type="submit" pending={save.pending}>
            {t("dash.saveTimeZone")}
          </Button>
          <Button variant="link" onClick={() => setEditing(false)}>
            {t("dash.cancel")}
          </Button>
          <ConsoleError error={save.error} />
        </form>
      ) : null}
    </div>
  );
}
