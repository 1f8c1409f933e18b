/** The reason the audit log keeps with a staff action (the server refuses one over MAX_REASON_CHARS). */
import type { ReactNode } from "react";
import { TextAreaField } from "../../components/ui";
import { useI18n } from "../../i18n";
import { MAX_REASON_CHARS } from "./forms";

interface ReasonFieldProps {
  value: string;
  onChange(reason: string): void;
  /** What is wrong with the reason, in words. */
  error: string | null;
  hint?: ReactNode;
}

export function ReasonField({ value, onChange, error, hint }: ReasonFieldProps) {
  const { t } = useI18n();
  return (
    <TextAreaField
      label={t("backoffice.reason")}
      hint={hint}
      value={value}
      maxLength={MAX_REASON_CHARS}
      onChange={(event) => onChange(event.target.value)}
      error={error}
    />
  );
}
