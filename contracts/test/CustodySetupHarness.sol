// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Custody} from "../Custody.sol";

/// @notice Exposes the internal setup to prove it cannot run a second time.
contract CustodySetupHarness is Custody {
    constructor(address[] memory owners_, uint256 threshold_, uint256 delay_) Custody(owners_, threshold_, delay_) {}

    function setupAgain(address[] memory owners_, uint256 threshold_, uint256 delay_) external {
        _setup(owners_, threshold_, delay_);
    }
}
