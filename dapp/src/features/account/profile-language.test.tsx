import "./messages";
import { MutationObserver, QueryClient } from "@tanstack/react-query";
import { afterEach, describe, expect, it, vi } from "vitest";
import { providedMarkup } from "../../testing/markup";
import { ProfileForm } from "./profile-form";
import { accountKeys, profileLanguage, updateProfileMutation, useUpdateProfile, type ProfileChange } from "./account-api";
import { TEST_WALLET, testProfile } from "./test-fixtures";

const ADDRESS = TEST_WALLET;
const profile = testProfile({ emailVerified: false, language: "zh-CN" });

/** Replace fetch by one that records each request's JSON body and answers the profile. */
function answering(): unknown[] {
  const bodies: unknown[] = [];
  vi.stubGlobal("fetch", async (_url: string, init: RequestInit) => {
    bodies.push(JSON.parse(String(init.body)));
    return new Response(JSON.stringify(profile), { status: 200, headers: { "Content-Type": "application/json" } });
  });
  return bodies;
}

afterEach(() => vi.unstubAllGlobals());

const save = (locale: string, change: ProfileChange) => {
  const client = new QueryClient();
  return new MutationObserver(client, updateProfileMutation(client, ADDRESS, locale)).mutate(change);
};

describe("the profile's language", () => {
  it("is the page's with every save, so that the server mails in it", async () => {
    const bodies = answering();
    await save("zh-CN", { notifications: { news: true } });
    await save("en", { country: "DE" });
    expect(bodies).toEqual([
      { notifications: { news: true }, language: "zh-CN" },
      { country: "DE", language: "en" },
    ]);
  });

  it("goes with a request for a new verification link", async () => {
    const bodies = answering();
    await save("zh-CN", { email: "ada@example.com" });
    expect(bodies).toEqual([{ email: "ada@example.com", language: "zh-CN" }]);
  });

  it("is English for a page language the server does not write", () => {
    expect(["en", "zh-CN", "de", "zh-TW", ""].map(profileLanguage)).toEqual(["en", "zh-CN", "en", "en", "en"]);
  });

  it("is read from the language the page speaks (the browser's here) by the profile form's hook", async () => {
    vi.stubGlobal("navigator", { language: "zh-CN", languages: ["zh-CN", "en"] });
    const bodies = answering();
    let saved: Promise<unknown> | undefined;
    function Saving() {
      const update = useUpdateProfile(ADDRESS);
      saved ??= update.mutateAsync({ country: "DE" });
      return null;
    }
    providedMarkup(<Saving />, [[accountKeys.profile(ADDRESS), profile]]);
    await saved;
    expect(bodies).toEqual([{ country: "DE", language: "zh-CN" }]);
  });

  it("is shown on the profile form, named in itself", () => {
    const markup = providedMarkup(<ProfileForm profile={profile} address={ADDRESS} />);
    expect(markup).toContain("E-mails from HDEX come in 简体中文. Saving this form sets them to the language of this page.");
  });
});
