import { MutationObserver, QueryClient } from "@tanstack/react-query";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ApiError } from "../../lib/api-client";
import { providedMarkup } from "../../testing/markup";
import { type Session } from "./session";
import { SignInButton } from "./sign-in-button";
import { signOutEverywhereMutation, signOutMutation } from "./use-auth";

const ADDRESS = "0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc";

// A connected wallet (the provider cannot connect without a browser); hoisted, as vi.mock runs before the imports.
vi.mock("../wallet", async (importOriginal) =>
  (await import("../../testing/connected-wallet")).withConnectedWallet(importOriginal, "0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc"),
);

const SESSION_KEY = ["auth", "session"];
const session: Session = { address: ADDRESS, chainId: 31337, expiresAt: Date.now() + 60_000 };

/** Replace fetch by one that records each request and answers `body` with `status`. */
function answer(status: number, body: unknown): { url: string; init: RequestInit }[] {
  const sent: { url: string; init: RequestInit }[] = [];
  vi.stubGlobal("fetch", async (url: string, init: RequestInit) => {
    sent.push({ url, init });
    return new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
  });
  return sent;
}

afterEach(() => vi.unstubAllGlobals());

function signedIn(): QueryClient {
  const client = new QueryClient();
  client.setQueryData(SESSION_KEY, session);
  return client;
}

/** What the top bar shows for the session in `client`'s cache. */
const topBar = (client: QueryClient) => providedMarkup(<SignInButton />, [[SESSION_KEY, client.getQueryData(SESSION_KEY)]]);
const button = (name: string) => new RegExp(`<button type="button"[^>]*>${name}</button>`);

describe("signing out everywhere", () => {
  it("is offered beside signing out while signed in, and neither is offered when signed out", () => {
    const markup = topBar(signedIn());
    expect(markup).toMatch(button("Sign out"));
    expect(markup).toMatch(button("Sign out everywhere"));
    const signedOut = topBar(new QueryClient());
    expect(signedOut).not.toContain("Sign out");
    expect(signedOut).toMatch(button("Sign in"));
  });

  it("posts to logout-all with the session cookie, then shows the signed-out view", async () => {
    const sent = answer(200, { signedOut: true, sessionsEnded: 3 });
    const client = signedIn();
    const ended = await new MutationObserver(client, signOutEverywhereMutation(client)).mutate();
    expect(sent.map(({ url, init }) => [url, init.method, init.credentials])).toEqual([["/v1/auth/logout-all", "POST", "same-origin"]]);
    expect(ended).toEqual({ signedOut: true, sessionsEnded: 3 });
    expect(client.getQueryData(SESSION_KEY)).toBeNull();
    expect(topBar(client)).toMatch(button("Sign in"));
    expect(topBar(client)).not.toContain("Sign out");
  });

  it("counts a 401 NOT_SIGNED_IN as signed out already, not as an error", async () => {
    answer(401, { error: { code: "NOT_SIGNED_IN", message: "sign in with your wallet first" } });
    const client = signedIn();
    await expect(new MutationObserver(client, signOutEverywhereMutation(client)).mutate()).resolves.toEqual({ signedOut: true, sessionsEnded: 0 });
    expect(client.getQueryData(SESSION_KEY)).toBeNull();
  });

  it.each([
    [403, { error: { code: "CROSS_ORIGIN_REQUEST", message: "this request must come from the exchange's own pages" } }],
    [503, { error: { code: "UNAVAILABLE", message: "the database is not answering" } }],
  ])("fails with the API's typed error (%i) and keeps this browser signed in, so it can be asked again", async (status, body) => {
    const sent = answer(status, body);
    const client = signedIn();
    const refusal = new MutationObserver(client, signOutEverywhereMutation(client)).mutate();
    await expect(refusal).rejects.toBeInstanceOf(ApiError);
    await expect(refusal).rejects.toMatchObject({ status, code: body.error.code });
    // The other devices' sessions may stand: signed out here, nothing would offer to end them any more.
    expect(client.getQueryData(SESSION_KEY)).toEqual(session);
    expect(topBar(client)).toMatch(button("Sign out everywhere"));
    await expect(new MutationObserver(client, signOutEverywhereMutation(client)).mutate()).rejects.toBeInstanceOf(ApiError);
    expect(sent).toHaveLength(2);
  });

  it("takes the path signing out takes: one request to logout, then the session forgotten", async () => {
    const sent = answer(200, { signedOut: true });
    const client = signedIn();
    await new MutationObserver(client, signOutMutation(client)).mutate();
    expect(sent.map(({ url }) => url)).toEqual(["/v1/auth/logout"]);
    expect(client.getQueryData(SESSION_KEY)).toBeNull();
  });
});
