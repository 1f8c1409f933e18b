import "./messages";
import { describe, expect, it } from "vitest";
import { providedMarkup } from "../../testing/markup";
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
  });

  it("names the saved restricted country in words", () => {
    const markup = providedMarkup(<ProfileForm profile={testProfile({ country: "IR", countryRestricted: true })} address={TEST_WALLET} />);
    expect(markup).toContain("HDEX cannot verify residents of Iran: your account stays at level 0.");
  });
});
