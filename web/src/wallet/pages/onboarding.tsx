import { useState } from "react";
import { HelpButton } from "../../shared/help";
import { Link, navigate } from "../../shared/router";
import { Button, Card } from "../../shared/ui";
import { useSecurityT } from "../security-messages";
import { paths } from "../session";

/**
 * The first-use guide: how to pay by scanning and by showing the code, why the payment code must never be shared,
 * and how limits and identity tiers work. Home offers it until the person finishes or skips it (remembered in this
 * browser).
 */
const seenKey = "coffer.wallet.onboarded";

function seen(): boolean {
  try {
    return globalThis.localStorage?.getItem(seenKey) === "1";
  } catch {
    return true;
  }
}

function markSeen(): void {
  try {
    localStorage.setItem(seenKey, "1");
  } catch {
    // Without storage the card shows again next time; nothing else depends on it.
  }
}

/** Each step, and the help centre's article that says more about it (its "?"). */
const steps = [
  ["welcome.scan.title", "welcome.scan.text", "pay-by-scanning"],
  ["welcome.show.title", "welcome.show.text", "payment-code"],
  ["welcome.secret.title", "welcome.secret.text", "recognising-scams"],
  ["welcome.limits.title", "welcome.limits.text", "limits-and-tiers"],
] as const;

/** On home, until seen: an invitation to the guide. */
export function WelcomeCard() {
  const { t } = useSecurityT();
  const [hidden, setHidden] = useState(seen);
  if (hidden) return null;
  return (
    <Card title={t("welcome.card.title")}>
      <p>{t("welcome.card.text")}</p>
      <div className="button-row">
        <Link to={paths.welcome} className="button button-primary">
          {t("welcome.card.start")}
        </Link>
        <Button
          variant="link"
          onClick={() => {
            markSeen();
            setHidden(true);
          }}
        >
          {t("welcome.card.skip")}
        </Button>
      </div>
    </Card>
  );
}

export function WelcomePage() {
  const { t } = useSecurityT();
  const [index, setIndex] = useState(0);
  const [title, text, article] = steps[index]!;
  const last = index === steps.length - 1;
  return (
    <>
      <h1>{t("welcome.title")}</h1>
      <Card>
        <p className="field-hint">{t("welcome.step", { n: index + 1, total: steps.length })}</p>
        <div className="heading-with-help">
          <h2>{t(title)}</h2>
          <HelpButton slug={article} />
        </div>
        <p>{t(text)}</p>
        <div className="button-row">
          {index > 0 ? (
            <Button variant="secondary" onClick={() => setIndex(index - 1)}>
              {t("welcome.back")}
            </Button>
          ) : null}
          {last ? (
            <Button
              onClick={() => {
                markSeen();
                navigate(paths.home, { replace: true });
              }}
            >
              {t("welcome.done")}
            </Button>
          ) : (
            <Button onClick={() => setIndex(index + 1)}>{t("welcome.next")}</Button>
          )}
        </div>
      </Card>
    </>
  );
}
