/**
 * Checks of what staff type, in words, before a request: a reason for every action (the audit log keeps
 * it), a wallet address, limit overrides in the reference token's units (bigint, never floats), and the
 * audit log's filters. The server checks again.
 */
import type { MessageKey, MessageParams } from "../../i18n";
import { formatUnits, parseUnits } from "../../lib/format";
import type { LimitOverride } from "./staff-types";

export interface Problem {
  key: MessageKey;
  params?: MessageParams;
}

export const MAX_REASON_CHARS = 500; // backend/api/routes/staff.py `Reason`

export function reasonProblem(reason: string, required = true): Problem | null {
  const text = reason.trim();
  if (!text) return required ? { key: "backoffice.error.reasonRequired" } : null;
  if (text.length > MAX_REASON_CHARS) return { key: "backoffice.error.reasonTooLong", params: { max: MAX_REASON_CHARS } };
  return null;
}

// What the server takes as an e-mail address (backend/mail/addresses.py `EMAIL`): local@domain.tld, no spaces,
// quotes, brackets or control characters.
const EMAIL_PART = String.raw`[^@\s<>"'()[\]\\,;:\u0000-\u001f\u007f]+`;
const EMAIL = new RegExp(`^${EMAIL_PART}@${EMAIL_PART}\\.${EMAIL_PART}$`);
export const MAX_EMAIL_CHARS = 254;

export function emailProblem(email: string): Problem | null {
  const text = email.trim();
  if (!text) return { key: "backoffice.signIn.emailRequired" };
  return text.length <= MAX_EMAIL_CHARS && EMAIL.test(text) ? null : { key: "backoffice.error.field.email" };
}

/** The people a piece of work may be given to: the server's list, and whoever has it now even if no longer on it. */
export function assigneeChoices(people: readonly string[], current: string | null): string[] {
  return [...new Set([...people, ...(current ? [current] : [])])];
}

export function addressProblem(address: string): Problem | null {
  return /^0x[0-9a-fA-F]{40}$/.test(address.trim()) ? null : { key: "backoffice.error.address" };
}

export type OverrideField = "withdrawalDaily" | "withdrawal30d" | "maxOrderNotional";
export const OVERRIDE_FIELDS: readonly OverrideField[] = ["withdrawalDaily", "withdrawal30d", "maxOrderNotional"];

/** The form's text per limit: "" means the level's default. */
export type OverrideForm = Record<OverrideField, string> & { reason: string };

/** The form as it starts: each overridden limit's current figure in human units, the others empty. */
export function overrideForm(limits: Record<OverrideField, string>, overridden: readonly string[], decimals: number): OverrideForm {
  const text = (field: OverrideField) =>
    overridden.includes(field) ? formatUnits(limits[field], decimals, { locale: "en-US" }).replace(/,/g, "") : "";
  return { withdrawalDaily: text("withdrawalDaily"), withdrawal30d: text("withdrawal30d"), maxOrderNotional: text("maxOrderNotional"), reason: "" };
}

export type OverrideResult =
  | { ok: true; body: LimitOverride }
  | { ok: false; problems: Partial<Record<OverrideField | "reason", Problem>> };

/** The PUT body (base units as decimal strings, null = the level's default), or each field's problem. */
export function overrideBody(form: OverrideForm, decimals: number): OverrideResult {
  const problems: Partial<Record<OverrideField | "reason", Problem>> = {};
  const values: Partial<Record<OverrideField, string | null>> = {};
  for (const field of OVERRIDE_FIELDS) {
    const text = form[field].trim();
    if (text === "") {
      values[field] = null;
      continue;
    }
    const parsed = parseUnits(text, decimals);
    if (parsed.ok) values[field] = parsed.value.toString();
    else
      problems[field] =
        parsed.reason === "precision" ? { key: "backoffice.error.tooPrecise", params: { decimals } } : { key: "backoffice.error.amount" };
  }
  const reason = reasonProblem(form.reason);
  if (reason) problems.reason = reason;
  if (Object.keys(problems).length > 0) return { ok: false, problems };
  return {
    ok: true,
    body: {
      withdrawalDaily: values.withdrawalDaily ?? null,
      withdrawal30d: values.withdrawal30d ?? null,
      maxOrderNotional: values.maxOrderNotional ?? null,
      reason: form.reason.trim(),
    },
  };
}

export interface AuditFilterForm {
  actor: string;
  action: string;
  target: string;
  /** `datetime-local` values ("2026-01-02T03:04"), in the browser's time zone; "" for open ends. */
  from: string;
  to: string;
}

export const EMPTY_AUDIT_FILTER: AuditFilterForm = { actor: "", action: "", target: "", from: "", to: "" };

export type AuditQuery = { actor?: string; action?: string; target?: string; since?: number; until?: number };

/** The audit log's query (epoch ms, `until` exclusive), or what is wrong with the range. */
export function auditQuery(form: AuditFilterForm): { ok: true; query: AuditQuery } | { ok: false; problem: Problem } {
  const query: AuditQuery = {};
  if (form.actor.trim()) query.actor = form.actor.trim();
  if (form.action.trim()) query.action = form.action.trim();
  if (form.target.trim()) query.target = form.target.trim();
  for (const [name, text] of [["since", form.from], ["until", form.to]] as const) {
    if (!text) continue;
    const ms = new Date(text).getTime();
    if (Number.isNaN(ms)) return { ok: false, problem: { key: "backoffice.audit.badTime" } };
    query[name] = ms;
  }
  if (query.since !== undefined && query.until !== undefined && query.since >= query.until) {
    return { ok: false, problem: { key: "backoffice.audit.badRange" } };
  }
  return { ok: true, query };
}
