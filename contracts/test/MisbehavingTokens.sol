// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {TestERC20} from "./TestERC20.sol";

/// @title Tokens that break the ERC-20 contract in the ways vaults meet in the wild (Solmate-style fixtures)

/// @notice `transfer`/`transferFrom` return nothing (USDT-like). A vault using SafeERC20 must accept it.
contract MissingReturnToken {
    event Transfer(address indexed from, address indexed to, uint256 value);

    error MissingReturnTokenInsufficient();

    uint8 public constant decimals = 18;
    mapping(address account => uint256 amount) public balanceOf;
    mapping(address owner => mapping(address spender => uint256 amount)) public allowance;

    function mint(address to, uint256 amount) external {
        balanceOf[to] += amount;
    }

    function approve(address spender, uint256 amount) external {
        allowance[msg.sender][spender] = amount;
    }

    function transfer(address to, uint256 amount) external {
        _move(msg.sender, to, amount);
    }

    function transferFrom(address from, address to, uint256 amount) external {
        if (allowance[from][msg.sender] < amount) revert MissingReturnTokenInsufficient();
        allowance[from][msg.sender] -= amount;
        _move(from, to, amount);
    }

    function _move(address from, address to, uint256 amount) internal {
        if (balanceOf[from] < amount) revert MissingReturnTokenInsufficient();
        balanceOf[from] -= amount;
        balanceOf[to] += amount;
        emit Transfer(from, to, amount);
    }
}

/// @notice Returns false and moves nothing.
contract ReturnsFalseToken is TestERC20 {
    constructor() TestERC20("Returns False", "FALSE", 18) {}

    function transfer(address, uint256) external pure override returns (bool) {
        return false;
    }

    function transferFrom(address, address, uint256) external pure override returns (bool) {
        return false;
    }
}

/// @notice Burns 1% of every transfer, so the receiver gets less than `amount`.
contract FeeOnTransferToken is TestERC20 {
    constructor() TestERC20("Fee On Transfer", "FOT", 18) {}

    function _transfer(address from, address to, uint256 amount) internal override {
        uint256 fee = amount / 100;
        super._transfer(from, to, amount - fee);
        if (fee != 0) super._transfer(from, address(0xdead), fee);
    }
}

/// @notice Calls `target` with `callData` during every transfer: a reentrancy attempt. The call's failure
/// bubbles up, so an attack the victim blocks makes the whole transfer revert.
contract ReentrantToken is TestERC20 {
    error ReentrantTokenCallFailed(bytes reason);

    address public target;
    bytes public callData;

    constructor() TestERC20("Reentrant", "REENT", 18) {}

    function arm(address target_, bytes calldata callData_) external {
        target = target_;
        callData = callData_;
    }

    function _transfer(address from, address to, uint256 amount) internal override {
        super._transfer(from, to, amount);
        address t = target;
        if (t != address(0)) {
            target = address(0);
            (bool ok, bytes memory reason) = t.call(callData);
            if (!ok) revert ReentrantTokenCallFailed(reason);
        }
    }
}

/// @notice WETH9's and DAI's `transferFrom`: a holder moves its own tokens without an allowance; and
/// OpenZeppelin's pre-5.0 `increaseAllowance`.
contract SelfPullToken is TestERC20 {
    constructor() TestERC20("Self Pull", "SELF", 18) {}

    function increaseAllowance(address spender, uint256 added) external returns (bool) {
        allowance[msg.sender][spender] += added;
        return true;
    }

    function transferFrom(address from, address to, uint256 amount) external override returns (bool) {
        if (from != msg.sender) _spendAllowance(from, amount);
        _transfer(from, to, amount);
        return true;
    }
}

/// @notice ERC-677's `transferAndCall` (LINK): a transfer under another selector.
contract TransferAndCallToken is TestERC20 {
    constructor() TestERC20("Transfer And Call", "T677", 18) {}

    function transferAndCall(address to, uint256 amount, bytes calldata) external returns (bool) {
        _transfer(msg.sender, to, amount);
        return true;
    }
}
