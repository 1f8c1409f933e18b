import { afterEach, describe, expect, it, vi } from "vitest";
import { ApiError } from "../../lib/api-client";
import { accountApi } from "./account-api";
import { refusedUpload } from "./level2-form";
import { countryShown, profileChange } from "./profile-form";
import { testProfile } from "./test-fixtures";

interface Sent {
  url: string;
  init: RequestInit;
}

/** Replace fetch by one that records each request and answers `body` with `status`. */
function answer(status: number, body: unknown, headers: Record<string, string> = {}): Sent[] {
  const sent: Sent[] = [];
  vi.stubGlobal("fetch", async (url: string, init: RequestInit) => {
    sent.push({ url, init });
    const text = typeof body === "string" ? body : JSON.stringify(body);
    return new Response(text, { status, headers: { "Content-Type": "application/json", ...headers } });
  });
  return sent;
}

afterEach(() => vi.unstubAllGlobals());

const profile = testProfile();

describe("the account API calls", () => {
  it("puts a profile change as JSON with the session cookie", async () => {
    const sent = answer(200, profile);
    await accountApi.updateProfile({ country: "DE" });
    expect(sent[0]?.url).toBe("/v1/account/profile");
    expect(sent[0]?.init.method).toBe("PUT");
    expect(sent[0]?.init.credentials).toBe("same-origin");
    expect(sent[0]?.init.headers).toMatchObject({ "Content-Type": "application/json" });
    expect(JSON.parse(String(sent[0]?.init.body))).toEqual({ country: "DE" });
  });

  it("uploads level 2 documents as multipart form data under the API's field names", async () => {
    const sent = answer(201, { id: 7, level: 2, status: "pending" });
    const identity = new File(["%PDF-1.7"], "passport.pdf", { type: "application/pdf" });
    const proof = new File(["\x89PNG"], "bill.png", { type: "image/png" });
    await accountApi.submitLevel2(identity, proof);
    const body = sent[0]?.init.body;
    expect(body).toBeInstanceOf(FormData);
    expect((body as FormData).get("identityDocument")).toBeInstanceOf(File);
    expect(((body as FormData).get("proofOfAddress") as File).name).toBe("bill.png");
    // The browser writes multipart's boundary itself: no JSON content type may be forced on it.
    expect(sent[0]?.init.headers).not.toHaveProperty("Content-Type");
  });

  it("turns a refused upload into a typed error with the server's code", async () => {
    answer(415, { error: { code: "UPLOAD_TYPE_REFUSED", message: "not a PDF, PNG or JPEG", field: "identityDocument" } });
    const refusal = accountApi.submitLevel2(new File(["MZ"], "id.pdf"), new File(["MZ"], "bill.pdf"));
    await expect(refusal).rejects.toBeInstanceOf(ApiError);
    await expect(refusal).rejects.toMatchObject({ status: 415, code: "UPLOAD_TYPE_REFUSED", field: "identityDocument" });
  });

  it("says at which of the two files the server refused one, so the form shows it there, not as “a file”", async () => {
    answer(413, { error: { code: "UPLOAD_TOO_LARGE", message: "a document is at most 5242880 bytes", field: "proofOfAddress" } });
    const error: unknown = await accountApi.submitLevel2(new File(["%PDF"], "id.pdf"), new File(["%PDF"], "bill.pdf")).catch((caught: unknown) => caught);
    expect(refusedUpload(error)).toBe("proofOfAddress");
    expect(refusedUpload(new ApiError(415, "UPLOAD_TYPE_REFUSED", "a document is a PDF, PNG or JPEG file", "identityDocument"))).toBe("identityDocument");
    // anything else stays the form's own message
    expect(refusedUpload(new ApiError(409, "KYC_ALREADY_PENDING", "a submission is pending", null))).toBeNull();
    expect(refusedUpload(new Error("offline"))).toBeNull();
  });

  it("downloads the data export as a file with its name", async () => {
    answer(200, { profile }, { "Content-Disposition": 'attachment; filename="hdex-export.json"' });
    const file = await accountApi.exportData();
    expect(file.fileName).toBe("hdex-export.json");
    expect(file.contentType).toBe("application/json");
    expect(JSON.parse(await file.blob.text())).toEqual({ profile });
  });

  it("reads the limits of the signed-in wallet's own address", async () => {
    const sent = answer(200, {});
    await accountApi.limits(profile.address);
    expect(sent[0]?.url).toBe(`/v1/accounts/${profile.address}/limits`);
  });
});

describe("profileChange", () => {
  const form = { email: "ada@example.com", country: "GB", notifications: profile.notifications };

  it("sends nothing when nothing changed, so saving never mails a new link by itself", () => {
    expect(profileChange(profile, form)).toEqual({});
  });

  it("sends only what changed: a new e-mail (lower case), a country, a switched notification", () => {
    expect(profileChange(profile, { ...form, email: " Ada@Example.org " })).toEqual({ email: "ada@example.org" });
    expect(profileChange(profile, { ...form, country: "DE", notifications: { ...form.notifications, news: true } })).toEqual({
      country: "DE",
      notifications: { news: true },
    });
  });

  it("removes the e-mail address when the field is emptied", () => {
    expect(profileChange(profile, { ...form, email: "" })).toEqual({ email: null });
  });
});

describe("the profile's country in the form", () => {
  it("follows the profile when the user chose none here: a level-1 submission declares it under an open form", () => {
    // The form opened with no country declared; the submission then set the profile's to Germany. The select must
    // show Germany, not "" (a value no option has once the "Not declared" choice is gone: the browser shows Afghanistan).
    const declared = { ...profile, country: "DE" };
    expect(countryShown("", declared)).toBe("DE");
    expect(profileChange(declared, { email: declared.email ?? "", country: countryShown("", declared), notifications: declared.notifications })).toEqual({});
  });

  it("keeps what the user chose, and shows none while neither the user nor the profile has one", () => {
    expect(countryShown("FR", { ...profile, country: "DE" })).toBe("FR");
    expect(countryShown("", { ...profile, country: null })).toBe("");
  });
});
