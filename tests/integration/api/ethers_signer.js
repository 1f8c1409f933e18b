// Independent signer for the parity tests: reads [{key, domain, types, message}] as JSON on stdin and
// prints [{digest, signature}] computed by ethers v6 (TypedDataEncoder.hash, Wallet.signTypedData),
// with `domain` and `types` passed exactly as given: ethers throws on a form it does not take.
const { ethers } = require("ethers");

let input = "";
process.stdin.on("data", (chunk) => (input += chunk));
process.stdin.on("end", async () => {
  const out = [];
  try {
    for (const c of JSON.parse(input)) {
      const digest = ethers.TypedDataEncoder.hash(c.domain, c.types, c.message);
      const signature = await new ethers.Wallet(c.key).signTypedData(c.domain, c.types, c.message);
      out.push({ digest, signature });
    }
  } catch (error) {
    process.stderr.write(`${error.shortMessage || error.message}\n`); // ethers' own words, for the test report
    process.exit(1);
  }
  process.stdout.write(JSON.stringify(out));
});
