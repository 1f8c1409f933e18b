/** EIP-4361 (Sign-In with Ethereum) messages, built exactly as the specification lays them out. */

export interface SiweFields {
  /** The site asking (RFC 3986 authority: `location.host`). */
  domain: string;
  /** EIP-55 checksummed address. */
  address: string;
  statement?: string;
  /** The resource the session is for (`location.origin`). */
  uri: string;
  chainId: number;
  /** From `GET /v1/auth/nonce`: at least 8 alphanumeric characters, used once. */
  nonce: string;
  issuedAt: Date;
  expirationTime?: Date;
}

export const SIWE_STATEMENT = "Sign in to HDEX. This signature proves you own this wallet; it moves no funds.";

/** The message text the wallet shows and signs with personal_sign. */
export function buildSiweMessage(fields: SiweFields): string {
  const lines = [`${fields.domain} wants you to sign in with your Ethereum account:`, fields.address, ""];
  // EIP-4361's grammar: address LF LF [statement LF] LF "URI: ": two blank lines when there is no statement.
  if (fields.statement) lines.push(fields.statement);
  lines.push("");
  lines.push(
    `URI: ${fields.uri}`,
    "Version: 1",
    `Chain ID: ${fields.chainId}`,
    `Nonce: ${fields.nonce}`,
    `Issued At: ${fields.issuedAt.toISOString()}`,
  );
  if (fields.expirationTime) lines.push(`Expiration Time: ${fields.expirationTime.toISOString()}`);
  return lines.join("\n");
}
