import { describe, expect, it } from "vitest";
import { afterSend, type MessageDraft } from "./message-draft";

const file = (name: string) => new File(["%PDF-1.4"], name, { type: "application/pdf" });

describe("a reply's draft once its send succeeds", () => {
  it("is empty with a new file input when nothing changed while sending", () => {
    const receipt = file("receipt.pdf");
    const now: MessageDraft = { body: "Here it is", attachment: receipt, picker: 2 };
    expect(afterSend(now, { body: "Here it is", attachment: receipt })).toEqual({ body: "", attachment: null, picker: 3 });
  });

  it("keeps the text typed on and the file picked while the send was on its way", () => {
    const receipt = file("receipt.pdf");
    const statement = file("statement.pdf");
    const now: MessageDraft = { body: "Here it is\nand the statement", attachment: statement, picker: 0 };
    const left = afterSend(now, { body: "Here it is", attachment: receipt });
    expect(left).toEqual({ body: "and the statement", attachment: statement, picker: 0 });
    expect(left.attachment).toBe(statement);
  });

  it("leaves a file picked during a send that carried none, and its input", () => {
    const receipt = file("receipt.pdf");
    const now: MessageDraft = { body: "Here it is", attachment: receipt, picker: 1 };
    expect(afterSend(now, { body: "Here it is", attachment: null })).toEqual({ body: "", attachment: receipt, picker: 1 });
  });
});
