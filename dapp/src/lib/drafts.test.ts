import { describe, expect, it } from "vitest";
import { unsentRest } from "./drafts";

describe("what a message box keeps once its text is sent", () => {
  it("is empty when nothing was typed while the send was on its way", () => {
    expect(unsentRest("Thanks, that worked.", "Thanks, that worked.")).toBe("");
  });

  it("keeps what was typed on after the sent text, without the whitespace that joined them", () => {
    expect(unsentRest("Thanks, that worked.\n\nOne more question:", "Thanks, that worked.")).toBe("One more question:");
  });

  it("keeps the whole text when the writer changed what was sent (it is theirs to send again)", () => {
    expect(unsentRest("Thanks, that wroked.", "Thanks, that worked.")).toBe("Thanks, that wroked.");
    expect(unsentRest("", "Thanks")).toBe("");
  });
});
