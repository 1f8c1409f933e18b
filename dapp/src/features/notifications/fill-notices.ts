/**
 * One notice per order for its fills. The server sends a `fill` message per trade and, when a trade completes the
 * order, an `order` message (event `filled`) in the same batch, just before that last fill's message: a market order
 * that takes three levels sends three fills and one "filled". So a fill waits a moment for its order's other fills
 * and for that "filled": if the order completed, its notice says it all and the fills add none; if not, the fills
 * become one "partly filled" notice with what the order has filled of its amount.
 */
import type { Notice } from "./account-notices";

/** How long a fill waits for the rest of its batch (messages of one batch arrive back to back). */
export const FILL_HOLD_MS = 400;

const REMEMBERED = 500; // fill keys and completed orders kept, to drop repeats (the channel delivers at least once)

/** The order a fill belongs to, as last read (before the fill): its signed amount and what it had filled then. */
export interface OrderProgress {
  baseAmount: bigint;
  filled: bigint;
}

interface Held {
  key: string;
  market: string;
  side: string;
  base: bigint;
  quote: bigint;
  /** The order as read when its first held fill came; null when it was not read yet (placed a moment ago). */
  progress: OrderProgress | null;
  timer: ReturnType<typeof setTimeout>;
}

type Message = Record<string, unknown>;

const str = (value: unknown): string => (typeof value === "string" ? value : "");
const UNITS = /^\d+$/;

/** Remember `value` in `set`, forgetting the oldest past `REMEMBERED`; false when it was there already. */
function remember(set: Set<string>, value: string): boolean {
  if (set.has(value)) return false;
  set.add(value);
  if (set.size > REMEMBERED) set.delete(set.values().next().value as string);
  return true;
}

export class FillNotices {
  private readonly held = new Map<string, Held>();
  private readonly seen = new Set<string>();
  private readonly completed = new Set<string>();

  /** `emit` shows a notice; `progress` finds an order of the wallet as last read. */
  constructor(
    private readonly emit: (notice: Notice) => void,
    private readonly progress: (hash: string) => OrderProgress | undefined,
    private readonly holdMs = FILL_HOLD_MS,
  ) {}

  /** A `fill` message of the account channel. */
  fill(message: Message): void {
    const key = `fill:${str(message.id)}:${str(message.liquidity)}`;
    const order = str(message.liquidity === "maker" ? message.makerOrderHash : message.takerOrderHash);
    const base = str(message.baseAmount);
    const quote = str(message.quoteAmount);
    if (!UNITS.test(base) || !UNITS.test(quote) || !remember(this.seen, key) || this.completed.has(order)) return;
    const held = this.held.get(order);
    if (held) {
      held.base += BigInt(base);
      held.quote += BigInt(quote);
      return;
    }
    const read = this.progress(order);
    this.held.set(order, {
      key,
      market: str(message.market),
      side: str(message.side),
      base: BigInt(base),
      quote: BigInt(quote),
      progress: read ?? null,
      timer: setTimeout(() => this.release(order), this.holdMs),
    });
  }

  /** The order `hash` completed and its notice was shown: its fills, held or still to come, need none. */
  complete(hash: string): void {
    remember(this.completed, hash);
    const held = this.held.get(hash);
    if (held) clearTimeout(held.timer);
    this.held.delete(hash);
  }

  /** Drop what is held (the page leaves, or the wallet changes). */
  clear(): void {
    for (const held of this.held.values()) clearTimeout(held.timer);
    this.held.clear();
  }

  private release(order: string): void {
    const held = this.held.get(order);
    this.held.delete(order);
    if (!held) return;
    const { key, market, side, base, quote, progress } = held;
    const amounts = { market, base: base.toString(), quote: quote.toString() };
    this.emit({
      key,
      kind: "success",
      title: progress ? "notify.partFill" : "notify.partFillNoTotal",
      body: "notify.filledBody",
      values: { side, market },
      amounts: progress ? { ...amounts, filled: (progress.filled + base).toString(), total: progress.baseAmount.toString() } : amounts,
    });
  }
}
