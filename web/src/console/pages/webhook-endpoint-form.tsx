import { allRules, apiLimits, eventsOf, Field, useApiForm, useRules } from "../../shared/form";
import { Button } from "../../shared/ui";
import { api, type WebhookEndpoint } from "../api";
import { ConsoleError, useConsoleDescribe } from "../common";
import { useT } from "../messages";
import { useMe } from "../session";

/**
 * The form for a new webhook endpoint. It comes in its own chunk with the form layer, so the console's first load
 * does not carry react-hook-form.
 */
interface EndpointFields {
  url: string;
  enabled_events: string;
  description: string;
}

const newEndpointFields: EndpointFields = { url: "", enabled_events: "*", description: "" };

export default function WebhookEndpointForm({
  onSending,
  onCreated,
}: {
  /** The rules passed and the endpoint is being made: the page hides the last one's secret. */
  onSending(): void;
  onCreated(endpoint: WebhookEndpoint): void;
}) {
  const { t } = useT();
  const me = useMe();
  const rules = useRules();
  const form = useApiForm({ defaultValues: newEndpointFields, describe: useConsoleDescribe() });
  const send = async (values: EndpointFields) => {
    onSending();
    const description = values.description.trim();
    onCreated(
      await api.post<WebhookEndpoint>("/v1/webhook_endpoints", {
        url: values.url.trim(),
        enabled_events: eventsOf(values.enabled_events),
        ...(description ? { description } : {}),
      }),
    );
    // The events are kept for the next endpoint; the address and the description are its own.
    form.resetField("url");
    form.resetField("description");
  };
  return (
    <form {...form.formProps} onSubmit={form.submitWith(send)}>
      <Field
        form={form}
        name="url"
        label={t("webhooks.url")}
        type="url"
        hint={me.livemode ? t("webhooks.urlHintLive") : t("webhooks.urlHint")}
        rules={allRules(rules.required(), rules.url({ httpAllowed: !me.livemode }))}
      />
      <Field
        form={form}
        name="enabled_events"
        label={t("webhooks.events")}
        hint={t("webhooks.eventsHint")}
        rules={rules.events()}
      />
      <Field
        form={form}
        name="description"
        label={t("webhooks.description")}
        rules={rules.maxLength(apiLimits.webhookDescriptionCharsMax)}
      />
      <ConsoleError error={form.error} />
      <Button type="submit" pending={form.pending}>
        {t("webhooks.create")}
      </Button>
    </form>
  );
}
