// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title Off-chain cancel typehash: one definition for the API, which verifies user-signed cancels
library CancelLib {
    /// @dev keccak256("Cancel(address maker,bytes32 orderHash)")
    bytes32 internal constant TYPEHASH = 0x2ed05de81289f7a525e8ec9072352f3e86af23b80a2538598819401db650d31e;
}
