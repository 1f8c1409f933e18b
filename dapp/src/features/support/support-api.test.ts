import { afterEach, describe, expect, it, vi } from "vitest";
import { supportApi } from "./support-api";

interface Sent {
  url: string;
  init: RequestInit;
}

/** Replace fetch by one that records each request and answers a ticket. */
function answer(): Sent[] {
  const sent: Sent[] = [];
  vi.stubGlobal("fetch", async (url: string, init: RequestInit) => {
    sent.push({ url, init });
    return new Response(JSON.stringify({ ticket: { id: 7 }, messages: [] }), { status: 201, headers: { "Content-Type": "application/json" } });
  });
  return sent;
}

afterEach(() => vi.unstubAllGlobals());

describe("a reply", () => {
  it("is JSON without a file, as before", async () => {
    const sent = answer();
    await supportApi.reply(7, { body: "Still nothing", attachment: null });
    expect(sent[0]?.url).toBe("/v1/support/tickets/7/replies");
    expect(sent[0]?.init.headers).toMatchObject({ "Content-Type": "application/json" });
    expect(JSON.parse(String(sent[0]?.init.body))).toEqual({ body: "Still nothing" });
  });

  it("is multipart form data with a file: the same body field and the file as attachment, under its name", async () => {
    const sent = answer();
    const screenshot = new File(["\x89PNG"], "transaction.png", { type: "image/png" });
    await supportApi.reply(7, { body: "The transaction", attachment: screenshot });
    const body = sent[0]?.init.body;
    expect(body).toBeInstanceOf(FormData);
    const form = body as FormData;
    expect([...form.keys()]).toEqual(["body", "attachment"]);
    expect(form.get("body")).toBe("The transaction");
    expect((form.get("attachment") as File).name).toBe("transaction.png");
    expect(sent[0]?.init.headers).not.toHaveProperty("Content-Type"); // the browser writes the boundary
  });
});

describe("a new ticket", () => {
  it("is multipart form data with the file only if one was picked", async () => {
    const sent = answer();
    await supportApi.open({ category: "deposit", subject: "  Missing deposit ", message: "Where?", attachment: null });
    const form = sent[0]?.init.body as FormData;
    expect([...form.entries()]).toEqual([
      ["category", "deposit"],
      ["subject", "Missing deposit"],
      ["message", "Where?"],
    ]);
  });
});

describe("a file of the conversation", () => {
  it("is fetched under its ticket with the session cookie, as the bytes and type the server sent", async () => {
    const sent: Sent[] = [];
    vi.stubGlobal("fetch", async (url: string, init: RequestInit) => {
      sent.push({ url, init });
      return new Response(new Uint8Array([0x25, 0x50, 0x44, 0x46]), { status: 200, headers: { "Content-Type": "application/pdf" } });
    });
    const file = await supportApi.attachment(7, 31);
    expect(sent[0]?.url).toBe("/v1/support/tickets/7/attachments/31");
    expect(sent[0]?.init.credentials).toBe("same-origin");
    expect(file.contentType).toBe("application/pdf");
    expect(new Uint8Array(await file.blob.arrayBuffer())).toEqual(new Uint8Array([0x25, 0x50, 0x44, 0x46]));
  });
});
