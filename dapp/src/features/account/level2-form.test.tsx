import "./messages";
import { describe, expect, it } from "vitest";
import { providedMarkup } from "../../testing/markup";
import { Level2Form } from "./level2-form";

describe("the level-2 form", () => {
  it("says the formats and the size limit under both files, the proof of address too", () => {
    const markup = providedMarkup(<Level2Form address="0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc" rejection={null} />);
    expect(markup.match(/PDF, PNG or JPEG, at most 5\.0 MB\./g)).toHaveLength(2);
  });
});
