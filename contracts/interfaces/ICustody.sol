// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title HDEX Custody: M-of-N multisig with a timelock and a daily outflow limit
/// @notice Owners approve a call by signing the EIP-712 `CustodyTransaction`; anyone holding `threshold`
/// approvals executes it with {execute}. Calls that can hurt exchange users are scheduled through the timelock
/// ({schedule} via {execute}, then {executeScheduled} once due and before it expires, `GRACE_PERIOD` after); the
/// Exchange checks that its harmful admin calls arrive that way ({isExecutingScheduledCall}). There is no
/// delegatecall.
///
/// EIP-712 domain: name "HDEX Custody", version "1", the current chain id, this contract's address.
/// Type string: `CustodyTransaction(address target,uint256 value,bytes data,uint256 nonce,uint256 deadline)`;
/// `nonce` is {nonce} at execution (each execution consumes one), `deadline` is a unix time after which the
/// approval is void. Signatures are 65-byte ECDSA (r, s, v), low-s, ordered by strictly increasing signer address.
///
/// Daily limit: a direct {execute} counts `value` against the ETH limit (token zero), and against the limit of the
/// target token what left this contract's balance of it during the call (by `balanceOf`, whatever the function:
/// `transfer`, a `transferFrom` of its own tokens, `transferAndCall`, ...) plus the amount of an allowance it
/// grants (`approve(address,uint256)`, `increaseAllowance(address,uint256)`; a zero amount, a revoke, counts nothing
/// and is never refused; one whose calldata is too short for its two arguments is refused, {CustodyCalldataTooShort}).
/// Other functions that grant an allowance (`increaseApproval`, `approveAndCall`, Permit2's `approve`) are not counted:
/// send them through the timelock. The spent amount resets each UTC day
/// (`block.timestamp / 1 days`). Scheduled calls are not counted: the timelock delay is their brake. Limits start
/// at zero (every outflow goes through the timelock).
interface ICustody {
    /// @notice Thrown when setup runs on a contract already set up.
    error CustodyAlreadySetUp();
    /// @notice Thrown when `threshold` is 0 or above the owner count `owners`.
    error CustodyInvalidThreshold(uint256 threshold, uint256 owners);
    /// @notice Thrown when `owner` is zero, this contract, or already an owner.
    error CustodyInvalidOwner(address owner);
    /// @notice Thrown when removing `account`, which is not an owner.
    error CustodyNotOwner(address account);
    /// @notice Thrown when only the contract itself (via an approved call) may call, and `caller` did.
    error CustodyUnauthorizedCaller(address caller);
    /// @notice Thrown when the call must come through the timelock and did not.
    error CustodyCallNotTimelocked();
    /// @notice Thrown when `count` signatures were given and `threshold` are needed.
    error CustodyBelowThreshold(uint256 count, uint256 threshold);
    /// @notice Thrown when signature `index` is malformed (length, high s, bad v) or recovers to no one.
    error CustodyInvalidSignature(uint256 index);
    /// @notice Thrown when signature `index` recovers to `signer`, not an owner.
    error CustodySignerNotOwner(uint256 index, address signer);
    /// @notice Thrown when signer `signer` at `index` is not strictly above the previous signer.
    error CustodySignersNotSorted(uint256 index, address signer);
    /// @notice Thrown when the approval's deadline passed.
    error CustodyApprovalExpired(uint256 deadline);
    /// @notice Thrown when the call to `target` reverted; `reason` is its revert data.
    error CustodyCallFailed(address target, bytes reason);
    /// @notice Thrown when a direct outflow of `token` would bring today's total to `spent`, above `limit`.
    error CustodyDailyLimitExceeded(address token, uint256 spent, uint256 limit);
    /// @notice Thrown when a direct call starts with a selector whose amount the daily limit counts (`approve`,
    /// `increaseAllowance`) but its calldata is `length` bytes, short of the `needed` bytes its arguments take: a token
    /// compiled before Solidity 0.5 reads the missing bytes as zeros and grants an allowance nobody counted.
    error CustodyCalldataTooShort(bytes4 selector, uint256 length, uint256 needed);
    /// @notice Thrown when scheduling an operation that is already scheduled (and has not expired).
    error CustodyOperationAlreadyScheduled(bytes32 id);
    /// @notice Thrown when an operation is not scheduled.
    error CustodyOperationNotScheduled(bytes32 id);
    /// @notice Thrown when an operation is only due at `readyAt`.
    error CustodyOperationNotReady(bytes32 id, uint256 readyAt);
    /// @notice Thrown when an operation was executable until `expiredAt` only: cancel it, or schedule it again.
    error CustodyOperationExpired(bytes32 id, uint256 expiredAt);
    /// @notice Thrown when a timelock delay is outside `[MIN_TIMELOCK_DELAY, MAX_TIMELOCK_DELAY]`.
    error CustodyDelayOutOfBounds(uint256 delay);

    /// @notice Approved call `nonce` to `target` executed.
    event Executed(uint256 indexed nonce, bytes32 indexed txHash, address indexed target, uint256 value, bytes data);
    /// @notice Operation `id` was scheduled, due at `readyAt`.
    event CallScheduled(bytes32 indexed id, address indexed target, uint256 value, bytes data, bytes32 salt, uint256 readyAt);
    /// @notice Operation `id` was cancelled.
    event CallCancelled(bytes32 indexed id);
    /// @notice Operation `id` executed after its delay.
    event ScheduledCallExecuted(bytes32 indexed id, address indexed target, uint256 value, bytes data);
    /// @notice `owner` was added.
    event OwnerAdded(address indexed owner);
    /// @notice `owner` was removed.
    event OwnerRemoved(address indexed owner);
    /// @notice The threshold changed.
    event ThresholdChanged(uint256 threshold);
    /// @notice The timelock delay changed.
    event TimelockDelayChanged(uint256 delay);
    /// @notice The daily outflow limit of `token` (zero: ETH) changed.
    event DailyLimitChanged(address indexed token, uint256 limit);
    /// @notice ETH arrived.
    event Received(address indexed sender, uint256 amount);

    /// @notice Executes `target.call{value}(data)` approved by at least `threshold` owners.
    /// @dev This function reverts if:
    /// - fewer than `threshold` signatures, or a signature is malformed, high-s, not an owner's, or not in
    ///   strictly increasing signer order (duplicates included);
    /// - `deadline` passed (approvals are bound to this chain id, this contract and the current {nonce}, so a
    ///   replay on another chain, another contract or a used nonce recovers other signers and fails);
    /// - a direct outflow exceeds the daily limit;
    /// - `data` starts with `approve` or `increaseAllowance` and is too short for its arguments;
    /// - the call reverts (its revert data is wrapped in {CustodyCallFailed}).
    function execute(address target, uint256 value, bytes calldata data, uint256 deadline, bytes[] calldata signatures)
        external
        returns (bytes memory result);

    /// @notice Queues `target.call{value}(data)` to run after the timelock delay. Only via {execute}. An expired
    /// operation may be scheduled again (its delay starts anew).
    function schedule(address target, uint256 value, bytes calldata data, bytes32 salt) external returns (bytes32 id);
    /// @notice Drops a queued operation. Only via {execute}.
    function cancel(bytes32 id) external;
    /// @notice Runs a queued operation once due, until `GRACE_PERIOD` after that. Anyone may call it.
    /// @dev This function reverts if the operation is not scheduled, not yet due or expired, or the call reverts.
    function executeScheduled(address target, uint256 value, bytes calldata data, bytes32 salt)
        external
        returns (bytes memory result);
    /// @notice True only while {executeScheduled} is calling out: targets use it to require the timelock.
    function isExecutingScheduledCall() external view returns (bool);
    /// @notice What direct outflows of `token` (zero: ETH) counted against its daily limit today (UTC).
    function spentToday(address token) external view returns (uint256);

    /// @notice Adds `owner` and sets the threshold. Only via {execute}.
    function addOwner(address owner, uint256 threshold) external;
    /// @notice Removes `owner` and sets the threshold. Only via {execute}.
    function removeOwner(address owner, uint256 threshold) external;
    /// @notice Sets the threshold. Only via {execute}.
    function changeThreshold(uint256 threshold) external;
    /// @notice Sets the timelock delay. Only through the timelock itself.
    function setTimelockDelay(uint256 delay) external;
    /// @notice Sets the daily direct-outflow limit of `token` (zero: ETH). Only through the timelock.
    function setDailyLimit(address token, uint256 limit) external;

    /// @notice The owners, in the order they were added.
    function getOwners() external view returns (address[] memory);
    /// @notice The EIP-712 digest the owners sign to approve a call at `nonce`.
    function hashTransaction(address target, uint256 value, bytes calldata data, uint256 nonce, uint256 deadline)
        external
        view
        returns (bytes32);
    /// @notice The id of an operation: `keccak256(abi.encode(target, value, data, salt))`.
    function hashOperation(address target, uint256 value, bytes calldata data, bytes32 salt)
        external
        pure
        returns (bytes32);
}
