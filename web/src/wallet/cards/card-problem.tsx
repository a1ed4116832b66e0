import { ApiRequestError } from "../../shared/api";
import { Problem } from "../components";
import { type CardMessageKey, useCardT } from "./messages";

/** An API error on a card page: the card's own wording when it has one (a card is not a wallet), else the wallet's. */
export function CardProblem({ error }: { error: unknown }) {
  const { t } = useCardT();
  if (!error) return null;
  if (error instanceof ApiRequestError) {
    const key = `error.${error.code}` as CardMessageKey;
    const known = t(key);
    if (known !== key) {
      return (
        <div className="alert alert-error" role="alert">
          {known} <code className="error-code">{error.code}</code>
        </div>
      );
    }
  }
  return <Problem error={error} />;
}
