/**
 * Test fixture: the signing forms `GET /v1/eip712` serves on the dev chain's first deployment
 * (Exchange at 0x5FbDB2315678afecb367f032d93F642f64180aa3), exactly as the Python signer writes them:
 * `signing_forms(Domain(31337, "0x5FbDB2315678afecb367f032d93F642f64180aa3"))[T]["signTypedDataV4"]`
 * (backend/signing/typed_data.py).
 */
import type { Eip712Info } from "./signing";

const DOMAIN = {
  name: "HDEX Exchange",
  version: "1",
  chainId: 31337,
  verifyingContract: "0x5FbDB2315678afecb367f032d93F642f64180aa3",
} as const;
const DOMAIN_TYPE = [
  { name: "name", type: "string" },
  { name: "version", type: "string" },
  { name: "chainId", type: "uint256" },
  { name: "verifyingContract", type: "address" },
];
const form = (primaryType: "Order" | "Cancel" | "Withdrawal", fields: [string, string][]) => ({
  signTypedDataV4: {
    types: { EIP712Domain: DOMAIN_TYPE, [primaryType]: fields.map(([name, type]) => ({ name, type })) },
    primaryType,
    domain: DOMAIN,
  },
});
export const DEV_EIP712: Eip712Info = {
  domain: DOMAIN,
  typedData: {
    Order: form("Order", [
      ["maker", "address"], ["baseToken", "address"], ["quoteToken", "address"], ["side", "uint8"],
      ["baseAmount", "uint128"], ["limitPrice", "uint256"], ["triggerPrice", "uint256"], ["maxFeeRate", "uint32"],
      ["nonce", "uint64"], ["expiry", "uint64"], ["flags", "uint32"],
    ]),
    Cancel: form("Cancel", [["maker", "address"], ["orderHash", "bytes32"]]),
    Withdrawal: form("Withdrawal", [
      ["wallet", "address"], ["token", "address"], ["amount", "uint256"], ["maxFee", "uint256"],
      ["recipient", "address"], ["nonce", "uint64"], ["expiry", "uint64"],
    ]),
  },
};
