import "./messages";
import { MutationObserver, QueryClient, type QueryKey } from "@tanstack/react-query";
import { afterEach, describe, expect, it, vi } from "vitest";
import { providedMarkup } from "../../testing/markup";
import { accountKeys, deletionMutation, type KycState } from "./account-api";
import AccountPage from "./account-page";
import { TEST_WALLET, testProfile } from "./test-fixtures";

const ADDRESS = TEST_WALLET;

// A connected wallet (the provider cannot connect without a browser); hoisted, as vi.mock runs before the imports.
vi.mock("../wallet", async (importOriginal) =>
  (await import("../../testing/connected-wallet")).withConnectedWallet(importOriginal, "0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc"),
);

const SESSION_KEY = ["auth", "session"];
const DAY = 86_400_000;
const receipt = { requestedAt: Date.UTC(2025, 0, 2, 12), kycRetainedUntil: Date.UTC(2030, 0, 2), travelRuleRetainedUntil: Date.UTC(2030, 5, 2) };
const profile = testProfile();
const kyc: KycState = { level: 0, submissions: [] };

/** Replace fetch by one that records each request and answers `body` with `status`. */
function answer(status: number, body: unknown): string[] {
  const sent: string[] = [];
  vi.stubGlobal("fetch", async (url: string, init: RequestInit) => {
    sent.push(`${init.method ?? "GET"} ${url}`);
    return new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
  });
  return sent;
}

afterEach(() => vi.unstubAllGlobals());

function signedIn(): QueryClient {
  const client = new QueryClient();
  client.setQueryData(SESSION_KEY, { address: ADDRESS, chainId: 31337, expiresAt: Date.now() + DAY });
  client.setQueryData(accountKeys.profile(ADDRESS), profile);
  client.setQueryData(accountKeys.kyc(ADDRESS), kyc);
  return client;
}

/** The account page over everything in `client`'s cache. */
const accountPage = (client: QueryClient) =>
  providedMarkup(<AccountPage />, client.getQueryCache().getAll().map((query) => [query.queryKey, query.state.data] as [QueryKey, unknown]));

describe("a deletion request", () => {
  it("is offered on the signed-in account page, with no receipt yet", () => {
    const markup = accountPage(signedIn());
    expect(markup).toMatch(/<button type="button"[^>]*>Request deletion<\/button>/);
    expect(markup).not.toContain("Deletion requested on");
  });

  it("signs the wallet out as signing out does, and the page keeps the receipt with what is kept until when", async () => {
    const sent = answer(200, receipt);
    const client = signedIn();
    await new MutationObserver(client, deletionMutation(client, ADDRESS)).mutate();

    // One request: nothing the session answered is asked again (it would answer 401 NOT_SIGNED_IN).
    expect(sent).toEqual(["POST /v1/account/deletion"]);
    expect(client.getQueryData(SESSION_KEY)).toBeNull();
    const markup = accountPage(client);
    const status = /<p[^>]*role="status"[^>]*>(.*?)<\/p>/.exec(markup)?.[1] ?? "";
    expect(status).toContain("Deletion requested on");
    expect(status).toContain(
      "Your data was erased and you were signed out on every device. Sign in again to download what is kept for the retention period.",
    );
    expect(status).toMatch(/Verification records are kept until [^.]*2030/);
    expect(status).toMatch(/The travel-rule data of your withdrawals is kept until [^.]*2030/);
    // The signed-out view below it: the sign-in prompt, not the account's sections.
    expect(markup).toContain("Sign in with your wallet (the button at the top) to see your account.");
    expect(markup).not.toContain("Request deletion");
  });

  it("leaves out the retention sentences the receipt has no date for", async () => {
    answer(200, { ...receipt, kycRetainedUntil: null, travelRuleRetainedUntil: null });
    const client = signedIn();
    await new MutationObserver(client, deletionMutation(client, ADDRESS)).mutate();
    const markup = accountPage(client);
    expect(markup).toContain("you were signed out on every device");
    expect(markup).not.toContain("kept until");
  });

  it("keeps the session and offers the request again when the server refuses it", async () => {
    answer(403, { error: { code: "CROSS_ORIGIN_REQUEST", message: "this request must come from the exchange's own pages" } });
    const client = signedIn();
    await expect(new MutationObserver(client, deletionMutation(client, ADDRESS)).mutate()).rejects.toMatchObject({ code: "CROSS_ORIGIN_REQUEST" });
    expect(client.getQueryData(SESSION_KEY)).not.toBeNull();
    expect(accountPage(client)).toMatch(/>Request deletion<\/button>/);
  });
});
