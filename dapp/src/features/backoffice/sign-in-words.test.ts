import "./messages";
import { describe, expect, it } from "vitest";
import { translate } from "../../i18n";
import { ApiError } from "../../lib/api-client";
import { newPasswordProblem, resetTokenOf } from "./password-page";
import { totpCode } from "./sign-in";
import { staffErrorText } from "./staff-errors";

const t = (key: Parameters<typeof translate>[1], params?: Record<string, string | number>) => translate("en", key, params);

describe("totpCode", () => {
  it("takes six digits as people type them and nothing else", () => {
    expect(totpCode("123 456")).toBe("123456");
    expect(totpCode("123-456")).toBe("123456");
    expect(totpCode("12345")).toBeNull();
    expect(totpCode("12345a")).toBeNull();
  });
});

describe("the password link page", () => {
  it("reads the token from the fragment only", () => {
    expect(resetTokenOf("#token=AbCdEfGh_123-xyz")).toBe("AbCdEfGh_123-xyz");
    expect(resetTokenOf("#token=")).toBeNull();
    expect(resetTokenOf("")).toBeNull();
  });

  it("asks for 12 to 256 characters typed twice alike", () => {
    expect(newPasswordProblem("short", "short")).toBe("backoffice.password.length");
    expect(newPasswordProblem("a long passphrase", "a long passphrasE")).toBe("backoffice.password.mismatch");
    expect(newPasswordProblem("a long passphrase", "a long passphrase")).toBeNull();
  });
});

describe("staffErrorText", () => {
  it("says plainly that the role may not, naming what the server refused", () => {
    const error = new ApiError(403, "STAFF_FORBIDDEN", "the support role may not do this (kyc.documents.read)");
    expect(staffErrorText(error, t)).toBe("Your role may not do this; the server refused it (the support role may not do this (kyc.documents.read)).");
  });

  it("keeps the server's words for a 403 that is not about the role", () => {
    const error = new ApiError(403, "ADDRESS_BLOCKED", "0xAb is still blocked (deny-list: theft): its deposit stays frozen");
    expect(staffErrorText(error, t)).toBe("0xAb is still blocked (deny-list: theft): its deposit stays frozen");
  });

  it("asks for a reload on a stale CSRF token and says how long a lock-out lasts", () => {
    expect(staffErrorText(new ApiError(403, "STAFF_CSRF_FAILED", "send the token"), t)).toBe(
      "This page's security token is out of date. Reload the page and try again.",
    );
    expect(staffErrorText(new ApiError(429, "STAFF_LOCKED", "locked", null, 120), t)).toBe("Too many failed sign-ins: try again in 120 seconds.");
  });
});
