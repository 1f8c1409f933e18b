/**
 * First-party, pseudonymous behaviour data for the statistics funnel (connected -> signed in -> deposited ->
 * traded): when a wallet connects, the app tells HDEX's own API which wallet (`POST /v1/stats/events`), once
 * per address and page load. Nothing else is sent (no third-party tracker); a refusal is ignored.
 */
import { useEffect } from "react";
import { api } from "../../lib/api-client";

const reported = new Set<string>();

/** Report `address` as connected, unless this page already did. Returns whether it sent a report. */
export function reportConnected(address: string, post: (path: string, body: unknown) => Promise<unknown> = api.post): boolean {
  const key = address.toLowerCase();
  if (reported.has(key)) return false;
  reported.add(key);
  post("/v1/stats/events", { event: "wallet_connected", wallet: address }).catch(() => undefined);
  return true;
}

export function useConnectedEvent(address: string | null): void {
  useEffect(() => {
    if (address) reportConnected(address);
  }, [address]);
}
