/**
 * The travel rule at the withdraw form: a withdrawal worth the exchange's threshold or more in its
 * reference token (`GET /v1/withdrawals/quote`, valued by the server as the tier limits value it)
 * carries the sender's and the receiver's details (IVMS101, `travelRule` in `POST /v1/withdrawals`).
 * The dApp always withdraws to the connected wallet, so the person withdrawing is both originator and
 * beneficiary; they give their name and address once.
 */
import type { Address } from "viem";
import { isCountryCode } from "../../lib/countries";

/** What the person types: their name and geographic address. */
export interface TravelRuleDraft {
  familyName: string;
  givenNames: string;
  street: string;
  postCode: string;
  town: string;
  country: string;
}

export type TravelRuleField = keyof TravelRuleDraft;
export type TravelRuleProblems = Partial<Record<TravelRuleField, "required" | "country">>;

export const EMPTY_TRAVEL_RULE: TravelRuleDraft = { familyName: "", givenNames: "", street: "", postCode: "", town: "", country: "" };

/** What is wrong with each field, as a reason the form puts in words; an empty object when complete. */
export function travelRuleProblems(draft: TravelRuleDraft): TravelRuleProblems {
  const problems: TravelRuleProblems = {};
  for (const field of ["familyName", "street", "town", "country"] as const) {
    if (draft[field].trim() === "") problems[field] = "required";
  }
  if (draft.country !== "" && !isCountryCode(draft.country)) problems.country = "country";
  return problems;
}

/** The `travelRule` JSON of a withdrawal from `wallet` to itself. */
export function travelRuleBody(draft: TravelRuleDraft, wallet: Address): Record<string, unknown> {
  const name = {
    primaryIdentifier: draft.familyName.trim(),
    ...(draft.givenNames.trim() ? { secondaryIdentifier: draft.givenNames.trim() } : {}),
  };
  const geographicAddress = {
    streetName: draft.street.trim(),
    ...(draft.postCode.trim() ? { postCode: draft.postCode.trim() } : {}),
    townName: draft.town.trim(),
    country: draft.country,
  };
  return {
    originator: { naturalPerson: { name, geographicAddress }, accountNumber: wallet },
    beneficiary: { naturalPerson: { name }, accountNumber: wallet },
  };
}
