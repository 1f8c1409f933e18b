// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title The sanctions oracle interface (as Chainalysis' on-chain oracle), which HDEX screens against.
interface ISanctionsOracle {
    /// @notice Whether `addr` is on the list.
    function isSanctioned(address addr) external view returns (bool);
}

/// @title SanctionsOracle: an owner-managed address list behind the oracle interface.
/// @notice Development chains deploy it seeded from the bundled OFAC SDN list; production screens against
/// the real oracle of its chain instead (HDEX_SANCTIONS_ORACLE).
contract SanctionsOracle is ISanctionsOracle {
    /// @notice Thrown when `caller`, not the owner, tries to change the list.
    error SanctionsOracleUnauthorized(address caller);

    /// @notice `addrs` were put on the list.
    event SanctionedAddressesAdded(address[] addrs);
    /// @notice `addrs` were taken off the list.
    event SanctionedAddressesRemoved(address[] addrs);

    /// @notice Who may change the list.
    address public immutable owner;

    mapping(address account => bool sanctioned) private _sanctioned;

    constructor(address owner_) {
        owner = owner_;
    }

    /// @inheritdoc ISanctionsOracle
    function isSanctioned(address addr) external view returns (bool) {
        return _sanctioned[addr];
    }

    /// @notice Puts `addrs` on the list. Reverts unless called by the owner.
    function addToSanctionsList(address[] calldata addrs) external {
        _onlyOwner();
        for (uint256 i; i < addrs.length; ++i) {
            _sanctioned[addrs[i]] = true;
        }
        emit SanctionedAddressesAdded(addrs);
    }

    /// @notice Takes `addrs` off the list. Reverts unless called by the owner.
    function removeFromSanctionsList(address[] calldata addrs) external {
        _onlyOwner();
        for (uint256 i; i < addrs.length; ++i) {
            _sanctioned[addrs[i]] = false;
        }
        emit SanctionedAddressesRemoved(addrs);
    }

    function _onlyOwner() private view {
        if (msg.sender != owner) revert SanctionsOracleUnauthorized(msg.sender);
    }
}
