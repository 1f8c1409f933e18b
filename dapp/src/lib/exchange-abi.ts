/**
 * The Exchange contract's functions the dApp calls itself, from the wallet (contracts/interfaces/IExchange.sol):
 * deposits, the escape hatch and the on-chain cancels. One list, so that a signature is written once.
 */
import { parseAbi } from "viem";

export const exchangeAbi = parseAbi([
  "struct Order { address maker; address baseToken; address quoteToken; uint8 side; uint128 baseAmount; uint256 limitPrice; uint256 triggerPrice; uint32 maxFeeRate; uint64 nonce; uint64 expiry; uint32 flags; }",
  "function depositToken(address token, uint256 amount)",
  "function depositEther() payable",
  "function requestExit()",
  "function cancelExit()",
  "function withdrawExited(address token)",
  "function cancelOrders(Order[] orders)",
  "function raiseNonceFloor(uint64 nonceFloor)",
  "function walletState(address wallet) view returns (uint64 nonceFloor, uint64 exitAvailableAt)",
  "function balanceOf(address wallet, address token) view returns (uint256)",
  "function exitDelay() view returns (uint64)",
]);
