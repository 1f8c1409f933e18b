/** A button that copies a long value (a transaction hash) shown cut short beside it; the toast says whether it went. */
import { useToast } from "../../components/ui";
import { useI18n } from "../../i18n";

export function CopyButton({ text, label }: { text: string; label: string }) {
  const { t } = useI18n();
  const toast = useToast();

  async function copy() {
    try {
      await navigator.clipboard.writeText(text);
      toast.show({ kind: "success", title: t("backoffice.copied") });
    } catch {
      // No clipboard (an insecure origin, or the permission refused): the value is still in the button's name.
      toast.show({ kind: "error", title: t("backoffice.copyFailed") });
    }
  }

  return (
    <button type="button" className="button button--small button--ghost" aria-label={label} onClick={() => void copy()}>
      {t("backoffice.copy")}
    </button>
  );
}
