/** "0x1234…abcd": enough to recognise an address, short enough for a header. */
export function shortAddress(address: string): string {
  return address.length > 12 ? `${address.slice(0, 6)}…${address.slice(-4)}` : address;
}

/** Whether `a` and `b` are the same account, whatever their letter case (EIP-55 or not); null is no account. */
export function sameAddress(a: string | null | undefined, b: string | null | undefined): boolean {
  return Boolean(a && b && a.toLowerCase() === b.toLowerCase());
}
