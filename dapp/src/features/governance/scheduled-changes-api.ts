/** The changes scheduled through the Custody timelock that may still run (GET /v1/scheduled-changes). */
import { api } from "../../lib/api-client";

export interface ChangeArgument {
  name: string;
  /** As the chain reads it: integers in base units, addresses, 0x-hex bytes. */
  value: string;
  human: string | null;
}

export interface ScheduledChange {
  id: string;
  target: string;
  value: string;
  /** `Exchange`, `Custody`, `ERC20`; null: calldata no known ABI decodes. */
  contract: string | null;
  function: string | null;
  arguments: ChangeArgument[];
  /** The call the chain will run, as one line: `Exchange.setFeeSchedule(makerFeeRate=1500, takerFeeRate=2500)`. */
  description: string;
  /** From when anyone may run it (the chain's clock), epoch ms. */
  readyAt: number;
  expiresAt: number;
  status: "waiting" | "due";
}

export interface ScheduledChanges {
  /** The Exchange's admin now; null: no Exchange deployed. */
  admin: string | null;
  /** Whether the admin is HDEX's Custody, whose changes wait out its timelock (and are listed here). */
  timelocked: boolean;
  custody: string | null;
  chainTime: number | null;
  changes: ScheduledChange[];
}

export const scheduledChangesApi = {
  current: () => api.get<ScheduledChanges>("/v1/scheduled-changes"),
};
