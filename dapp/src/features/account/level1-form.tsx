/** "Level 1: identity data": legal name, date of birth, country and postal address, checked in words. */
import { useMemo, useState, type FormEvent } from "react";
import { Field, SelectField, useToast } from "../../components/ui";
import { useI18n } from "../../i18n";
import { ApiError } from "../../lib/api-client";
import { countryOptions } from "../../lib/countries";
import { accountErrorText } from "./error-text";
import { accountApi, useSubmitKyc, type Level1Data } from "./account-api";
import { KycFormHeading } from "./kyc-form-heading";
import { FORM_HEADING_IDS } from "./kyc-steps";
import { EMPTY_LEVEL1, level1Body, level1Problems, type Level1Field, type Level1Form as Level1Values } from "./validation";

/** The form field an API error names (`address.line1` -> `line1`), if it is one of ours. */
export function level1FieldOf(field: string | null): Level1Field | null {
  const name = field?.replace(/^(body\.)?(address\.)?/, "") ?? "";
  return name in EMPTY_LEVEL1 ? (name as Level1Field) : null;
}

export function Level1Form({ address, country, rejection }: { address: string; country: string | null; rejection: string | null }) {
  const { t, locale } = useI18n();
  const toast = useToast();
  const [form, setForm] = useState<Level1Values>({ ...EMPTY_LEVEL1, country: country ?? "" });
  const [attempted, setAttempted] = useState(false);
  const submit = useSubmitKyc<Level1Data>(address, accountApi.submitLevel1);
  const countries = useMemo(() => countryOptions(locale), [locale]);

  const problems = level1Problems(form, new Date());
  const serverField = submit.error instanceof ApiError ? level1FieldOf(submit.error.field) : null;
  const errorOf = (field: Level1Field): string | null => {
    const problem = attempted ? problems[field] : undefined;
    if (problem) return t(problem.key, problem.params);
    return serverField === field && submit.error ? accountErrorText(submit.error, t) : null;
  };
  const bind = (field: Level1Field) => ({
    value: form[field],
    error: errorOf(field),
    onChange: (event: { target: { value: string } }) => setForm({ ...form, [field]: event.target.value }),
  });

  function send(event: FormEvent) {
    event.preventDefault();
    setAttempted(true);
    if (Object.keys(problems).length > 0) return;
    submit.mutate(level1Body(form), {
      onSuccess: () => toast.show({ kind: "success", title: t("kyc.submitted"), body: t("kyc.submittedBody") }),
    });
  }

  return (
    <form className="account-form" onSubmit={send} noValidate aria-labelledby={FORM_HEADING_IDS[1]}>
      <KycFormHeading level={1} rejection={rejection} />
      <Field label={t("kyc.legalName")} autoComplete="name" maxLength={200} {...bind("legalName")} />
      <Field label={t("kyc.dateOfBirth")} type="date" autoComplete="bday" max={new Date().toISOString().slice(0, 10)} hint={t("kyc.dateOfBirthHint")} {...bind("dateOfBirth")} />
      <SelectField label={t("kyc.country")} options={countries} placeholder={t("kyc.chooseCountry")} autoComplete="country" {...bind("country")} />
      <Field label={t("kyc.line1")} autoComplete="address-line1" maxLength={200} {...bind("line1")} />
      <Field label={t("kyc.line2")} autoComplete="address-line2" maxLength={200} {...bind("line2")} />
      <div className="account-form__row">
        <Field label={t("kyc.city")} autoComplete="address-level2" maxLength={100} {...bind("city")} />
        <Field label={t("kyc.postalCode")} autoComplete="postal-code" maxLength={20} {...bind("postalCode")} />
      </div>
      <Field label={t("kyc.region")} autoComplete="address-level1" maxLength={100} {...bind("region")} />
      <div className="account-form__actions">
        <button type="submit" className="button button--primary" disabled={submit.isPending}>
          {submit.isPending ? t("common.sending") : t("kyc.level1.submit")}
        </button>
      </div>
      {submit.error && !serverField ? (
        <p className="form-error" role="alert">
          {accountErrorText(submit.error, t)}
        </p>
      ) : null}
    </form>
  );
}
