import "./messages";
import { describe, expect, it } from "vitest";
import { translate, type MessageKey, type MessageParams } from "../../i18n";
import { ApiError } from "../../lib/api-client";
import { accountErrorText } from "./error-text";

const inLocale = (locale: string) => (key: MessageKey, params?: MessageParams) => translate(locale, key, params);
// As the server refuses a saved address whose inbox has its links out (backend/accounts/service.py)
const inboxFull = new ApiError(429, "RATE_LIMITED", "no new link was mailed to this address: ...; a new one can be mailed in 24 hours", "email", 86_400);

describe("accountErrorText", () => {
  it("says in the user's language why no verification link was mailed, and when one can be (it was English only)", () => {
    expect(accountErrorText(inboxFull, inLocale("zh-CN"))).toBe("未发送新链接：此邮箱中已有仍然有效的验证链接（也请查看垃圾邮件文件夹）。24 小时后可再次申请。");
    expect(accountErrorText(inboxFull, inLocale("en"))).toBe(
      "No new link was mailed: this inbox already has verification links that still work (look in its spam folder too). You can ask for a new one in 24 h.",
    );
  });

  it("words a client's rate limit with its wait, in minutes up to two hours as the server rounds it", () => {
    const perClient = new ApiError(429, "RATE_LIMITED", "rate limit of 10 per 1 hour exceeded for this kyc_upload", null, 61);
    expect(accountErrorText(perClient, inLocale("zh-CN"))).toBe("您的连接发出的此类请求过多，请在 2 分钟后重试。");
    expect(accountErrorText(new ApiError(429, "RATE_LIMITED", "x", null, 7200), inLocale("en"))).toBe(
      "Too many requests of this kind from your connection. Try again in 120 min.",
    );
  });

  it("keeps the server's message for a 429 that says no wait, and for codes it has no words of its own for", () => {
    expect(accountErrorText(new ApiError(429, "RATE_LIMITED", "slow down", "email", null), inLocale("zh-CN"))).toBe("slow down");
    expect(accountErrorText(new ApiError(422, "INVALID_FIELD", "not an e-mail address", "email"), inLocale("zh-CN"))).toBe("not an e-mail address");
    expect(accountErrorText(new ApiError(415, "UPLOAD_TYPE_REFUSED", "x", "identityDocument"), inLocale("zh-CN"))).toContain("PDF");
  });
});
