import { describe, expect, it } from "vitest";
import { ApiError } from "../../lib/api-client";
import { forumErrorMessage, forumPaths, forumView, messageProblem, reasonProblem, searchSort, titleProblem } from "./forum-api";

describe("forum paths", () => {
  it("name the categories, a category, a thread and the search", () => {
    expect(forumView(null)).toEqual({ kind: "home" });
    expect(forumView("")).toEqual({ kind: "home" });
    expect(forumView("c/trading")).toEqual({ kind: "category", slug: "trading" });
    expect(forumView("t/42")).toEqual({ kind: "thread", id: 42 });
    expect(forumView("search")).toEqual({ kind: "search" });
  });

  it("refuse anything else, so nothing is fetched for it", () => {
    for (const rest of ["c/Trading", "c/-x", "t/0", "t/01", "t/abc", "t/99999999999", "t/1/2", "x", "c/"])
      expect(forumView(rest)).toEqual({ kind: "unknown" });
  });

  it("round-trip through the links the pages make", () => {
    expect(forumView(forumPaths.category("bots").slice("/forum/".length))).toEqual({ kind: "category", slug: "bots" });
    expect(forumView(forumPaths.thread(7).slice("/forum/".length))).toEqual({ kind: "thread", id: 7 });
    expect(forumPaths.search("a&b c")).toBe("/forum/search?q=a%26b%20c");
    expect(forumPaths.search("a", "newest")).toBe("/forum/search?q=a&sort=newest");
  });

  it("read a search's order from its ?sort=, best match first unless it asks for the newest", () => {
    expect(searchSort("newest")).toBe("newest");
    for (const value of [null, "", "relevance", "NEWEST", "oldest"]) expect(searchSort(value)).toBe("relevance");
  });
});

describe("forum refusals", () => {
  it("are worded by the page for a ban, a lock, a flood (with its wait) and a missing session", () => {
    expect(forumErrorMessage(new ApiError(403, "FORUM_BANNED", "banned"))).toEqual({ key: "forum.error.banned" });
    expect(forumErrorMessage(new ApiError(409, "FORUM_THREAD_LOCKED", "locked"))).toEqual({ key: "forum.error.locked" });
    expect(forumErrorMessage(new ApiError(429, "FORUM_POSTING_LIMITED", "slow down", null, 42))).toEqual({
      key: "forum.error.limitedFor",
      params: { seconds: 42 },
    });
    expect(forumErrorMessage(new ApiError(429, "FORUM_POSTING_LIMITED", "slow down"))).toEqual({ key: "forum.error.limited" });
    expect(forumErrorMessage(new ApiError(401, "NOT_SIGNED_IN", "sign in"))).toEqual({ key: "forum.error.notSignedIn" });
  });

  it("leave other errors to the API's own message", () => {
    expect(forumErrorMessage(new ApiError(422, "INVALID_FIELD", "a title is 3 to 200 characters", "title"))).toBeNull();
    expect(forumErrorMessage(new Error("boom"))).toBeNull();
  });
});

describe("forum form checks", () => {
  it("want a title of 3 to 200 characters, a message and a reason", () => {
    expect(titleProblem("  ab  ")?.key).toBe("forum.problem.title");
    expect(titleProblem("x".repeat(201))?.key).toBe("forum.problem.title");
    expect(titleProblem(" Fees  on  WETH ")).toBeNull();
    expect(messageProblem(" \n ")?.key).toBe("forum.problem.message");
    expect(messageProblem("x".repeat(20_001))?.key).toBe("forum.problem.message");
    expect(messageProblem("**hi**")).toBeNull();
    expect(reasonProblem("")?.key).toBe("forum.problem.reason");
    expect(reasonProblem("spam")).toBeNull();
  });
});
