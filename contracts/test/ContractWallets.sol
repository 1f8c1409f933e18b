// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";

/// @title EIP-1271 contract wallets for tests: one that answers by the book, one that misbehaves on demand
contract ERC1271Wallet {
    error ERC1271WalletNotOwner(address caller);
    error ERC1271WalletCallFailed(bytes reason);

    address public immutable owner;

    constructor(address owner_) {
        owner = owner_;
    }

    receive() external payable {}

    /// @notice Lets the owner act as the wallet (approve, deposit, cancel, exit).
    function call(address target, uint256 value, bytes calldata data) external returns (bytes memory) {
        if (msg.sender != owner) revert ERC1271WalletNotOwner(msg.sender);
        (bool ok, bytes memory result) = target.call{value: value}(data);
        if (!ok) revert ERC1271WalletCallFailed(result);
        return result;
    }

    /// @notice Valid iff `signature` is the owner's ECDSA signature of `hash`.
    function isValidSignature(bytes32 hash, bytes calldata signature) external view virtual returns (bytes4) {
        (address recovered, ECDSA.RecoverError err,) = ECDSA.tryRecover(hash, signature);
        return err == ECDSA.RecoverError.NoError && recovered == owner ? bytes4(0x1626ba7e) : bytes4(0xffffffff);
    }
}

/// @notice A wallet whose `isValidSignature` misbehaves according to `mode`:
/// 0 wrong magic value, 1 magic plus extra return data, 2 revert, 3 empty return, 4 magic with dirty low bytes.
contract BadERC1271Wallet is ERC1271Wallet {
    uint8 public mode;

    constructor(address owner_, uint8 mode_) ERC1271Wallet(owner_) {
        mode = mode_;
    }

    function setMode(uint8 mode_) external {
        mode = mode_;
    }

    function isValidSignature(bytes32, bytes calldata) external view override returns (bytes4) {
        uint8 m = mode;
        if (m == 0) return 0xdeadbeef;
        if (m == 2) revert("no");
        assembly {
            if eq(m, 1) {
                mstore(0x00, shl(224, 0x1626ba7e))
                mstore(0x20, 1)
                return(0x00, 0x40)
            }
            if eq(m, 3) { return(0x00, 0x00) }
            mstore(0x00, or(shl(224, 0x1626ba7e), 1))
            return(0x00, 0x20)
        }
    }
}
