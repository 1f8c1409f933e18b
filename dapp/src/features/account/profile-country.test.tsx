import "./messages";
import { MutationObserver, QueryClient } from "@tanstack/react-query";
import { afterEach, describe, expect, it, vi } from "vitest";
import { providedMarkup } from "../../testing/markup";
import { accountKeys, updateProfileMutation } from "./account-api";
import { countryHint, ProfileForm } from "./profile-form";
import { TEST_WALLET, testProfile } from "./test-fixtures";

describe("the country under the profile form", () => {
  const profile = testProfile({ country: "GB", restrictedCountries: ["IR", "KP"] });

  it("warns while a restricted country is chosen and not yet saved", () => {
    expect(countryHint(profile, "GB")).toEqual({ key: "profile.countryHint" });
    expect(countryHint(profile, "DE")).toEqual({ key: "profile.countryHint" });
    expect(countryHint(profile, "KP")).toEqual({ key: "profile.countryRestrictedWarning", country: "KP" });
  });

  it("says a saved restricted country keeps the account at level 0, and warns of another one chosen", () => {
    const restricted = testProfile({ country: "IR", countryRestricted: true });
    expect(countryHint(restricted, "IR")).toEqual({ key: "profile.countryRestricted", country: "IR" });
    expect(countryHint(restricted, "KP")).toEqual({ key: "profile.countryRestrictedWarning", country: "KP" });
    expect(countryHint(restricted, "GB")).toEqual({ key: "profile.countryRestricted", country: "IR" });
    // approved with identity data from a country restricted since: declaring another one does not lift it
    const identity = testProfile({ country: "DE", identityCountryRestricted: true });
    expect(countryHint(identity, "DE")).toEqual({ key: "profile.identityCountryRestricted" });
  });

  it("names the saved restricted country in words", () => {
    const markup = providedMarkup(<ProfileForm profile={testProfile({ country: "IR", countryRestricted: true })} address={TEST_WALLET} />);
    expect(markup).toContain("HDEX cannot verify residents of Iran: your account stays at level 0.");
  });
});

describe("saving a restricted country", () => {
  afterEach(() => vi.unstubAllGlobals());

  it("reads the KYC level and the limits again, which the server dropped with it", async () => {
    const restricted = testProfile({ country: "IR", countryRestricted: true, level: 0 });
    vi.stubGlobal("fetch", async () => new Response(JSON.stringify(restricted), { status: 200, headers: { "Content-Type": "application/json" } }));
    const client = new QueryClient();
    client.setQueryData(accountKeys.profile(TEST_WALLET), testProfile({ level: 2 }));
    client.setQueryData(accountKeys.kyc(TEST_WALLET), { level: 2, submissions: [] });
    client.setQueryData(accountKeys.limits(TEST_WALLET), { level: 2 });

    await new MutationObserver(client, updateProfileMutation(client, TEST_WALLET, "en")).mutate({ country: "IR" });

    expect(client.getQueryData(accountKeys.profile(TEST_WALLET))).toEqual(restricted);
    expect(client.getQueryState(accountKeys.kyc(TEST_WALLET))?.isInvalidated).toBe(true);
    expect(client.getQueryState(accountKeys.limits(TEST_WALLET))?.isInvalidated).toBe(true);
    expect(client.getQueryState(accountKeys.profile(TEST_WALLET))?.isInvalidated).toBe(false); // the answer is the profile now
  });
});
