import { describe, expect, it } from "vitest";
import { showModal } from "./dialog";

// The stylesheet as written (vitest hands CSS imports over empty); the tests run in Node.
const fsModule = "node:fs";
const { readFileSync } = (await import(/* @vite-ignore */ fsModule)) as { readFileSync(path: URL, encoding: "utf8"): string };
const css = readFileSync(new URL("./dialog.css", import.meta.url), "utf8");

/** The declarations of the rule for exactly `selector`. */
function rule(selector: string): string {
  const escaped = selector.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return new RegExp(`(?:^|\\n)${escaped}\\s*\\{([^}]*)\\}`).exec(css)?.[1] ?? "";
}

describe("the dialog's header", () => {
  it("wraps a title with a long unbroken word (a wallet address) instead of overflowing", () => {
    expect(rule(".dialog__header h2")).toMatch(/min-width:\s*0/);
    expect(rule(".dialog__header h2")).toMatch(/overflow-wrap:\s*anywhere/);
  });

  it("keeps the close button its size, so it stays in view beside a long title", () => {
    expect(rule(".dialog__close")).toMatch(/flex-shrink:\s*0/);
  });
});

/** The little of a page the modal's focus handling reads: elements in a tree, and focus that falls to <body> when the
 *  focused element leaves the page (as a browser's does; there is no DOM in these tests). */
class FakePage {
  readonly body: FakeElement = new FakeElement(this);
  focused: FakeElement | null = null;
  get activeElement(): FakeElement {
    return this.focused?.isConnected ? this.focused : this.body;
  }
}

class FakeElement {
  parent: FakeElement | null = null;
  constructor(readonly ownerDocument: FakePage) {}
  get isConnected(): boolean {
    return this === this.ownerDocument.body || (this.parent?.isConnected ?? false);
  }
  add<T extends FakeElement>(child: T): T {
    child.parent = this;
    return child;
  }
  remove(): void {
    this.parent = null;
  }
  contains(other: FakeElement | null): boolean {
    for (let node = other; node; node = node.parent) if (node === this) return true;
    return false;
  }
  focus(): void {
    if (this.isConnected) this.ownerDocument.focused = this;
  }
}

/** A native <dialog>: showModal focuses its first control (here its close button); close leaves focus where it is, so
 *  what the tests see is what `showModal`'s cleanup did, not what a browser may restore by itself. */
class FakeDialog extends FakeElement {
  open = false;
  readonly closeButton = this.add(new FakeElement(this.ownerDocument));
  showModal(): void {
    this.open = true;
    this.closeButton.focus();
  }
  close(): void {
    this.open = false;
  }
}

/** A page with the button that opens the dialog, another field, and the dialog shown from the button. */
function openedFromButton() {
  const page = new FakePage();
  const button = page.body.add(new FakeElement(page));
  const field = page.body.add(new FakeElement(page));
  const dialog = page.body.add(new FakeDialog(page));
  button.focus();
  const close = showModal(dialog as unknown as HTMLDialogElement);
  return { page, button, field, dialog, close };
}

describe("the dialog's focus", () => {
  it("goes into the dialog when it opens", () => {
    const { page, dialog } = openedFromButton();
    expect(dialog.open).toBe(true);
    expect(page.activeElement).toBe(dialog.closeButton);
  });

  it("returns to the button that opened it when the dialog is removed while open", () => {
    const { page, button, dialog, close } = openedFromButton();
    dialog.remove(); // the caller unmounts it (the review of a placed order)
    expect(page.activeElement).toBe(page.body);
    close(); // React's cleanup, after the removal
    expect(page.activeElement).toBe(button);
  });

  it("returns to the button that opened it when the dialog closes with focus inside", () => {
    const { page, button, dialog, close } = openedFromButton();
    close();
    expect(dialog.open).toBe(false);
    expect(page.activeElement).toBe(button);
  });

  it("stays where the page put it since, and on the page when the button is gone", () => {
    const moved = openedFromButton();
    moved.dialog.remove();
    moved.field.focus();
    moved.close();
    expect(moved.page.activeElement).toBe(moved.field);

    const gone = openedFromButton();
    gone.button.remove();
    gone.dialog.remove();
    gone.close();
    expect(gone.page.activeElement).toBe(gone.page.body);
  });
});
