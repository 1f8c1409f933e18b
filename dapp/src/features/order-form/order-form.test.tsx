import { describe, expect, it, vi } from "vitest";
import { providedMarkup } from "../../testing/markup";
import { OrderForm } from "./order-form";
import { DEV_MARKET } from "./test-fixtures";

// A connected wallet (the provider cannot connect without a browser; hoisted, as vi.mock runs before the imports).
const { MAKER } = vi.hoisted(() => ({ MAKER: "0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc" as const }));
vi.mock("../wallet", async (importOriginal) =>
  (await import("../../testing/connected-wallet")).withConnectedWallet(importOriginal, MAKER),
);

const form = (exitPanel: string | null) => providedMarkup(<OrderForm market={DEV_MARKET} exitPanel={exitPanel} />);
const submitButton = (markup: string) => /<button type="submit"[^>]*>/.exec(markup)?.[0] ?? "";

describe("the order form while the wallet's exit is requested", () => {
  it("takes no order, says why and links to the escape hatch to cancel the exit", () => {
    const markup = form("escape-hatch");
    expect(submitButton(markup)).toContain("disabled");
    expect(markup).toContain(
      "You requested an exit from the exchange, so it takes no orders from this wallet. Cancel the exit to trade again.",
    );
    expect(markup).toContain('<a href="#escape-hatch">Go to the escape hatch to cancel the exit</a>');
    // the disabled button says why in its description
    const describedBy = /aria-describedby="([^"]+)"/.exec(submitButton(markup))?.[1] ?? "";
    expect(markup).toContain(`id="${describedBy}"`);
  });

  it("takes orders again once there is no exit", () => {
    const markup = form(null);
    expect(submitButton(markup)).not.toContain("disabled");
    expect(markup).not.toContain("escape hatch");
  });
});
