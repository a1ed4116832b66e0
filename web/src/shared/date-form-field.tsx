import { type FieldValues, type Path, type RegisterOptions, useController } from "react-hook-form";
import { DateField } from "./date-picker-lazy";
import type { ApiForm, FieldRules } from "./form";

/**
 * A day field of a react-hook-form form (./form.tsx) as a date picker: the form keeps the ISO day ("" for none) and
 * checks its rules on it; the picker shows the rule's or coffer's error under the field.
 */
export function DateFormField<V extends FieldValues>({
  form,
  name,
  label,
  hint,
  rules,
  min,
  max,
}: {
  form: ApiForm<V>;
  name: Path<V>;
  label: string;
  hint?: string;
  rules?: FieldRules;
  min?: string;
  max?: string;
}) {
  const { field, fieldState } = useController({
    control: form.control,
    name,
    rules: rules as Omit<RegisterOptions<V, Path<V>>, "valueAsNumber" | "valueAsDate" | "setValueAs" | "disabled">,
  });
  return (
    <DateField
      label={label}
      hint={hint}
      value={typeof field.value === "string" ? field.value : ""}
      onChange={field.onChange}
      onBlur={field.onBlur}
      error={fieldState.error?.message}
      min={min}
      max={max}
    />
  );
}
