/** A refused staff request in words, announced at once; nothing while there is no error. */
import { useI18n } from "../../i18n";
import { staffErrorText } from "./staff-errors";

export function StaffErrorAlert({ error }: { error: unknown }) {
  const { t } = useI18n();
  if (!error) return null;
  return (
    <p className="form-error" role="alert">
      {staffErrorText(error, t)}
    </p>
  );
}
