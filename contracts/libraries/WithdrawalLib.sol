// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IExchange} from "../interfaces/IExchange.sol";

/// @title Withdrawal hashing
library WithdrawalLib {
    /// @dev keccak256("Withdrawal(address wallet,address token,uint256 amount,uint256 maxFee,address recipient,uint64 nonce,uint64 expiry)")
    bytes32 internal constant TYPEHASH = 0x319745cec3d484ed4523ef2b1e5a271e35c7285ada84e04d8a68a99e797befaf;

    /// @notice The EIP-712 struct hash of `withdrawal`.
    function structHash(IExchange.Withdrawal calldata withdrawal) internal pure returns (bytes32) {
        return keccak256(
            abi.encode(
                TYPEHASH,
                withdrawal.wallet,
                withdrawal.token,
                withdrawal.amount,
                withdrawal.maxFee,
                withdrawal.recipient,
                withdrawal.nonce,
                withdrawal.expiry
            )
        );
    }
}
