import { FeedbackForm, type FeedbackRequest } from "../../shared/feedback-form";
import { Spinner } from "../../shared/ui";
import { useAsync } from "../../shared/use-async";
import { Problem } from "../components";
import { useT } from "../messages";
import { useSession } from "../session";

/**
 * Rating a paid payment from the wallet (docs/feedback.md): the payer's own session (an account or a prepaid card)
 * reads whether it can still be rated and sends the rating once. Loaded with the payment page when it is paid.
 */
export default function PaymentFeedback({ id }: { id: string }) {
  const { t } = useT();
  const { api } = useSession();
  const path = `/v1/wallet/payments/${encodeURIComponent(id)}/feedback`;
  const request = useAsync(() => api.get<FeedbackRequest>(path), [api, path]);
  if (!request.data) {
    return request.status === "error" ? <Problem error={request.error} /> : <Spinner label={t("loading")} />;
  }
  return <FeedbackForm request={request.data} send={(body) => api.post<FeedbackRequest>(path, body)} />;
}
