/** For tests: a signed-in wallet's profile as `GET /v1/account/profile` answers it (verified e-mail, GB, level 0). */
import type { Profile } from "./account-api";

export const TEST_WALLET = "0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc";

export function testProfile(changes: Partial<Profile> = {}): Profile {
  return {
    address: TEST_WALLET,
    email: "ada@example.com",
    emailVerified: true,
    country: "GB",
    notifications: { fills: true, withdrawals: true, news: false },
    level: 0,
    countryRestricted: false,
    identityCountryRestricted: false,
    restrictedCountries: ["IR", "KP"],
    language: "en",
    ...changes,
  };
}
