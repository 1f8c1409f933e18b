// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {IERC1271} from "@openzeppelin/contracts/interfaces/IERC1271.sol";

/// @title Signature checks for EOAs (ECDSA) and contract wallets (EIP-1271)
library SignatureVerifier {
    /// @notice Whether `signature` is `signer`'s over `digest`.
    /// @dev A 64-byte EIP-2098 (r, vs) or 65-byte (r, s, v) signature is tried with ECDSA first (OZ rejects high
    /// s and a v other than 27/28); if it does not recover `signer` and `signer` has code, the wallet is asked
    /// through EIP-1271.
    function isValidSignatureNow(address signer, bytes32 digest, bytes calldata signature)
        internal
        view
        returns (bool)
    {
        // The compact form first: relayers send EOA signatures in it.
        if (signature.length == 64) {
            // EIP-2098 compact form (r, yParity << 255 | s): one calldata word less per signature.
            bytes32 r;
            bytes32 vs;
            assembly ("memory-safe") {
                r := calldataload(signature.offset)
                vs := calldataload(add(signature.offset, 0x20))
            }
            (address recovered, ECDSA.RecoverError err,) = ECDSA.tryRecover(digest, r, vs);
            if (err == ECDSA.RecoverError.NoError && recovered == signer) return true;
        } else if (signature.length == 65) {
            bytes32 r;
            bytes32 s;
            uint8 v;
            // Reading r, s, v straight from calldata avoids copying the signature to memory.
            assembly ("memory-safe") {
                r := calldataload(signature.offset)
                s := calldataload(add(signature.offset, 0x20))
                v := byte(0, calldataload(add(signature.offset, 0x40)))
            }
            (address recovered, ECDSA.RecoverError err,) = ECDSA.tryRecover(digest, v, r, s);
            if (err == ECDSA.RecoverError.NoError && recovered == signer) return true;
        }
        return signer.code.length != 0 && isValidERC1271SignatureNow(signer, digest, signature);
    }

    /// @notice Whether contract wallet `signer` accepts `signature` over `digest`.
    /// @dev Strict: the call must succeed and return exactly one word equal to the left-aligned magic value
    /// `IERC1271.isValidSignature.selector` (no extra data, no dirty low bytes). Only one word is copied back,
    /// so a wallet cannot make the caller pay for a huge return.
    function isValidERC1271SignatureNow(address signer, bytes32 digest, bytes calldata signature)
        internal
        view
        returns (bool)
    {
        bytes memory callData = abi.encodeCall(IERC1271.isValidSignature, (digest, signature));
        bool success;
        uint256 returnSize;
        bytes32 returnValue;
        assembly ("memory-safe") {
            success := staticcall(gas(), signer, add(callData, 0x20), mload(callData), 0x00, 0x20)
            returnSize := returndatasize()
            returnValue := mload(0x00)
        }
        return success && returnSize == 0x20 && returnValue == bytes32(IERC1271.isValidSignature.selector);
    }
}
