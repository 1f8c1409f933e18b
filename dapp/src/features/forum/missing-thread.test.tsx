import { describe, expect, it } from "vitest";
import { ApiError } from "../../lib/api-client";
import { providedMarkup } from "../../testing/markup";
import ForumPage from "./forum-page";

const threadPage = (error: Error) => providedMarkup(<ForumPage rest="t/4" />, [], [[["forum", "thread", 4], error]]);

describe("a thread that cannot be shown", () => {
  it("when it is gone, offers the way back to the forum instead of asking again", () => {
    const markup = threadPage(new ApiError(404, "FORUM_THREAD_NOT_FOUND", "no such thread", null, null));
    expect(markup).toContain('href="/forum"');
    expect(markup).toContain("Back to the forum");
    expect(markup).not.toContain(">Retry<");
  });

  it("when the server did not answer, offers to ask again", () => {
    const markup = threadPage(new ApiError(0, "NETWORK_ERROR", "offline", null, null));
    expect(markup).toContain(">Retry<");
    expect(markup).not.toContain("Back to the forum");
  });
});
