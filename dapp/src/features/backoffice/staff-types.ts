/** Shapes of the staff API's JSON (README "Back office", issue 13). Amounts are decimal strings of base units. */
import type { Limits, Profile, Submission, SubmissionStatus } from "../account";
import type { MarketHalt, MarketRisk } from "../../lib/api-types";

export type Role = "admin" | "compliance" | "support" | "auditor";

export type Permission =
  | "staff.read"
  | "staff.manage"
  | "audit.read"
  | "users.read"
  | "kyc.read"
  | "kyc.documents.read"
  | "kyc.review"
  | "limits.override"
  | "denylist.read"
  | "denylist.manage"
  | "frozen.read"
  | "frozen.release"
  | "market.state"
  | "alerts.read"
  | "cases.manage"
  | "risk.manage"
  | "stats.read"
  | "support.manage"
  | "announcements.manage"
  | "forum.moderate";

export interface StaffMember {
  id: number;
  email: string;
  role: Role;
  permissions: Permission[];
  disabled: boolean;
  totpEnrolled: boolean;
  /** Invited and no password set yet: the invitation link is unused (expired, maybe). */
  invitationPending: boolean;
  createdAt: number;
}

export interface StaffSession {
  staff: StaffMember;
  /** Sent in X-CSRF-Token on every state-changing request. */
  csrfToken: string;
  /** Epoch ms: the absolute end of the session. */
  expiresAt: number;
  idleExpiresAt: number;
}

export interface SignedIn extends StaffSession {
  /** Shown once, when this sign-in completed the TOTP set-up. */
  recoveryCodes: string[] | null;
}

export interface TotpSetup {
  /** otpauth:// provisioning URI. */
  uri: string;
  /** The URI as a QR code: an SVG document, shown only as an image (never inlined in the page). */
  qrSvg: string;
  /** Base32, for typing into an app that cannot scan. */
  secret: string;
}

export interface Challenge {
  challenge: string;
  expiresAt: number;
  totpSetup: TotpSetup | null;
}

export type { SubmissionStatus };

/** The server answers a missing address line with null (the user's form leaves it out). */
export interface PostalAddress {
  line1: string;
  line2?: string | null;
  city: string;
  postalCode: string;
  region?: string | null;
}

/** A submission in the review queue (the API's StaffSubmissionRow): no identity data, which only opening one shows. */
export interface StaffSubmissionRow extends Submission {
  address: string;
  email: string | null;
  reviewer: string | null;
}

/** The wallet's own submission (GET /v1/account/kyc) with what staff see besides (the API's StaffSubmissionOut). */
export interface StaffSubmission extends StaffSubmissionRow {
  data: { legalName: string; dateOfBirth: string; country: string; address: PostalAddress } | null;
}

export interface SubmissionPage {
  submissions: StaffSubmissionRow[];
  next: string | null;
}

export interface UserHit {
  address: string;
  email: string | null;
  level: number;
  country: string | null;
  /** Null for a wallet without a profile. */
  createdAt: number | null;
}

/** A wallet's profile, as its owner reads it (GET /v1/account/profile). */
export type UserProfile = Profile;

export interface UserBalance {
  token: string;
  symbol: string | null;
  decimals?: number | null;
  total: string;
  available: string;
}

/** The records of a user's detail: the shapes of the wallet's own account endpoints, read loosely. */
export interface UserOrder {
  hash: string;
  market: string;
  side: string;
  status: string;
  filled?: string;
  remaining?: string;
  createdAt: number;
}

export interface UserFill {
  id: string;
  market: string;
  side?: string;
  price: string;
  baseAmount: string;
  status?: string;
  time: number;
}

export interface UserDeposit {
  id: string;
  txHash: string;
  symbol: string | null;
  decimals: number | null;
  amount: string;
  status: string;
  seenAt: number;
}

export interface UserWithdrawal {
  hash: string;
  symbol: string | null;
  decimals: number | null;
  amount: string;
  status: string;
  failure?: string | null;
  createdAt: number;
}

export interface ScreeningDecision {
  address: string;
  /** clear, blocked or error */
  decision: string;
  reason: string | null;
  /** What asked: withdrawal, deposit, cli:screen, ... */
  context: string;
  at: number;
}

export interface UserDetail {
  profile: UserProfile;
  /** Null while no market lists the limits' reference token. */
  limits: Limits | null;
  balances: UserBalance[];
  orders: UserOrder[];
  fills: UserFill[];
  deposits: UserDeposit[];
  withdrawals: UserWithdrawal[];
  screening: ScreeningDecision[];
}

/** A limit override: base units as a decimal string, or null for the level's default. */
export interface LimitOverride {
  withdrawalDaily: string | null;
  withdrawal30d: string | null;
  maxOrderNotional: string | null;
  reason: string;
}

export interface DenyEntry {
  address: string;
  reason: string;
  addedBy: string;
  addedAt: number;
}

/** held: keeps the deposit from trading and withdrawals; orphaned: a deep reorg took the deposit (and its credit) out. */
export type FrozenState = "held" | "released" | "orphaned";

/** A deposit by a blocked address, frozen off-chain (GET /v1/staff/frozen). */
export interface FrozenDeposit {
  id: number;
  wallet: string;
  token: string;
  /** null for a token no market lists */
  symbol: string | null;
  decimals: number | null;
  amount: string;
  /** the screening hits that froze it */
  reason: string;
  txHash: string;
  blockNumber: number;
  state: FrozenState;
  frozenAt: number;
  releasedAt: number | null;
  releasedBy: string | null;
  releaseReason: string | null;
}

export interface FrozenPage {
  frozen: FrozenDeposit[];
  next: string | null;
}

export type MarketStateName = "open" | "cancel_only" | "halted";

export interface AuditEntry {
  seq: number;
  at: number;
  actor: string;
  action: string;
  target: string | null;
  before: unknown;
  after: unknown;
  ip: string | null;
  prevHash: string;
  hash: string;
}

export interface AuditPage {
  entries: AuditEntry[];
  next: string | null;
}

// ------------------------------------------------------------------ alerts and cases (issue 14)

export type AlertSeverity = "info" | "warning" | "critical";
export type AlertStatus = "open" | "acknowledged" | "closed";

/** One alert of the alert store (deduplicated while open: `occurrences` counts its repeats). */
export interface Alert {
  id: number;
  /** What raised it: `market.circuit_breaker`, `aml.structuring`, ... (backend/alerts/store.py AlertKind). */
  kind: string;
  severity: AlertSeverity;
  /** What it is about (a market, a wallet), when it is about one thing. */
  subject: string | null;
  message: string;
  details: Record<string, unknown> | null;
  status: AlertStatus;
  caseId: number | null;
  occurrences: number;
  createdAt: number | null;
  lastSeenAt: number | null;
}

export interface AlertPage {
  alerts: Alert[];
  next: string | null;
}

export type CaseStatus = "open" | "investigating" | "escalated" | "closed";

export interface Case {
  id: number;
  title: string;
  subject: string | null;
  status: CaseStatus;
  assignee: string | null;
  closeReason: string | null;
  createdBy: string;
  createdAt: number;
  updatedAt: number;
  alertIds: number[];
}

export interface CasePage {
  cases: Case[];
  next: string | null;
}

export interface CaseNote {
  id: number;
  author: string;
  body: string;
  createdAt: number;
}

export interface CaseDetail {
  case: Case;
  alerts: Alert[];
  notes: CaseNote[];
}

// ------------------------------------------------------------------ market risk (issue 14)

export type { MarketHalt, MarketRisk };

export interface StaffMarketRisk {
  market: string;
  settings: MarketRisk;
  halt: MarketHalt | null;
}

/** The settings a PUT may change: numbers of basis points and seconds, amounts as decimal strings; null = the default. */
export type RiskSettingsChange = Partial<Omit<MarketRisk, "reference">>;

export interface WithdrawalPauseEntry {
  id: number;
  reason: string;
  details: Record<string, unknown> | null;
  raisedAt: number;
}

export interface WithdrawalPauseState {
  paused: boolean;
  pauses: WithdrawalPauseEntry[];
}
