/**
 * The optional file of a message (the wallet's new ticket or reply, staff's answer): PNG, JPEG or PDF, the size
 * limit in its hint, and what is wrong with a picked file in words at once (the server sniffs the bytes and says
 * why it refuses one).
 */
import { Field } from "../../components/ui";
import { useI18n } from "../../i18n";
import { ATTACHMENT_ACCEPT, MAX_ATTACHMENT_BYTES, type Problem } from "./support-logic";

export function AttachmentField({ label, onPick, problem }: { label: string; onPick: (file: File | null) => void; problem: Problem | null | undefined }) {
  const { t } = useI18n();
  return (
    <Field
      label={label}
      type="file"
      accept={ATTACHMENT_ACCEPT}
      onChange={(event) => onPick(event.target.files?.[0] ?? null)}
      error={problem ? t(problem.key, problem.params) : null}
      hint={t("support.attachmentHint", { max: MAX_ATTACHMENT_BYTES / 1024 / 1024 })}
    />
  );
}
