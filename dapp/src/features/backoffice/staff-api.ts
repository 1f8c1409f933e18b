/**
 * The staff API client. The session is an HttpOnly cookie (path /v1/staff) the page never sees; its CSRF
 * token, from the sign-in and GET /v1/staff/auth/session JSON, lives only in memory and rides in
 * X-CSRF-Token on every state-changing request. A 401 STAFF_NOT_SIGNED_IN anywhere means the session is
 * over (idle, absolute timeout, signed out elsewhere): the store empties and the page shows the sign-in.
 */
import { ApiError, api, type Download, type Query } from "../../lib/api-client";
import { createStore } from "../../lib/store";
import type {
  Alert,
  AlertPage,
  AuditPage,
  Case,
  CaseDetail,
  CasePage,
  CaseStatus,
  Challenge,
  DenyEntry,
  FrozenDeposit,
  FrozenPage,
  FrozenState,
  LimitOverride,
  MarketStateName,
  RiskSettingsChange,
  Role,
  SignedIn,
  StaffMarketRisk,
  StaffMember,
  StaffSession,
  StaffSubmission,
  SubmissionPage,
  SubmissionStatus,
  UserDetail,
  UserHit,
  WithdrawalPauseState,
} from "./staff-types";
import type { Limits } from "../account";
import type { Market } from "../../lib/api-types";

export const CSRF_HEADER = "X-CSRF-Token";

export type SessionState =
  | { status: "unknown" }
  | { status: "signed-out"; reason: "expired" | "signed-out" | null }
  | { status: "signed-in"; session: StaffSession };

export const staffSession = createStore<SessionState>({ status: "unknown" });

/** The session ended on the server: forget it (and its CSRF token). */
export function sessionEnded(reason: "expired" | "signed-out" | null): void {
  staffSession.set({ status: "signed-out", reason });
}

function csrfHeaders(): Record<string, string> {
  const state = staffSession.get();
  return state.status === "signed-in" ? { [CSRF_HEADER]: state.session.csrfToken } : {};
}

/** Whether `error` says the staff session is gone (as opposed to a wrong password or code). */
export function isSessionEnd(error: unknown): boolean {
  return error instanceof ApiError && error.status === 401 && error.code === "STAFF_NOT_SIGNED_IN";
}

async function guarded<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (isSessionEnd(error) && staffSession.get().status === "signed-in") sessionEnded("expired");
    throw error;
  }
}

/** Marks a read the page makes by itself (a poll): the server does not count it as the member's activity, so a page
 *  left open still idles out. */
const BACKGROUND = { "X-Staff-Background": "1" };

/** Reads and writes of the staff API; writes carry the CSRF token. */
export const staffHttp = {
  get: <T>(path: string, query?: Query) => guarded(() => api.get<T>(path, { query })),
  poll: <T>(path: string, query?: Query) => guarded(() => api.get<T>(path, { query, headers: BACKGROUND })),
  post: <T>(path: string, body?: unknown) => guarded(() => api.post<T>(path, body, { headers: csrfHeaders() })),
  put: <T>(path: string, body?: unknown) => guarded(() => api.put<T>(path, body, { headers: csrfHeaders() })),
  delete: <T>(path: string, body?: unknown) => guarded(() => api.delete<T>(path, body, { headers: csrfHeaders() })),
  download: (path: string) => guarded(() => api.download(path)),
};

const enc = encodeURIComponent;

export const staffApi = {
  // sign-in
  login: (email: string, password: string) => api.post<Challenge>("/v1/staff/auth/login", { email, password }),
  totp: (challenge: string, factor: { code: string } | { recoveryCode: string }) =>
    api.post<SignedIn>("/v1/staff/auth/totp", { challenge, ...factor }),
  /** The live session, or null when there is none (a background read: asking does not extend it). */
  session: async (): Promise<StaffSession | null> => {
    try {
      return await api.get<StaffSession>("/v1/staff/auth/session", { headers: BACKGROUND });
    } catch (error) {
      if (isSessionEnd(error)) return null;
      throw error;
    }
  },
  logout: () => api.post<{ signedOut: boolean }>("/v1/staff/auth/logout", undefined, { headers: csrfHeaders() }),
  requestPasswordReset: (email: string) => api.post<{ accepted: boolean }>("/v1/staff/auth/password-reset", { email }),
  confirmPasswordReset: (token: string, password: string) =>
    api.post<{ passwordChanged: boolean }>("/v1/staff/auth/password-reset/confirm", { token, password }),
  me: () => staffHttp.poll<StaffMember>("/v1/staff/me"),

  // KYC review
  /** `polled` (here and below): read again by the page itself, not asked for by the member. */
  submissions: (status: SubmissionStatus, cursor: string | null, polled = false, limit = 50) =>
    (polled ? staffHttp.poll : staffHttp.get)<SubmissionPage>("/v1/staff/kyc/submissions", { status, limit, cursor }),
  submission: (id: string | number) => staffHttp.get<StaffSubmission>(`/v1/staff/kyc/submissions/${enc(String(id))}`),
  document: (id: string | number): Promise<Download> => staffHttp.download(`/v1/staff/kyc/documents/${enc(String(id))}`),
  approve: (id: string | number, reason: string | null) =>
    staffHttp.post<StaffSubmission>(`/v1/staff/kyc/submissions/${enc(String(id))}/approve`, reason ? { reason } : {}),
  reject: (id: string | number, reason: string) =>
    staffHttp.post<StaffSubmission>(`/v1/staff/kyc/submissions/${enc(String(id))}/reject`, { reason }),

  // users
  searchUsers: (q: string) => staffHttp.get<{ users: UserHit[] }>("/v1/staff/users", { q }),
  user: (address: string) => staffHttp.get<UserDetail>(`/v1/staff/users/${enc(address)}`),
  overrideLimits: (address: string, override: LimitOverride) => staffHttp.put<Limits>(`/v1/staff/users/${enc(address)}/limits`, override),

  // deny-list
  denylist: () => staffHttp.get<{ entries: DenyEntry[] }>("/v1/staff/denylist"),
  deny: (address: string, reason: string) => staffHttp.post<DenyEntry>("/v1/staff/denylist", { address, reason }),
  undeny: (address: string, reason: string) =>
    staffHttp.post<{ removed: string }>(`/v1/staff/denylist/${enc(address)}/remove`, { reason }),

  // frozen deposits
  frozen: (state: FrozenState | "all", cursor: string | null, polled = false, limit = 100) =>
    (polled ? staffHttp.poll : staffHttp.get)<FrozenPage>("/v1/staff/frozen", { state, limit, cursor }),
  releaseFrozen: (id: number, reason: string) => staffHttp.post<FrozenDeposit>(`/v1/staff/frozen/${id}/release`, { reason }),

  // markets
  setMarketState: (market: string, state: MarketStateName, reason: string) =>
    staffHttp.post<Market>(`/v1/staff/markets/${enc(market)}/state`, { state, reason }),

  // alerts and cases
  alerts: (filter: Query, cursor: string | null, polled = false, limit = 50) =>
    (polled ? staffHttp.poll : staffHttp.get)<AlertPage>("/v1/staff/alerts", { ...filter, limit, cursor }),
  closeAlert: (id: number, reason: string) => staffHttp.post<Alert>(`/v1/staff/alerts/${id}/close`, { reason }),
  openCase: (alertIds: readonly number[], title: string) => staffHttp.post<Case>("/v1/staff/cases", { alertIds, title }),
  cases: (filter: Query, cursor: string | null, limit = 50) => staffHttp.get<CasePage>("/v1/staff/cases", { ...filter, limit, cursor }),
  caseDetail: (id: number) => staffHttp.get<CaseDetail>(`/v1/staff/cases/${id}`),
  /** Who a case may be given to: active staff whose role holds cases.manage. */
  caseAssignees: () => staffHttp.get<{ assignees: string[] }>("/v1/staff/cases/assignees"),
  /** `assignee` null: nobody. */
  assignCase: (id: number, assignee: string | null) => staffHttp.post<Case>(`/v1/staff/cases/${id}/assign`, { assignee }),
  addCaseNote: (id: number, body: string) => staffHttp.post<unknown>(`/v1/staff/cases/${id}/notes`, { body }),
  setCaseStatus: (id: number, status: CaseStatus, reason: string | null) =>
    staffHttp.post<Case>(`/v1/staff/cases/${id}/status`, reason ? { status, reason } : { status }),

  // market risk
  marketRisk: (market: string) => staffHttp.get<StaffMarketRisk>(`/v1/staff/markets/${enc(market)}/risk`),
  setMarketRisk: (market: string, change: RiskSettingsChange) =>
    staffHttp.put<StaffMarketRisk>(`/v1/staff/markets/${enc(market)}/risk`, change),
  endHalt: (market: string) => staffHttp.delete<StaffMarketRisk>(`/v1/staff/markets/${enc(market)}/halt`),
  withdrawalPause: () => staffHttp.poll<WithdrawalPauseState>("/v1/staff/risk/withdrawals"),
  resumeWithdrawals: (reason: string) => staffHttp.post<WithdrawalPauseState>("/v1/staff/risk/withdrawals/resume", { reason }),

  // audit log
  auditLog: (filter: Query, cursor: string | null, limit = 50) =>
    staffHttp.get<AuditPage>("/v1/staff/audit-log", { ...filter, limit, cursor }),

  // staff accounts
  staffList: () => staffHttp.get<{ staff: StaffMember[] }>("/v1/staff/staff"),
  /** `invitationMailed` false: the account exists, but its set-your-password mail could not be sent. */
  invite: (email: string, role: string) =>
    staffHttp.post<StaffMember & { invitationMailed: boolean }>("/v1/staff/staff", { email, role }),
  disable: (id: number, reason: string) => staffHttp.post<StaffMember>(`/v1/staff/staff/${id}/disable`, { reason }),
  changeRole: (id: number, role: Role, reason: string) => staffHttp.post<StaffMember>(`/v1/staff/staff/${id}/role`, { role, reason }),
  resetTotp: (id: number, reason: string) => staffHttp.post<StaffMember>(`/v1/staff/staff/${id}/totp-reset`, { reason }),
  /** A new set-your-password link for a member who has not accepted the invitation; the old link stops working. */
  resendInvitation: (id: number) => staffHttp.post<StaffMember & { invitationMailed: boolean }>(`/v1/staff/staff/${id}/invitation`),
};

/** Where a case's report for the regulator is downloaded (the session cookie rides along: same origin). */
export function caseReportUrl(id: number, format: "json" | "html"): string {
  return `/v1/staff/cases/${id}/report?format=${format}`;
}

/** The live alert stream (Server-Sent Events, event `alert`). */
export const ALERT_STREAM_URL = "/v1/staff/alerts/stream";
