/** An alert's kind and severity in words (the severity's colour is only a second cue). */
import { useI18n } from "../../i18n";
import { ALERT_KIND_NAMES, isKnownKind, SEVERITY_NAMES } from "./alerts";
import type { AlertSeverity } from "./staff-types";

/** An alert's kind in words (an unknown kind as the server names it). */
export function useKindName(): (kind: string) => string {
  const { t } = useI18n();
  return (kind) => (isKnownKind(kind) ? t(ALERT_KIND_NAMES[kind]) : kind);
}

export function SeverityBadge({ severity }: { severity: AlertSeverity }) {
  const { t } = useI18n();
  return <span className={`severity severity--${severity}`}>{t(SEVERITY_NAMES[severity])}</span>;
}
