import { describe, expect, it } from "vitest";
import { providedMarkup } from "../../testing/markup";
import { RequestExitDialog } from "./exit-panel";

const dialog = (openOrders: number | null) =>
  providedMarkup(<RequestExitDialog open delay="01:00:00" openOrders={openOrders} onConfirm={() => undefined} onCancel={() => undefined} />);

describe("requesting an exit", () => {
  it("is asked first, saying the wallet's open orders are cancelled and how many there are", () => {
    const markup = dialog(3);
    expect(markup).toContain("Request an exit?");
    expect(markup).toContain("The exchange cancels every open order of this wallet at once (3 now) and takes no new ones until you cancel the exit.");
    expect(markup).toContain("Your exit opens in 01:00:00; then you take each token out of the contract yourself.");
    expect(markup).toMatch(/<button type="button" class="button">Keep trading<\/button>/);
    expect(markup).toMatch(/<button type="button" class="button button--sell">Request exit<\/button>/);
  });

  it("without open orders (or before they are read), says no orders are taken until the exit is cancelled", () => {
    for (const openOrders of [0, null]) {
      const markup = dialog(openOrders);
      expect(markup).toContain("The exchange takes no orders from this wallet until you cancel the exit.");
      expect(markup).not.toContain("now)");
    }
  });
});
