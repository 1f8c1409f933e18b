// Independent signer for the parity tests: reads [{key, domain, types, primaryType, message}] as JSON
// on stdin, prints [{digest, signature}] computed by ethers v6 (TypedDataEncoder, Wallet.signTypedData).
const { ethers } = require("ethers");

let input = "";
process.stdin.on("data", (chunk) => (input += chunk));
process.stdin.on("end", async () => {
  const out = [];
  for (const c of JSON.parse(input)) {
    const types = { [c.primaryType]: c.types[c.primaryType] }; // ethers derives EIP712Domain itself
    const digest = ethers.TypedDataEncoder.hash(c.domain, types, c.message);
    const signature = await new ethers.Wallet(c.key).signTypedData(c.domain, types, c.message);
    out.push({ digest, signature });
  }
  process.stdout.write(JSON.stringify(out));
});
