// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IExchange} from "../interfaces/IExchange.sol";

/// @title Order hashing and field meanings
library OrderLib {
    /// @dev keccak256("Order(address maker,address baseToken,address quoteToken,uint8 side,uint128 baseAmount,uint256 limitPrice,uint256 triggerPrice,uint32 maxFeeRate,uint64 nonce,uint64 expiry,uint32 flags)")
    bytes32 internal constant TYPEHASH = 0xd7b70b22089875950b20f8718581add3077d4160b4f54b5b229bb10876978e67;

    uint8 internal constant SIDE_BUY = 0;
    uint8 internal constant SIDE_SELL = 1;

    /// @dev Bits 0-1: order kind (0 limit, 1 market, 2 stop-limit, 3 stop-market).
    uint32 internal constant FLAG_KIND_MASK = 3;
    /// @dev Set in both stop kinds: the order may first trade only once its market's price source reached its
    /// `triggerPrice`.
    uint32 internal constant FLAG_KIND_STOP = 2;
    /// @dev The order may only be the maker of a trade (so it always pays at most the maker fee).
    uint32 internal constant FLAG_POST_ONLY = 4;
    /// @dev Fill or kill: the order is only a taker, and its trades lie in one settlement and sum to its whole amount.
    uint32 internal constant FLAG_FILL_OR_KILL = 8;
    /// @dev On a stop order: the maker accepts that the operator decides when it triggered (no price source check).
    uint32 internal constant FLAG_OPERATOR_TRIGGER = 16;
    uint32 internal constant KNOWN_FLAGS =
        FLAG_KIND_MASK | FLAG_POST_ONLY | FLAG_FILL_OR_KILL | FLAG_OPERATOR_TRIGGER;

    /// @dev Number of 32-byte words of an encoded `Order` (all of its fields are static).
    uint256 private constant ORDER_WORDS = 11;

    /// @notice The EIP-712 digest of a struct hash under `domainSeparator`:
    /// `keccak256("\x19\x01" || domainSeparator || structHash)`.
    /// @dev OpenZeppelin's `MessageHashUtils.toTypedDataHash`, so a batch computes its domain separator once.
    function typedDataHash(bytes32 domainSeparator, bytes32 structHash_) internal pure returns (bytes32 result) {
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            mstore(ptr, hex"1901")
            mstore(add(ptr, 0x02), domainSeparator)
            mstore(add(ptr, 0x22), structHash_)
            result := keccak256(ptr, 0x42)
        }
    }

    /// @notice The EIP-712 struct hash of `order`.
    /// @dev Every field is static, so the calldata encoding is exactly the EIP-712 `encodeData`: one copy and one
    /// keccak instead of `abi.encode` field by field. Fields the contract reads are range-checked by the ABI
    /// decoder on access; a dirty word in a field it does not read only yields a hash nobody signed.
    function structHash(IExchange.Order calldata order) internal pure returns (bytes32 hash) {
        bytes32 typeHash = TYPEHASH;
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            mstore(ptr, typeHash)
            calldatacopy(add(ptr, 0x20), order, mul(ORDER_WORDS, 0x20))
            hash := keccak256(ptr, mul(add(ORDER_WORDS, 1), 0x20))
        }
    }
}
