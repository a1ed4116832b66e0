import { useWatch } from "react-hook-form";
import { DateFormField } from "../../shared/date-form-field";
import {
  allRules,
  apiLimits,
  endOfLocalDay,
  Field,
  minorOf,
  SelectInput,
  upperCase,
  useApiForm,
  useRecheckOn,
  useRules,
  wholeOf,
} from "../../shared/form";
import { Button } from "../../shared/ui";
import { api } from "../api";
import { ConsoleError, useConsoleDescribe } from "../common";
import { useMe } from "../session";
import type { PaymentLink } from "./payment-links";
import { useLinksT } from "./payment-links-messages";

/**
 * The form for a new payment link. It comes in its own chunk with the form layer, fetched when the owner asks for a
 * new link: the console's first load does not carry react-hook-form.
 */
interface LinkFields {
  amount_type: "fixed" | "customer_chooses";
  currency: string;
  unit_amount: string;
  quantity_max: string;
  amount_min: string;
  amount_max: string;
  description: string;
  max_uses: string;
  expires_at: string;
  return_url: string;
}

const newLinkFields: LinkFields = {
  amount_type: "fixed",
  currency: "USD",
  unit_amount: "",
  quantity_max: "",
  amount_min: "",
  amount_max: "",
  description: "",
  max_uses: "",
  expires_at: "",
  return_url: "",
};

/** What POST /v1/payment_links takes: the amount fields of the chosen type, and only the options filled in. */
function linkBody(values: LinkFields) {
  const { currency } = values;
  const amounts =
    values.amount_type === "fixed"
      ? { unit_amount: minorOf(values.unit_amount, currency), quantity_max: wholeOf(values.quantity_max) }
      : { amount_min: minorOf(values.amount_min, currency), amount_max: minorOf(values.amount_max, currency) };
  const options = {
    description: values.description.trim() || undefined,
    max_uses: wholeOf(values.max_uses),
    expires_at: endOfLocalDay(values.expires_at),
    return_url: values.return_url.trim() || undefined,
  };
  return {
    currency,
    amount_type: values.amount_type,
    ...Object.fromEntries(Object.entries({ ...amounts, ...options }).filter(([, value]) => value !== undefined)),
  };
}

export default function CreateLinkForm({ onCreated }: { onCreated(link: PaymentLink): void }) {
  const { t } = useLinksT();
  const me = useMe();
  const rules = useRules();
  const form = useApiForm({ defaultValues: newLinkFields, describe: useConsoleDescribe() });
  const [amountType, currency] = useWatch({ control: form.control, name: ["amount_type", "currency"] });
  useRecheckOn(form, currency, ["unit_amount", "amount_min", "amount_max"]);
  const send = async (values: LinkFields) =>
    onCreated(await api.post<PaymentLink>("/v1/payment_links", linkBody(values)));
  return (
    <form {...form.formProps} onSubmit={form.submitWith(send)}>
      <div className="form-row">
        <SelectInput form={form} name="amount_type" label={t("create.amountType")}>
          <option value="fixed">{t("create.amountType.fixed")}</option>
          <option value="customer_chooses">{t("create.amountType.customer_chooses")}</option>
        </SelectInput>
        <Field form={form} name="currency" label={t("create.currency")} rules={rules.currency()} onInput={upperCase} />
      </div>
      {amountType === "fixed" ? (
        <div className="form-row">
          <Field
            form={form}
            name="unit_amount"
            label={t("create.price", { currency })}
            inputMode="decimal"
            rules={rules.amount("currency")}
          />
          <Field
            form={form}
            name="quantity_max"
            label={t("create.quantityMax")}
            inputMode="numeric"
            hint={t("create.quantityMaxHint")}
            rules={rules.whole(apiLimits.paymentLinkQuantityMin, apiLimits.paymentLinkQuantityMax)}
          />
        </div>
      ) : (
        <div className="form-row">
          <Field
            form={form}
            name="amount_min"
            label={t("create.min", { currency })}
            inputMode="decimal"
            rules={rules.amount("currency")}
          />
          <Field
            form={form}
            name="amount_max"
            label={t("create.max", { currency })}
            inputMode="decimal"
            rules={allRules(
              rules.amount("currency"),
              rules.amountVersus("amount_min", "currency", { strictlyAbove: false, message: "rule.amount.belowMin" }),
            )}
          />
        </div>
      )}
      <Field
        form={form}
        name="description"
        label={t("create.description")}
        rules={rules.maxLength(apiLimits.paymentDescriptionCharsMax)}
      />
      <div className="form-row">
        <Field
          form={form}
          name="max_uses"
          label={t("create.maxUses")}
          inputMode="numeric"
          rules={rules.whole(1, apiLimits.paymentLinkMaxUsesMax)}
        />
        <DateFormField form={form} name="expires_at" label={t("create.expires")} rules={rules.futureDay()} />
      </div>
      <Field
        form={form}
        name="return_url"
        type="url"
        label={t("create.returnUrl")}
        rules={rules.url({ httpAllowed: !me.livemode })}
      />
      <ConsoleError error={form.error} />
      <Button type="submit" pending={form.pending}>
        {t("create.submit")}
      </Button>
    </form>
  );
}
