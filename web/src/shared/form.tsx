import {
  type BaseSyntheticEvent,
  type FormEvent,
  type InputHTMLAttributes,
  type ReactNode,
  type RefObject,
  useCallback,
  useEffect,
  useId,
  useMemo,
  useRef,
  useState,
} from "react";
import {
  type DefaultValues,
  type FieldErrors,
  type FieldValues,
  type Path,
  type RegisterOptions,
  type UseFormReturn,
  useForm,
} from "react-hook-form";
import { ApiRequestError } from "./api";
import { amountMinorMax, apiLimits } from "./api-limits";
import { type FormMessageKey, useFormMessages } from "./form-messages";
import { currencyExponent, parseMoney } from "./money";
import { parsePercent } from "./percent";
import { FieldNotes } from "./ui";

/**
 * Forms with validation on react-hook-form (docs/adr/0030): inputs stay uncontrolled (typing re-renders nothing),
 * each field has client rules on top of the browser's own constraints (required, maxLength on the element), and a
 * refusal from coffer whose `param` names a field shows on that field. Nothing is sent while a rule fails; focus goes
 * to the first field in error, in the order the reader sees them. Import this only from lazily loaded page chunks:
 * react-hook-form is not part of any app's first load.
 */

const bytesPerMegabyte = 1024 * 1024;

export { apiLimits };

type Values = Record<string, unknown>;
type Check = (value: unknown, values: Values) => string | true;

/** A field's rules as the builders of useRules() make them; several are merged with allRules(). */
export interface FieldRules {
  required?: string;
  maxLength?: { value: number; message: string };
  validate?: Record<string, Check>;
}

export function allRules(...rules: FieldRules[]): FieldRules {
  const merged: FieldRules = {};
  for (const rule of rules) {
    if (rule.required) merged.required ??= rule.required;
    if (rule.maxLength) merged.maxLength = rule.maxLength;
    if (rule.validate) merged.validate = { ...merged.validate, ...rule.validate };
  }
  return merged;
}

const text = (value: unknown) => (typeof value === "string" ? value.trim() : "");

/** A money field's text in minor units ("12.50", "USD" → "1250"); undefined when empty (the rules refused the rest). */
export function minorOf(value: unknown, currency: string): string | undefined {
  const parsed = parseMoney(text(value), currency);
  return parsed.ok ? parsed.minor : undefined;
}

/** A whole-number field's value; undefined when empty. */
export function wholeOf(value: unknown): number | undefined {
  return text(value) === "" ? undefined : Number(text(value));
}

/** The end of a local day ("2027-01-31") in Unix seconds: an offer "until" a day holds all that day. */
export function endOfLocalDay(day: unknown): number | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text(day));
  if (!match) return undefined;
  return Math.floor(new Date(Number(match[1]), Number(match[2]) - 1, Number(match[3]) + 1).getTime() / 1000) - 1;
}

const promotionCode = new RegExp(
  `^[A-Za-z0-9][A-Za-z0-9_-]{${apiLimits.promotionCodeCharsMin - 1},${apiLimits.promotionCodeCharsMax - 1}}$`,
);
const currencyCode = /^[A-Z][A-Z0-9]{2,9}$/;
const eventPattern = /^(\*|[a-z][a-z0-9_]*\.\*|[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+)$/;

/** The comma-separated event types of a webhook endpoint's field, without blanks and repeats. */
export function eventsOf(value: unknown): string[] {
  return [
    ...new Set(
      String(value ?? "")
        .split(",")
        .map((event) => event.trim())
        .filter(Boolean),
    ),
  ];
}

/** The client rules, worded in the reader's language. */
export function useRules() {
  const { t } = useFormMessages();
  return useMemo(() => {
    const say = (key: FormMessageKey, values?: Record<string, string | number>) => t(key, values);
    const amountProblem = (value: unknown, currency: string): string | true => {
      const parsed = parseMoney(text(value), currency);
      if (parsed.ok) return BigInt(parsed.minor) > amountMinorMax ? say("rule.amount.tooLarge") : true;
      if (parsed.reason === "precision") {
        return say("rule.amount.precision", { currency, digits: currencyExponent(currency) });
      }
      return say(`rule.amount.${parsed.reason}`);
    };
    return {
      required: (): FieldRules => ({
        required: say("rule.required"),
        validate: { blank: (value) => text(value) !== "" || say("rule.required") },
      }),
      maxLength: (max: number): FieldRules => ({ maxLength: { value: max, message: say("rule.maxLength", { max }) } }),
      /** An amount in the currency the form's `currencyField` holds: digits, positive, no more decimals than it has. */
      amount: (currencyField: string, { optional = false } = {}): FieldRules => ({
        ...(optional ? {} : { required: say("rule.amount.empty") }),
        validate: {
          amount: (value, values) =>
            (optional && text(value) === "") || amountProblem(value, String(values[currencyField] ?? "")),
        },
      }),
      /** An amount that must be at least (or above) another field's, when both are amounts. */
      amountVersus: (
        other: string,
        currencyField: string,
        { strictlyAbove, message }: { strictlyAbove: boolean; message: FormMessageKey },
      ): FieldRules => ({
        validate: {
          versus: (value, values) => {
            const currency = String(values[currencyField] ?? "");
            const mine = minorOf(value, currency);
            const theirs = minorOf(values[other], currency);
            if (mine === undefined || theirs === undefined) return true;
            const ok = strictlyAbove ? BigInt(mine) > BigInt(theirs) : BigInt(mine) >= BigInt(theirs);
            return ok || say(message);
          },
        },
      }),
      /** An optional whole number from min to max (the API's integer ranges). */
      whole: (min: number, max: number): FieldRules => ({
        validate: {
          whole: (value) => {
            if (text(value) === "") return true;
            const ok = /^\d+$/.test(text(value)) && Number(text(value)) >= min && Number(text(value)) <= max;
            return ok || say("rule.whole", { min, max });
          },
        },
      }),
      percent: (): FieldRules => ({
        required: say("rule.percent"),
        validate: { percent: (value) => parsePercent(text(value)) !== undefined || say("rule.percent") },
      }),
      currency: (): FieldRules => ({
        required: say("rule.currency"),
        validate: { currency: (value) => currencyCode.test(text(value)) || say("rule.currency") },
      }),
      /** An optional promotion code as coffer takes it (matched without regard to case). */
      promotionCode: (): FieldRules => ({
        maxLength: { value: apiLimits.promotionCodeCharsMax, message: say("rule.code") },
        validate: { code: (value) => text(value) === "" || promotionCode.test(text(value)) || say("rule.code") },
      }),
      /** An optional day ("2027-01-31") that has not ended yet. */
      futureDay: (): FieldRules => ({
        validate: {
          futureDay: (value) => {
            const end = endOfLocalDay(value);
            return end === undefined || end * 1000 > Date.now() || say("rule.futureDay");
          },
        },
      }),
      /** An optional absolute URL: https only where coffer requires it (live mode), http too in test mode. */
      url: ({ httpAllowed }: { httpAllowed: boolean }): FieldRules => ({
        maxLength: { value: apiLimits.urlCharsMax, message: say("rule.maxLength", { max: apiLimits.urlCharsMax }) },
        validate: {
          url: (value) => {
            if (text(value) === "") return true;
            const message = httpAllowed ? say("rule.urlOrHttp") : say("rule.url");
            try {
              const url = new URL(text(value));
              const protocols = httpAllowed ? ["https:", "http:"] : ["https:"];
              return (protocols.includes(url.protocol) && !url.username && !url.password) || message;
            } catch {
              return message;
            }
          },
        },
      }),
      events: (): FieldRules => ({
        required: say("rule.events"),
        validate: {
          events: (value) => {
            const events = eventsOf(value);
            if (events.length === 0) return say("rule.events");
            if (events.length > apiLimits.webhookEventsMax) {
              return say("rule.eventsTooMany", { max: apiLimits.webhookEventsMax });
            }
            const ok = events.every(
              (event) => event.length <= apiLimits.webhookEventCharsMax && eventPattern.test(event),
            );
            return ok || say("rule.events");
          },
        },
      }),
      /** An optional file of one of `types`, at most `bytesMax`. */
      file: (types: readonly string[], bytesMax: number): FieldRules => ({
        validate: {
          file: (value) => {
            const file = (value as FileList | null | undefined)?.[0];
            if (!file) return true;
            if (!types.includes(file.type)) return say("rule.file.type");
            return file.size <= bytesMax || say("rule.file.size", { max: bytesMax / bytesPerMegabyte });
          },
        },
      }),
      /** A rule of the page's own, with one of this layer's texts. */
      custom: (name: string, check: (value: unknown, values: Values) => boolean, message: FormMessageKey) => ({
        validate: { [name]: (value: unknown, values: Values) => check(value, values) || say(message) },
      }),
    };
  }, [t]);
}

export type Rules = ReturnType<typeof useRules>;

export interface ApiFormOptions<V extends FieldValues> {
  /** Every field's starting text: a param is matched to a field by these names. */
  defaultValues: DefaultValues<V>;
  /** A refusal in the reader's words (the page's texts for the code, else coffer's message). */
  describe(error: ApiRequestError): string;
  /** Params that name a field of another name ({ amount_off: "value" }); a field named as its param needs none. */
  params?: Record<string, Path<V>>;
}

export type ApiForm<V extends FieldValues> = UseFormReturn<V> & {
  /** A submit handler: checks the rules, then sends; a refusal lands on its field or in `error`. */
  submitWith(send: (values: V) => Promise<unknown>): (event?: BaseSyntheticEvent) => Promise<void>;
  /** True while sending: the submit buttons are disabled, so a slow request is sent once. */
  pending: boolean;
  /** A refusal that names no field of the form (or no answer at all), for the form's alert. */
  error: ApiRequestError | null;
  /** For the <form>: the browser's bubbles off (the fields say more, in the reader's language) and the focus's ref. */
  formProps: { ref: RefObject<HTMLFormElement | null>; noValidate: true };
};

function asApiError(error: unknown): ApiRequestError {
  if (error instanceof ApiRequestError) return error;
  return new ApiRequestError(0, { type: "api_error", code: "unexpected", message: String(error) });
}

/** The field a param names: itself, its first part ("attachments.0.content_type") or its last ("evidence.explanation"). */
function fieldOf(param: string | null, fields: Values, aliases: Record<string, string>): string | null {
  if (!param) return null;
  const parts = param.split(/[.[\]]+/).filter(Boolean);
  for (const candidate of [param, parts[0], parts[parts.length - 1]]) {
    if (candidate === undefined) continue;
    const field = aliases[candidate] ?? candidate;
    if (Object.hasOwn(fields, field)) return field;
  }
  return null;
}

export function useApiForm<V extends FieldValues>({ defaultValues, describe, params }: ApiFormOptions<V>): ApiForm<V> {
  const form = useForm<V>({
    defaultValues,
    mode: "onSubmit",
    reValidateMode: "onChange",
    // Focus follows the page's order, not the order fields registered in (see focusFirst).
    shouldFocusError: false,
    // The rules' required and maxLength go on the elements too, for assistive technology and typing.
    progressive: true,
  });
  const formRef = useRef<HTMLFormElement>(null);
  const [error, setError] = useState<ApiRequestError | null>(null);
  const { handleSubmit, getValues, setError: setFieldError, setFocus } = form;
  const focusFirst = useCallback(
    (names: readonly string[]) => {
      const elements = Array.from(formRef.current?.elements ?? []) as HTMLInputElement[];
      const first = elements.find((element) => names.includes(element.name));
      // A field with no named element (a picker of its own) takes focus through its registered ref.
      if (first) first.focus();
      else if (names[0]) setFocus(names[0] as Path<V>);
    },
    [setFocus],
  );
  const submitWith = useCallback(
    (send: (values: V) => Promise<unknown>) =>
      handleSubmit(
        async (values) => {
          setError(null);
          try {
            await send(values);
          } catch (caught) {
            const refusal = asApiError(caught);
            const field = fieldOf(refusal.param, getValues() as Values, params ?? {});
            if (!field) return setError(refusal);
            setFieldError(field as Path<V>, { type: "server", message: describe(refusal) });
            focusFirst([field]);
          }
        },
        (errors: FieldErrors<V>) => {
          setError(null);
          focusFirst(Object.keys(errors));
        },
      ),
    [handleSubmit, getValues, setFieldError, describe, params, focusFirst],
  );
  return {
    ...form,
    submitWith,
    pending: form.formState.isSubmitting,
    error,
    formProps: { ref: formRef, noValidate: true },
  };
}

/**
 * Rules of `fields` read another field's `value` (a discount's kind, a currency): once the form was submitted, a change
 * of it checks them again, so no error written for the old value stays under them.
 */
export function useRecheckOn<V extends FieldValues>(form: ApiForm<V>, value: unknown, fields: readonly Path<V>[]) {
  const seen = useRef(value);
  const { trigger, formState } = form;
  useEffect(() => {
    if (Object.is(seen.current, value)) return;
    seen.current = value;
    if (formState.isSubmitted) void trigger([...fields]);
  });
}

/** Currency codes are upper-case: what is typed is shown and kept that way. */
export function upperCase(event: FormEvent<HTMLInputElement>) {
  const input = event.currentTarget;
  input.value = input.value.toUpperCase();
}

function useDescribedBy(hint: ReactNode, error: string | undefined) {
  const id = useId();
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  return {
    id,
    hintId,
    errorId,
    aria: {
      "aria-invalid": error ? true : undefined,
      "aria-describedby": [hintId, errorId].filter(Boolean).join(" ") || undefined,
    },
  };
}

interface FieldProps<V extends FieldValues> {
  form: ApiForm<V>;
  name: Path<V>;
  label: string;
  hint?: ReactNode;
  rules?: FieldRules;
}

function useField<V extends FieldValues>({ form, name, hint, rules }: FieldProps<V>) {
  const error = form.getFieldState(name, form.formState).error?.message;
  const described = useDescribedBy(hint, error);
  const registered = form.register(name, rules as RegisterOptions<V, Path<V>>);
  return { error, ...described, control: { id: described.id, ...described.aria, ...registered } };
}

/** A labelled input (or, `multiline`, a text area) with its hint and its error, wired for screen readers. */
export function Field<V extends FieldValues>({
  form,
  name,
  label,
  hint,
  rules,
  multiline,
  ...input
}: FieldProps<V> & { multiline?: boolean } & Omit<InputHTMLAttributes<HTMLInputElement>, "form" | "name">) {
  const field = useField({ form, name, label, hint, rules });
  return (
    <div className="field">
      <label htmlFor={field.id}>{label}</label>
      {multiline ? <textarea rows={4} {...field.control} /> : <input {...input} {...field.control} />}
      <FieldNotes hint={hint} hintId={field.hintId} error={field.error} errorId={field.errorId} />
    </div>
  );
}

/** A labelled select of the form. */
export function SelectInput<V extends FieldValues>({ children, ...props }: FieldProps<V> & { children: ReactNode }) {
  const field = useField(props);
  return (
    <div className="field">
      <label htmlFor={field.id}>{props.label}</label>
      <select {...field.control}>{children}</select>
      <FieldNotes hint={props.hint} hintId={field.hintId} error={field.error} errorId={field.errorId} />
    </div>
  );
}

/** A checkbox of the form, its label beside it. */
export function CheckboxInput<V extends FieldValues>(props: FieldProps<V>) {
  const field = useField(props);
  return (
    <div className="field">
      <label>
        <input type="checkbox" {...field.control} /> {props.label}
      </label>
      <FieldNotes hint={props.hint} hintId={field.hintId} error={field.error} errorId={field.errorId} />
    </div>
  );
}
