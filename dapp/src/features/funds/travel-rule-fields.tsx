/**
 * The sender's name and address a withdrawal at or above the travel-rule threshold carries (see
 * travel-rule.ts). Shown by the funds panel only when the amount typed is worth that much.
 */
import { useId, useMemo } from "react";
import { Field, SelectField } from "../../components/ui";
import { useI18n, type MessageKey } from "../../i18n";
import { countryOptions } from "../../lib/countries";
import type { TravelRuleDraft, TravelRuleField, TravelRuleProblems } from "./travel-rule";

const LABELS: Record<TravelRuleField, MessageKey> = {
  familyName: "funds.travelRule.familyName",
  givenNames: "funds.travelRule.givenNames",
  street: "funds.travelRule.street",
  postCode: "funds.travelRule.postCode",
  town: "funds.travelRule.town",
  country: "funds.travelRule.country",
};

const TEXT_FIELDS = ["familyName", "givenNames", "street", "postCode", "town"] as const;

interface Props {
  draft: TravelRuleDraft;
  onChange: (draft: TravelRuleDraft) => void;
  /** The threshold in words ("1,000 USDC"). */
  threshold: string;
  /** The problems to show (after a withdrawal was attempted), else an empty object. */
  problems: TravelRuleProblems;
}

export function TravelRuleFields({ draft, onChange, threshold, problems }: Props) {
  const { t, locale } = useI18n();
  const ids = useId();
  const countries = useMemo(() => countryOptions(locale), [locale]);
  const problemText = (field: TravelRuleField) => {
    const problem = problems[field];
    if (problem === "required") return t("funds.travelRule.required");
    return problem === "country" ? t("funds.travelRule.badCountry") : null;
  };
  const set = (field: TravelRuleField, value: string) => onChange({ ...draft, [field]: value });

  return (
    <fieldset className="funds__travel-rule" aria-describedby={`${ids}-why`}>
      <legend>{t("funds.travelRule.title")}</legend>
      <p id={`${ids}-why`} className="muted funds__note">
        {t("funds.travelRule.why", { threshold })}
      </p>
      {TEXT_FIELDS.map((field) => (
        <Field
          key={field}
          label={t(LABELS[field])}
          autoComplete={AUTOCOMPLETE[field]}
          value={draft[field]}
          onChange={(event) => set(field, event.target.value)}
          error={problemText(field)}
          required={field !== "givenNames" && field !== "postCode"}
        />
      ))}
      <SelectField
        label={t(LABELS.country)}
        value={draft.country}
        onChange={(event) => set("country", event.target.value)}
        options={countries}
        placeholder={t("funds.travelRule.chooseCountry")}
        error={problemText("country")}
        required
      />
    </fieldset>
  );
}

const AUTOCOMPLETE: Record<(typeof TEXT_FIELDS)[number], string> = {
  familyName: "family-name",
  givenNames: "given-name",
  street: "street-address",
  postCode: "postal-code",
  town: "address-level2",
};
