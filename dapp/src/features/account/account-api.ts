/**
 * The wallet user's account (issue 13): profile, e-mail link, KYC submissions, limits, data export and
 * deletion. Every call rides the SIWE session cookie; without it the API answers 401 NOT_SIGNED_IN.
 */
import { skipToken, useMutation, useQuery, useQueryClient, type QueryClient } from "@tanstack/react-query";
import { useI18n } from "../../i18n";
import { ApiError, api, type Download } from "../../lib/api-client";
import { forgetSession } from "../auth";

export type KycLevel = 0 | 1 | 2;
export type NotificationKind = "fills" | "withdrawals" | "news";
export const NOTIFICATION_KINDS: readonly NotificationKind[] = ["fills", "withdrawals", "news"];

/** The languages the server writes a wallet's e-mails in: the dApp's own (i18n/locales). */
export type ProfileLanguage = "en" | "zh-CN";
export const PROFILE_LANGUAGES: readonly ProfileLanguage[] = ["en", "zh-CN"];

/** The language the wallet's e-mails should speak while the dApp speaks `locale`: that one, else English. */
export function profileLanguage(locale: string): ProfileLanguage {
  return (PROFILE_LANGUAGES as readonly string[]).includes(locale) ? (locale as ProfileLanguage) : "en";
}

export interface Profile {
  address: string;
  email: string | null;
  emailVerified: boolean;
  /** ISO 3166-1 alpha-2, or null until declared. */
  country: string | null;
  notifications: Record<NotificationKind, boolean>;
  level: KycLevel;
  /** The declared country is on the restricted list: no level above 0. */
  countryRestricted: boolean;
  /** The country of the approved identity data is on it: no level above 0, whatever country is declared. */
  identityCountryRestricted: boolean;
  /** The exchange's restricted list (ISO 3166-1 alpha-2): the form warns before one of them is declared. */
  restrictedCountries: string[];
  /** What the account's e-mails (the verification link's too) are written in. */
  language: ProfileLanguage;
}

export interface ProfileChange {
  email?: string | null;
  country?: string;
  notifications?: Partial<Record<NotificationKind, boolean>>;
  language?: ProfileLanguage;
}

export type SubmissionStatus = "pending" | "approved" | "rejected";
export type DocumentKind = "identity" | "proof_of_address";

export interface KycDocument {
  id: string | number;
  kind: DocumentKind;
  contentType: string;
  size: number;
}

export interface Submission {
  id: string | number;
  level: 1 | 2;
  status: SubmissionStatus;
  reason: string | null;
  /** Epoch milliseconds. */
  submittedAt: number;
  reviewedAt: number | null;
  documents: KycDocument[];
}

export interface KycState {
  level: KycLevel;
  /** Newest first. */
  submissions: Submission[];
}

export interface PostalAddress {
  line1: string;
  line2?: string;
  city: string;
  postalCode: string;
  region?: string;
}

export interface Level1Data {
  legalName: string;
  /** YYYY-MM-DD */
  dateOfBirth: string;
  country: string;
  address: PostalAddress;
}

export type LimitKind = "withdrawalDaily" | "withdrawal30d" | "maxOrderNotional";
export type WithdrawalLimitKind = Exclude<LimitKind, "maxOrderNotional">;

/** Amounts are decimal strings of the reference token's base units. */
export interface Limits {
  address: string;
  level: KycLevel;
  reference: { symbol: string; token: string; decimals: number };
  limits: Record<LimitKind, string>;
  used: Record<WithdrawalLimitKind, string>;
  remaining: Record<WithdrawalLimitKind, string>;
  /** Limits staff set for this wallet instead of its level's. */
  overridden: LimitKind[];
  nextLevel: { level: KycLevel; limits: Record<LimitKind, string> } | null;
}

export interface DeletionRequested {
  requestedAt: number;
  /** KYC records are kept until then (anti-money-laundering retention), or null when there are none. */
  kycRetainedUntil: number | null;
  /** The travel-rule data of the wallet's withdrawals is kept until then, or null when there is none. */
  travelRuleRetainedUntil: number | null;
}

export const accountApi = {
  profile: () => api.get<Profile>("/v1/account/profile"),
  updateProfile: (change: ProfileChange) => api.put<Profile>("/v1/account/profile", change),
  verifyEmail: (token: string) => api.post<Profile>("/v1/account/email/verify", { token }),
  kyc: () => api.get<KycState>("/v1/account/kyc"),
  submitLevel1: (data: Level1Data) => api.post<Submission>("/v1/account/kyc/level1", data),
  /** multipart/form-data with the two files, as the API's field names say. */
  submitLevel2: (identityDocument: File, proofOfAddress: File) => {
    const form = new FormData();
    form.append("identityDocument", identityDocument, identityDocument.name);
    form.append("proofOfAddress", proofOfAddress, proofOfAddress.name);
    return api.post<Submission>("/v1/account/kyc/level2", form);
  },
  exportData: (): Promise<Download> => api.download("/v1/account/export"),
  requestDeletion: () => api.post<DeletionRequested>("/v1/account/deletion"),
  limits: (address: string) => api.get<Limits>(`/v1/accounts/${address}/limits`),
};

export const accountKeys = {
  all: (address: string | null) => ["account", address, "profile-and-kyc"] as const,
  profile: (address: string | null) => [...accountKeys.all(address), "profile"] as const,
  kyc: (address: string | null) => [...accountKeys.all(address), "kyc"] as const,
  limits: (address: string | null) => ["account", address, "limits"] as const,
  /** The deletion receipt, kept in this page's cache until it reloads (no request reads it). */
  deletionReceipt: (address: string | null) => ["account-deletion-receipt", address?.toLowerCase() ?? null] as const,
};

/**
 * `call`, and once the server answers that the session is over (it expired, or "Sign out everywhere" ended it on
 * another device), this browser forgets it too: the page then offers "Sign in" again, where it kept a "Sign out"
 * beside "Your session has ended" and every form went on failing.
 */
export function forgettingEndedSession<Args extends unknown[], Result>(
  queryClient: QueryClient,
  call: (...args: Args) => Promise<Result>,
): (...args: Args) => Promise<Result> {
  return async (...args) => {
    try {
      return await call(...args);
    } catch (error) {
      if (error instanceof ApiError && error.code === "NOT_SIGNED_IN") forgetSession(queryClient);
      throw error;
    }
  };
}

/** The signed-in wallet's profile; `address` null while not signed in (nothing is asked). */
export function profileQuery(queryClient: QueryClient, address: string | null) {
  return { queryKey: accountKeys.profile(address), queryFn: forgettingEndedSession(queryClient, accountApi.profile), enabled: address !== null };
}

export function useProfile(address: string | null) {
  return useQuery(profileQuery(useQueryClient(), address));
}

export function useKyc(address: string | null) {
  const queryClient = useQueryClient();
  return useQuery({ queryKey: accountKeys.kyc(address), queryFn: forgettingEndedSession(queryClient, accountApi.kyc), enabled: address !== null });
}

export function useLimits(address: string | null) {
  const queryClient = useQueryClient();
  return useQuery({
    queryKey: accountKeys.limits(address),
    queryFn: forgettingEndedSession(queryClient, () => accountApi.limits(address as string)),
    enabled: address !== null,
  });
}

/**
 * A profile change, which also tells the server the page's language (`locale`): every save, a request for a new
 * verification link among them, so that the link's mail and every later one speak what the user reads here. The
 * answer replaces the cached profile; the KYC level and the limits are read again, as a restricted country drops
 * the level to 0 and the account's limit overrides with it.
 */
export function updateProfileMutation(queryClient: QueryClient, address: string | null, locale: string) {
  const update = forgettingEndedSession(queryClient, accountApi.updateProfile);
  return {
    mutationFn: (change: ProfileChange) => update({ ...change, language: profileLanguage(locale) }),
    onSuccess: (profile: Profile) => {
      queryClient.setQueryData(accountKeys.profile(address), profile);
      void queryClient.invalidateQueries({ queryKey: accountKeys.kyc(address), exact: true });
      void queryClient.invalidateQueries({ queryKey: accountKeys.limits(address), exact: true });
    },
  };
}

export function useUpdateProfile(address: string | null) {
  const { locale } = useI18n();
  return useMutation(updateProfileMutation(useQueryClient(), address, locale));
}

/** A KYC submission (either level): the list and the level are read again. */
export function useSubmitKyc<Input>(address: string | null, submit: (input: Input) => Promise<Submission>) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: forgettingEndedSession(queryClient, submit),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: accountKeys.all(address) }),
  });
}

/**
 * The deletion request. The server ends every session of the wallet with it (this browser's too), so the
 * receipt is kept where the account page reads it while signed out, and the session is forgotten here as
 * signing out does; the account's queries then ask nothing more (they would answer 401).
 */
export function deletionMutation(queryClient: QueryClient, address: string) {
  return {
    mutationFn: forgettingEndedSession(queryClient, accountApi.requestDeletion),
    onSuccess: (receipt: DeletionRequested) => {
      queryClient.setQueryData(accountKeys.deletionReceipt(address), receipt);
      forgetSession(queryClient);
    },
  };
}

export function useRequestDeletion(address: string) {
  return useMutation(deletionMutation(useQueryClient(), address));
}

/** The receipt of this wallet's deletion request made in this page, or undefined. */
export function useDeletionReceipt(address: string | null) {
  const receipt = useQuery<DeletionRequested>({ queryKey: accountKeys.deletionReceipt(address), queryFn: skipToken, gcTime: Infinity });
  return receipt.data;
}
