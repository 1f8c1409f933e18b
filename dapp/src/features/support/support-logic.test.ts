import { describe, expect, it } from "vitest";
import {
  attachmentProblem,
  durationWords,
  mayAnswer,
  messageProblem,
  replyProblems,
  ticketIdOf,
  ticketProblems,
  MAX_ATTACHMENT_BYTES,
  MAX_MESSAGE_CHARS,
} from "./support-logic";

const file = (name: string, type: string, size = 1000) => ({ name, type, size });

describe("a new ticket's checks", () => {
  it("pass a complete ticket with or without an attachment", () => {
    const draft = { category: "deposit", subject: "Deposit missing", message: "Where is it?", attachment: null };
    expect(ticketProblems(draft)).toEqual({});
    expect(ticketProblems({ ...draft, attachment: file("shot.png", "image/png") })).toEqual({});
  });

  it("name each field that is missing or wrong", () => {
    const problems = ticketProblems({ category: "", subject: "  ", message: "", attachment: file("virus.exe", "application/x-msdownload") });
    expect(Object.keys(problems).sort()).toEqual(["attachment", "category", "message", "subject"]);
    expect(problems.category?.key).toBe("support.problem.category");
    expect(problems.subject?.key).toBe("support.problem.required");
  });

  it("refuse a category outside the fixed list and a subject of two lines or too long", () => {
    expect(ticketProblems({ category: "lottery", subject: "a", message: "b", attachment: null }).category).toBeDefined();
    expect(ticketProblems({ category: "kyc", subject: "a\nBcc: x", message: "b", attachment: null }).subject?.key).toBe("support.problem.subject");
    expect(ticketProblems({ category: "kyc", subject: "x".repeat(201), message: "b", attachment: null }).subject?.params).toEqual({ max: 200 });
  });
});

describe("a message", () => {
  it("needs some text and at most the server's length", () => {
    expect(messageProblem(" \n ")?.key).toBe("support.problem.required");
    expect(messageProblem("x".repeat(MAX_MESSAGE_CHARS))).toBeNull();
    expect(messageProblem("x".repeat(MAX_MESSAGE_CHARS + 1))?.key).toBe("support.problem.message");
  });
});

describe("a reply's checks", () => {
  it("pass some text with or without a file", () => {
    expect(replyProblems({ body: "Here it is", attachment: null })).toEqual({});
    expect(replyProblems({ body: "Here it is", attachment: file("tx.jpeg", "image/jpeg") })).toEqual({});
  });

  it("name an empty body and a file the server would refuse, as the opening form does", () => {
    const problems = replyProblems({ body: " ", attachment: file("tx.png", "image/png", MAX_ATTACHMENT_BYTES + 1) });
    expect(problems).toEqual({
      body: { key: "support.problem.required" },
      attachment: { key: "support.problem.attachmentSize", params: { max: 5 } },
    });
    expect(replyProblems({ body: "see file", attachment: file("tx.exe", "application/x-msdownload") }).attachment?.key).toBe("support.problem.attachmentType");
  });
});

describe("an attachment", () => {
  it("is a PNG, JPEG or PDF within the size limit", () => {
    expect(attachmentProblem(file("a.png", "image/png"))).toBeNull();
    expect(attachmentProblem(file("a.jpg", "image/jpeg"))).toBeNull();
    expect(attachmentProblem(file("a.pdf", "application/pdf"))).toBeNull();
    expect(attachmentProblem(file("a.pdf", ""))).toBeNull(); // no declared type: the name decides here, the bytes on the server
    expect(attachmentProblem(file("a.html", "text/html"))?.key).toBe("support.problem.attachmentType");
    expect(attachmentProblem(file("a.png", "image/png", MAX_ATTACHMENT_BYTES + 1))?.key).toBe("support.problem.attachmentSize");
  });
});

describe("durations in words", () => {
  it("go from under a minute to days and hours", () => {
    expect(durationWords(59_000)).toEqual({ key: "support.duration.underMinute" });
    expect(durationWords(5 * 60_000)).toEqual({ key: "support.duration.minutes", params: { minutes: 5 } });
    expect(durationWords(125 * 60_000)).toEqual({ key: "support.duration.hours", params: { hours: 2, minutes: 5 } });
    expect(durationWords(50 * 3_600_000)).toEqual({ key: "support.duration.days", params: { days: 2, hours: 2 } });
  });
});

describe("the page's path", () => {
  it("names a ticket by a positive id only", () => {
    expect(ticketIdOf(null)).toBeNull();
    expect(ticketIdOf("42")).toBe(42);
    expect(["0", "-1", "abc", "4.2", "042", "99999999999", "2147483648"].map(ticketIdOf)).toEqual(Array(7).fill(null));
  });

  it("lets the wallet answer and close anything but a closed ticket", () => {
    expect((["open", "waiting_for_user", "resolved", "closed"] as const).map(mayAnswer)).toEqual([true, true, true, false]);
  });
});
