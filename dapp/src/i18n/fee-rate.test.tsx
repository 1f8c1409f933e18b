import { describe, expect, it } from "vitest";
import { providedMarkup } from "../testing/markup";
import { useI18n } from "./i18n-context";

function Rate({ millionths }: { millionths: number }) {
  return <output>{useI18n().formatFeeRate(millionths)}</output>;
}

function rate(millionths: number): string {
  return /<output>(.*?)<\/output>/.exec(providedMarkup(<Rate millionths={millionths} />))?.[1] ?? "";
}

describe("a fee rate in millionths", () => {
  it("shows exactly, never rounded away to 0.00% (a withdrawal fee of 40 millionths)", () => {
    expect(rate(40)).toBe("0.004%");
    expect(rate(250)).toBe("0.025%");
    expect(rate(1)).toBe("0.0001%");
    expect(rate(2_000)).toBe("0.2%");
    expect(rate(0)).toBe("0%");
  });
});
