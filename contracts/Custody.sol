// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {TransientSlot} from "@openzeppelin/contracts/utils/TransientSlot.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

import {ICustody} from "./interfaces/ICustody.sol";

/// @title HDEX Custody: M-of-N multisig with a timelock and a daily outflow limit
/// @notice See {ICustody}. {execute} and {executeScheduled} cannot nest (reentrancy guard), so a scheduled call
/// cannot smuggle an unscheduled one into the window where {isExecutingScheduledCall} is true.
contract Custody is ICustody, EIP712, ReentrancyGuardTransient {
    using TransientSlot for bytes32;
    using TransientSlot for TransientSlot.BooleanSlot;

    // ---------------------------------------------------------------- constants

    /// @dev keccak256("CustodyTransaction(address target,uint256 value,bytes data,uint256 nonce,uint256 deadline)")
    bytes32 public constant TRANSACTION_TYPEHASH = 0x60475b90722c492cf1bfd8cecbada2945997377d4ce05118968c33640162c895;
    /// @notice Bounds of the timelock delay.
    uint256 public constant MIN_TIMELOCK_DELAY = 1 hours;
    uint256 public constant MAX_TIMELOCK_DELAY = 30 days;
    /// @notice How long a due operation stays executable. Anyone may run a due operation, so one the owners
    /// forgot would otherwise stay a loaded call for years, to be fired when it suits someone in a world that
    /// has changed since it was approved (as Compound's Timelock, 14 days).
    uint256 public constant GRACE_PERIOD = 14 days;
    /// @dev keccak256("hdex.custody.executing-scheduled") - 1: the transient flag read by {isExecutingScheduledCall}.
    bytes32 private constant EXECUTING_SCHEDULED_SLOT =
        0x69ed4123898b52e7ecea0ab5d890dfe189231d862775ffc0151a954a449843b0;
    /// @dev `increaseAllowance(address,uint256)` (OpenZeppelin's ERC-20 before 5.0, and many tokens since).
    bytes4 private constant _INCREASE_ALLOWANCE = 0x39509351;
    /// @dev Calldata of `approve` and `increaseAllowance`: selector, spender, amount.
    uint256 private constant _ALLOWANCE_CALLDATA = 68;

    // ---------------------------------------------------------------- storage

    struct Spending {
        uint64 day;
        uint192 spent;
    }

    address[] internal _owners;
    /// @notice Whether an address is an owner.
    mapping(address account => bool owner) public isOwner;
    /// @notice Approvals needed to execute.
    uint256 public threshold;
    /// @notice The nonce the next approved call must be signed for.
    uint256 public nonce;
    /// @notice Seconds between scheduling an operation and its earliest execution.
    uint256 public timelockDelay;
    /// @notice When a scheduled operation becomes executable (0: not scheduled).
    mapping(bytes32 id => uint256 readyAt) public readyAt;
    /// @notice Daily limit of direct outflows per token (zero address: ETH).
    mapping(address token => uint256 limit) public dailyLimit;
    mapping(address token => Spending spending) internal _spending;

    // ---------------------------------------------------------------- constructor

    constructor(address[] memory owners_, uint256 threshold_, uint256 timelockDelay_) EIP712("HDEX Custody", "1") {
        _setup(owners_, threshold_, timelockDelay_);
    }

    receive() external payable {
        emit Received(msg.sender, msg.value);
    }

    // ---------------------------------------------------------------- execution

    /// @inheritdoc ICustody
    function execute(address target, uint256 value, bytes calldata data, uint256 deadline, bytes[] calldata signatures)
        external
        nonReentrant
        returns (bytes memory result)
    {
        if (block.timestamp > deadline) revert CustodyApprovalExpired(deadline);
        uint256 txNonce = nonce;
        bytes32 digest = _hashTransaction(target, value, data, txNonce, deadline);
        _checkApprovals(digest, signatures);
        nonce = txNonce + 1;
        if (value != 0) _spend(address(0), value);
        _spendAllowance(target, data);
        uint256 held = _balanceOf(target);
        emit Executed(txNonce, digest, target, value, data);
        result = _call(target, value, data);
        // Whatever the selector (`transfer`, WETH9's and DAI's `transferFrom` of one's own tokens, ERC-677's
        // `transferAndCall`, ...), what left this contract's balance of the called token is an outflow.
        uint256 left = _balanceOf(target);
        if (left < held) _spend(target, held - left);
    }

    /// @inheritdoc ICustody
    function schedule(address target, uint256 value, bytes calldata data, bytes32 salt) external returns (bytes32 id) {
        _requireSelf();
        id = hashOperation(target, value, data, salt);
        uint256 scheduled = readyAt[id];
        if (scheduled != 0 && block.timestamp <= scheduled + GRACE_PERIOD) revert CustodyOperationAlreadyScheduled(id);
        uint256 due = block.timestamp + timelockDelay;
        readyAt[id] = due;
        emit CallScheduled(id, target, value, data, salt, due);
    }

    /// @inheritdoc ICustody
    function cancel(bytes32 id) external {
        _requireSelf();
        if (readyAt[id] == 0) revert CustodyOperationNotScheduled(id);
        delete readyAt[id];
        emit CallCancelled(id);
    }

    /// @inheritdoc ICustody
    function executeScheduled(address target, uint256 value, bytes calldata data, bytes32 salt)
        external
        nonReentrant
        returns (bytes memory result)
    {
        bytes32 id = hashOperation(target, value, data, salt);
        uint256 due = readyAt[id];
        if (due == 0) revert CustodyOperationNotScheduled(id);
        if (block.timestamp < due) revert CustodyOperationNotReady(id, due);
        if (block.timestamp > due + GRACE_PERIOD) revert CustodyOperationExpired(id, due + GRACE_PERIOD);
        delete readyAt[id];
        emit ScheduledCallExecuted(id, target, value, data);
        EXECUTING_SCHEDULED_SLOT.asBoolean().tstore(true);
        result = _call(target, value, data);
        EXECUTING_SCHEDULED_SLOT.asBoolean().tstore(false);
    }

    /// @inheritdoc ICustody
    function isExecutingScheduledCall() external view returns (bool) {
        return EXECUTING_SCHEDULED_SLOT.asBoolean().tload();
    }

    /// @inheritdoc ICustody
    function spentToday(address token) public view returns (uint256) {
        Spending memory spending = _spending[token];
        return spending.day == uint64(block.timestamp / 1 days) ? spending.spent : 0;
    }

    // ---------------------------------------------------------------- owners and settings (only via itself)

    /// @inheritdoc ICustody
    function addOwner(address owner, uint256 threshold_) external {
        _requireSelf();
        _addOwner(owner);
        _setThreshold(threshold_);
    }

    /// @inheritdoc ICustody
    function removeOwner(address owner, uint256 threshold_) external {
        _requireSelf();
        if (!isOwner[owner]) revert CustodyNotOwner(owner);
        isOwner[owner] = false;
        uint256 last = _owners.length - 1;
        for (uint256 i; i <= last; ++i) {
            if (_owners[i] == owner) {
                _owners[i] = _owners[last];
                _owners.pop();
                break;
            }
        }
        emit OwnerRemoved(owner);
        _setThreshold(threshold_);
    }

    /// @inheritdoc ICustody
    function changeThreshold(uint256 threshold_) external {
        _requireSelf();
        _setThreshold(threshold_);
    }

    /// @inheritdoc ICustody
    function setTimelockDelay(uint256 delay) external {
        _requireTimelocked();
        _setTimelockDelay(delay);
    }

    /// @inheritdoc ICustody
    function setDailyLimit(address token, uint256 limit) external {
        _requireTimelocked();
        dailyLimit[token] = limit;
        emit DailyLimitChanged(token, limit);
    }

    // ---------------------------------------------------------------- views

    /// @inheritdoc ICustody
    function getOwners() external view returns (address[] memory) {
        return _owners;
    }

    /// @inheritdoc ICustody
    function hashTransaction(address target, uint256 value, bytes calldata data, uint256 txNonce, uint256 deadline)
        external
        view
        returns (bytes32)
    {
        return _hashTransaction(target, value, data, txNonce, deadline);
    }

    /// @inheritdoc ICustody
    function hashOperation(address target, uint256 value, bytes calldata data, bytes32 salt)
        public
        pure
        returns (bytes32)
    {
        return keccak256(abi.encode(target, value, data, salt));
    }

    /// @notice The EIP-712 domain separator for the current chain.
    function domainSeparator() external view returns (bytes32) {
        return _domainSeparatorV4();
    }

    // ---------------------------------------------------------------- internal

    /// @dev Runs once, from the constructor; a derived contract calling it again reverts.
    function _setup(address[] memory owners_, uint256 threshold_, uint256 timelockDelay_) internal {
        if (threshold != 0) revert CustodyAlreadySetUp();
        for (uint256 i; i < owners_.length; ++i) {
            _addOwner(owners_[i]);
        }
        _setThreshold(threshold_);
        _setTimelockDelay(timelockDelay_);
    }

    function _addOwner(address owner) internal {
        if (owner == address(0) || owner == address(this) || isOwner[owner]) revert CustodyInvalidOwner(owner);
        isOwner[owner] = true;
        _owners.push(owner);
        emit OwnerAdded(owner);
    }

    function _setThreshold(uint256 threshold_) internal {
        if (threshold_ == 0 || threshold_ > _owners.length) {
            revert CustodyInvalidThreshold(threshold_, _owners.length);
        }
        threshold = threshold_;
        emit ThresholdChanged(threshold_);
    }

    function _setTimelockDelay(uint256 delay) internal {
        if (delay < MIN_TIMELOCK_DELAY || delay > MAX_TIMELOCK_DELAY) revert CustodyDelayOutOfBounds(delay);
        timelockDelay = delay;
        emit TimelockDelayChanged(delay);
    }

    function _requireSelf() internal view {
        if (msg.sender != address(this)) revert CustodyUnauthorizedCaller(msg.sender);
    }

    function _requireTimelocked() internal view {
        _requireSelf();
        if (!EXECUTING_SCHEDULED_SLOT.asBoolean().tload()) revert CustodyCallNotTimelocked();
    }

    function _hashTransaction(address target, uint256 value, bytes calldata data, uint256 txNonce, uint256 deadline)
        internal
        view
        returns (bytes32)
    {
        return _hashTypedDataV4(
            keccak256(abi.encode(TRANSACTION_TYPEHASH, target, value, keccak256(data), txNonce, deadline))
        );
    }

    /// @dev At least `threshold` signatures, each an owner's, signers strictly increasing (so no duplicates).
    function _checkApprovals(bytes32 digest, bytes[] calldata signatures) internal view {
        uint256 required = threshold;
        if (signatures.length < required) revert CustodyBelowThreshold(signatures.length, required);
        address previous = address(0);
        for (uint256 i; i < signatures.length; ++i) {
            (address signer, ECDSA.RecoverError err,) = ECDSA.tryRecover(digest, signatures[i]);
            if (err != ECDSA.RecoverError.NoError) revert CustodyInvalidSignature(i);
            if (signer <= previous) revert CustodySignersNotSorted(i, signer);
            if (!isOwner[signer]) revert CustodySignerNotOwner(i, signer);
            previous = signer;
        }
    }

    /// @dev Counts an allowance a direct call grants (`approve`, or the common `increaseAllowance`) against the
    /// token's limit: the spender takes it later, outside this contract's calls. A zero amount (a revoke) grants
    /// nothing, so it spends nothing and passes even when today's count is above a limit lowered since. Such a call
    /// too short for its arguments is refused, not left uncounted: a token compiled before Solidity 0.5 (LINK) reads
    /// calldata past its end as zeros and grants the allowance all the same.
    function _spendAllowance(address target, bytes calldata data) internal {
        if (data.length < 4) return;
        bytes4 selector = bytes4(data[:4]);
        if (selector != IERC20.approve.selector && selector != _INCREASE_ALLOWANCE) return;
        if (data.length < _ALLOWANCE_CALLDATA) {
            revert CustodyCalldataTooShort(selector, data.length, _ALLOWANCE_CALLDATA);
        }
        (, uint256 amount) = abi.decode(data[4:_ALLOWANCE_CALLDATA], (address, uint256));
        if (amount != 0) _spend(target, amount);
    }

    /// @dev This contract's balance of `token` as its `balanceOf` says; 0 for a target that is no token (no code,
    /// a revert, a short answer).
    function _balanceOf(address token) internal view returns (uint256 balance) {
        if (token.code.length == 0) return 0;
        (bool ok, bytes memory answer) = token.staticcall(abi.encodeCall(IERC20.balanceOf, (address(this))));
        if (ok && answer.length >= 32) balance = abi.decode(answer, (uint256));
    }

    function _spend(address token, uint256 amount) internal {
        uint256 spent = spentToday(token) + amount;
        uint256 limit = dailyLimit[token];
        if (spent > limit) revert CustodyDailyLimitExceeded(token, spent, limit);
        // `spent <= limit`, and a limit above 2^192 would be absurd; the cast is checked to be safe anyway.
        if (spent > type(uint192).max) revert CustodyDailyLimitExceeded(token, spent, limit);
        _spending[token] = Spending({day: uint64(block.timestamp / 1 days), spent: uint192(spent)});
    }

    /// @dev A plain call (never delegatecall); a revert is wrapped with its data.
    function _call(address target, uint256 value, bytes calldata data) internal returns (bytes memory result) {
        bool success;
        (success, result) = target.call{value: value}(data);
        if (!success) revert CustodyCallFailed(target, result);
    }
}
