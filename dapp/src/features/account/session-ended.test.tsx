import "./messages";
import { MutationObserver, QueryClient, type QueryKey } from "@tanstack/react-query";
import { afterEach, describe, expect, it, vi } from "vitest";
import { providedMarkup } from "../../testing/markup";
import { accountKeys, profileQuery, updateProfileMutation, type KycState } from "./account-api";
import AccountPage from "./account-page";
import { TEST_WALLET, testProfile } from "./test-fixtures";

const ADDRESS = TEST_WALLET;

// A connected wallet (the provider cannot connect without a browser); hoisted, as vi.mock runs before the imports.
vi.mock("../wallet", async (importOriginal) =>
  (await import("../../testing/connected-wallet")).withConnectedWallet(importOriginal, "0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc"),
);

const SESSION_KEY = ["auth", "session"];
const profile = testProfile();
const kyc: KycState = { level: 0, submissions: [] };
const ENDED = { error: { code: "NOT_SIGNED_IN", message: "sign in with your wallet first: GET /v1/auth/nonce, then POST /v1/auth/siwe" } };

function answer(status: number, body: unknown): void {
  vi.stubGlobal("fetch", async () => new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } }));
}

afterEach(() => vi.unstubAllGlobals());

function signedIn(): QueryClient {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  client.setQueryData(SESSION_KEY, { address: ADDRESS, chainId: 31337, expiresAt: Date.now() + 86_400_000 });
  client.setQueryData(accountKeys.profile(ADDRESS), profile);
  client.setQueryData(accountKeys.kyc(ADDRESS), kyc);
  return client;
}

const accountPage = (client: QueryClient) =>
  providedMarkup(<AccountPage />, client.getQueryCache().getAll().map((query) => [query.queryKey, query.state.data] as [QueryKey, unknown]));

describe("a session the server ended (expired, or signed out everywhere from another device)", () => {
  it("is forgotten here at the first account request it refuses, so the page asks to sign in again", async () => {
    answer(401, ENDED);
    const client = signedIn();
    const change = new MutationObserver(client, updateProfileMutation(client, ADDRESS, "en"));
    await expect(change.mutate({ country: "FR" })).rejects.toMatchObject({ code: "NOT_SIGNED_IN" });

    // Before, the page kept its "Sign out" and its forms, each failing with "Your session has ended".
    expect(client.getQueryData(SESSION_KEY)).toBeNull();
    const markup = accountPage(client);
    expect(markup).toContain("Sign in with your wallet (the button at the top) to see your account.");
    expect(markup).not.toContain("Save profile");
  });

  it("is forgotten when a read of the account is refused too", async () => {
    answer(401, ENDED);
    const client = signedIn();
    await expect(client.fetchQuery({ ...profileQuery(client, ADDRESS), staleTime: 0 })).rejects.toMatchObject({ code: "NOT_SIGNED_IN" });
    expect(client.getQueryData(SESSION_KEY)).toBeNull();
  });

  it("stays for any other refusal", async () => {
    answer(422, { error: { code: "INVALID_FIELD", message: "a country is an ISO 3166-1 alpha-2 code, like DE or US", field: "country" } });
    const client = signedIn();
    await expect(new MutationObserver(client, updateProfileMutation(client, ADDRESS, "en")).mutate({ country: "XX" })).rejects.toMatchObject({
      code: "INVALID_FIELD",
    });
    expect(client.getQueryData(SESSION_KEY)).not.toBeNull();
    expect(accountPage(client)).toContain("Save profile");
  });
});
