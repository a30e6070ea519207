"use client";
/**
 * Inspector form plumbing: react-hook-form validated by the lvs zod schema; every valid change is
 * written to the store at once (one undo step per change), invalid input stays in the form with its
 * error inline and changes nothing.
 */
import { useTranslations } from "next-intl";
import { useEffect, useMemo, useRef, type ReactNode } from "react";
import { get, useForm, type FieldValues, type Path, type RegisterOptions, type UseFormReturn } from "react-hook-form";
import type { z } from "zod";
import { translatedResolver } from "./fieldResolver.ts";

export function useObjectForm<S extends z.ZodType<FieldValues, FieldValues>>(
  schema: S,
  value: z.output<S>,
  onValid: (v: z.output<S>) => void,
) {
  const t = useTranslations("fieldError");
  const resolver = useMemo(
    () => translatedResolver(schema, (p) => (t.has(String(p.variant) as never) ? t(String(p.variant) as never, p as never) : t("other"))),
    [schema, t],
  );
  const form = useForm<z.input<S>, unknown, z.output<S>>({
    resolver: resolver as never,
    mode: "onChange",
    values: value as z.input<S>,
    resetOptions: { keepErrors: false },
  });
  const onValidRef = useRef(onValid);
  const valueJson = useRef(JSON.stringify(value));
  useEffect(() => {
    onValidRef.current = onValid;
    valueJson.current = JSON.stringify(value);
  });
  useEffect(() => {
    const sub = form.watch((values, info) => {
      if (!info.name) return; // a reset from `values`, not the operator
      const r = schema.safeParse(values);
      // a reset (undo, reload) echoes the store's own value back: not an edit
      if (r.success && JSON.stringify(r.data) !== valueJson.current) onValidRef.current(r.data);
    });
    return () => sub.unsubscribe();
  }, [form, schema]);
  useEffect(() => {
    void form.trigger();
  }, [form]);
  return form;
}

type AnyForm = UseFormReturn<FieldValues, unknown, FieldValues>;

const input = "w-full rounded border border-slate-300 px-2 py-1 text-sm aria-[invalid=true]:border-red-500";

export function Field({ form, name, label, children }: { form: AnyForm; name: string; label: string; children: ReactNode }) {
  const error = get(form.formState.errors, name) as { message?: string } | undefined;
  return (
    <label className="block text-xs text-slate-600">
      <span className="mb-0.5 block font-medium">{label}</span>
      {children}
      {error?.message && (
        <span className="mt-0.5 block text-[11px] text-red-600" data-testid={`inspector-error-${name}`}>
          {error.message}
        </span>
      )}
    </label>
  );
}

const nullIfEmpty = (v: unknown) => (v === "" || v === undefined ? null : v);
const numberOrNull = (v: unknown) => (v === "" || v === null || v === undefined ? null : Number(v));

export function TextInput(props: { form: AnyForm; name: string; label: string; nullable?: boolean; placeholder?: string }) {
  const { form, name, nullable } = props;
  const opts: RegisterOptions = nullable ? { setValueAs: nullIfEmpty } : {};
  return (
    <Field form={form} name={name} label={props.label}>
      <input
        className={input}
        placeholder={props.placeholder}
        data-testid={`inspector-field-${name}`}
        aria-invalid={!!get(form.formState.errors, name)}
        {...form.register(name as Path<FieldValues>, opts)}
      />
    </Field>
  );
}

export function NumberInput(props: { form: AnyForm; name: string; label: string; nullable?: boolean; placeholder?: string }) {
  const { form, name, nullable } = props;
  return (
    <Field form={form} name={name} label={props.label}>
      <input
        type="number"
        className={input}
        placeholder={props.placeholder}
        data-testid={`inspector-field-${name}`}
        aria-invalid={!!get(form.formState.errors, name)}
        {...form.register(name, nullable ? { setValueAs: numberOrNull } : { valueAsNumber: true })}
      />
    </Field>
  );
}

export function SelectInput(props: {
  form: AnyForm;
  name: string;
  label: string;
  options: readonly (string | { value: string; label: string })[];
  nullable?: boolean;
}) {
  const { form, name, nullable } = props;
  return (
    <Field form={form} name={name} label={props.label}>
      <select
        className={input}
        data-testid={`inspector-field-${name}`}
        {...form.register(name, nullable ? { setValueAs: nullIfEmpty } : {})}
      >
        {nullable && <option value="">—</option>}
        {props.options.map((o) => {
          const { value, label } = typeof o === "string" ? { value: o, label: o } : o;
          return <option key={value} value={value}>{label}</option>;
        })}
      </select>
    </Field>
  );
}

export function CheckboxInput(props: { form: AnyForm; name: string; label: string }) {
  const { form, name } = props;
  const error = get(form.formState.errors, name) as { message?: string } | undefined;
  return (
    <label className="flex items-center gap-2 text-xs text-slate-700">
      <input type="checkbox" data-testid={`inspector-field-${name}`} {...form.register(name)} />
      <span>{props.label}</span>
      {error?.message && <span className="text-[11px] text-red-600" data-testid={`inspector-error-${name}`}>{error.message}</span>}
    </label>
  );
}

/** A nullable sub-object (persistence, sorry server, tunnel): a checkbox switches it on with defaults. */
export function Toggle(props: { form: AnyForm; name: string; label: string; onValue: unknown; children: ReactNode }) {
  const { form, name } = props;
  const on = form.watch(name) != null;
  return (
    <fieldset className="rounded border border-slate-200 p-2">
      <label className="flex items-center gap-2 text-xs font-medium text-slate-700">
        <input
          type="checkbox"
          checked={on}
          data-testid={`inspector-toggle-${name}`}
          onChange={(e) =>
            form.setValue(name, e.target.checked ? props.onValue : null, { shouldValidate: true, shouldDirty: true })
          }
        />
        {props.label}
      </label>
      {on && <div className="mt-2 grid grid-cols-2 gap-2">{props.children}</div>}
    </fieldset>
  );
}

/** Comma/space separated addresses ⇄ string[]. */
export function ListInput(props: { form: AnyForm; name: string; label: string }) {
  const { form, name } = props;
  return (
    <Field form={form} name={name} label={props.label}>
      <input
        className={input}
        data-testid={`inspector-field-${name}`}
        aria-invalid={!!get(form.formState.errors, name)}
        {...form.register(name, {
          setValueAs: (v: unknown) =>
            Array.isArray(v) ? v : String(v ?? "").split(/[\s,]+/).filter(Boolean),
        })}
      />
    </Field>
  );
}

export type { AnyForm };
