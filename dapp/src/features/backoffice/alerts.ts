/**
 * The alert list's logic, apart from React: the filters and their query, whether an alert belongs in the
 * filtered list, how a live alert (from the stream) changes the pages already read, the words for
 * severities and kinds, and the check of a new case's title.
 */
import type { InfiniteData } from "@tanstack/react-query";
import type { MessageKey } from "../../i18n";
import type { Problem } from "./forms";
import type { Alert, AlertPage, AlertSeverity, AlertStatus } from "./staff-types";

export const ALERT_STATUSES: readonly AlertStatus[] = ["open", "acknowledged", "closed"];
export const ALERT_SEVERITIES: readonly AlertSeverity[] = ["critical", "warning", "info"];

/** The kinds backend/alerts/store.py raises (AlertKind); an unknown kind is shown as it is. */
export const ALERT_KINDS = [
  "market.volatility",
  "market.circuit_breaker",
  "feed.stale",
  "feed.deviation",
  "operator.gas_low",
  "operator.settlement_delayed",
  "operator.indexer_lag",
  "operator.ledger_difference",
  "operator.ledger_surplus",
  "operator.screening_list_stale",
  "operator.custody_call_scheduled",
  "operator.admin_not_custody",
  "aml.structuring",
  "aml.velocity",
  "aml.rapid_in_out",
  "aml.wash_trading",
  "aml.sanctioned_wallet",
  "sanctioned_deposit",
  "deep_reorg",
] as const;

export type AlertKindName = (typeof ALERT_KINDS)[number];

export const ALERT_KIND_NAMES: Record<AlertKindName, MessageKey> = {
  "market.volatility": "backoffice.alerts.kind.volatility",
  "market.circuit_breaker": "backoffice.alerts.kind.circuitBreaker",
  "feed.stale": "backoffice.alerts.kind.feedStale",
  "feed.deviation": "backoffice.alerts.kind.feedDeviation",
  "operator.gas_low": "backoffice.alerts.kind.gasLow",
  "operator.settlement_delayed": "backoffice.alerts.kind.settlementDelayed",
  "operator.indexer_lag": "backoffice.alerts.kind.indexerLag",
  "operator.ledger_difference": "backoffice.alerts.kind.ledgerDifference",
  "operator.ledger_surplus": "backoffice.alerts.kind.ledgerSurplus",
  "operator.screening_list_stale": "backoffice.alerts.kind.screeningStale",
  "operator.custody_call_scheduled": "backoffice.alerts.kind.custodyCallScheduled",
  "operator.admin_not_custody": "backoffice.alerts.kind.adminNotCustody",
  "aml.structuring": "backoffice.alerts.kind.structuring",
  "aml.velocity": "backoffice.alerts.kind.velocity",
  "aml.rapid_in_out": "backoffice.alerts.kind.rapidInOut",
  "aml.wash_trading": "backoffice.alerts.kind.washTrading",
  "aml.sanctioned_wallet": "backoffice.alerts.kind.sanctionedWallet",
  sanctioned_deposit: "backoffice.alerts.kind.sanctionedDeposit",
  deep_reorg: "backoffice.alerts.kind.deepReorg",
};

export const SEVERITY_NAMES: Record<AlertSeverity, MessageKey> = {
  info: "backoffice.alerts.severity.info",
  warning: "backoffice.alerts.severity.warning",
  critical: "backoffice.alerts.severity.critical",
};

export const ALERT_STATUS_NAMES: Record<AlertStatus, MessageKey> = {
  open: "backoffice.alerts.status.open",
  acknowledged: "backoffice.alerts.status.acknowledged",
  closed: "backoffice.alerts.status.closed",
};

export function isKnownKind(kind: string): kind is AlertKindName {
  return (ALERT_KINDS as readonly string[]).includes(kind);
}

/** The list's filters; "" means any. */
export interface AlertFilter {
  status: AlertStatus | "";
  severity: AlertSeverity | "";
  kind: string;
}

export const DEFAULT_ALERT_FILTER: AlertFilter = { status: "open", severity: "", kind: "" };

/** The filter as GET /v1/staff/alerts query parameters (empty ones left out). */
export function alertQuery(filter: AlertFilter): Record<string, string> {
  const query: Record<string, string> = {};
  if (filter.status) query.status = filter.status;
  if (filter.severity) query.severity = filter.severity;
  if (filter.kind) query.kind = filter.kind;
  return query;
}

export function alertMatches(alert: Alert, filter: AlertFilter): boolean {
  return (
    (!filter.status || alert.status === filter.status) &&
    (!filter.severity || alert.severity === filter.severity) &&
    (!filter.kind || alert.kind === filter.kind)
  );
}

/**
 * The list's pages once `alert` (new, repeated or changed) is known: replaced where it is, dropped when it no
 * longer matches the filter (closed while the list shows open ones), or put first when it is new and matches.
 */
export function mergeAlert(data: InfiniteData<AlertPage, string | null> | undefined, alert: Alert, filter: AlertFilter) {
  if (!data) return data;
  const matches = alertMatches(alert, filter);
  let found = false;
  const pages = data.pages.map((page) => {
    if (!page.alerts.some((a) => a.id === alert.id)) return page;
    found = true;
    return { ...page, alerts: matches ? page.alerts.map((a) => (a.id === alert.id ? alert : a)) : page.alerts.filter((a) => a.id !== alert.id) };
  });
  if (!found && matches && pages[0]) pages[0] = { ...pages[0], alerts: [alert, ...pages[0].alerts] };
  return { ...data, pages };
}

const SEVERITIES = new Set<string>(ALERT_SEVERITIES);
const STATUSES = new Set<string>(ALERT_STATUSES);

/** The alert an `alert` event of the stream carries, or null for anything that is not one. */
export function parseAlertEvent(data: unknown): Alert | null {
  if (typeof data !== "string") return null;
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    return null;
  }
  if (typeof value !== "object" || value === null) return null;
  const alert = value as Partial<Alert>;
  const valid =
    typeof alert.id === "number" &&
    typeof alert.kind === "string" &&
    typeof alert.message === "string" &&
    typeof alert.severity === "string" &&
    SEVERITIES.has(alert.severity) &&
    typeof alert.status === "string" &&
    STATUSES.has(alert.status);
  return valid ? (value as Alert) : null;
}

export const MAX_CASE_TITLE_CHARS = 200;

export function caseTitleProblem(title: string): Problem | null {
  const text = title.trim();
  if (!text) return { key: "backoffice.cases.titleRequired" };
  if (text.length > MAX_CASE_TITLE_CHARS) return { key: "backoffice.error.reasonTooLong", params: { max: MAX_CASE_TITLE_CHARS } };
  return null;
}

/** A case's title proposed from the alerts it is opened from: the first one's kind and subject. */
export function suggestedCaseTitle(alerts: readonly Alert[], kindName: (kind: string) => string): string {
  const first = alerts[0];
  if (!first) return "";
  const subject = first.subject ? `: ${first.subject}` : "";
  const more = alerts.length > 1 ? ` (+${alerts.length - 1})` : "";
  return `${kindName(first.kind)}${subject}${more}`;
}
