"""What each REST response carries, for OpenAPI (`/docs`): documentation only, never used to validate.

Routes build their JSON by hand (the hot path cannot afford a model per response) and attach these
models with `responses=documented(Model, "...")`, not `response_model=`: a response model would
re-validate and filter every body. `tests/integration/api/test_openapi_responses.py` checks real
bodies against these models, so they cannot drift from what the routes send.

Amounts and prices are decimal strings of integers in base units (`Amount`); addresses are EIP-55
checksummed on output; times are milliseconds since the epoch unless a field says otherwise.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from backend.errors import ErrorCode

_SURROGATE = re.compile("[\ud800-\udfff]")


def _flaw(text: str) -> str | None:
    """What in `text` no database can store, or None: a NUL (PostgreSQL's text cannot hold one), or a lone surrogate
    (JSON's `\\ud800` escape: not Unicode text, it cannot be encoded as UTF-8 for any database or page)."""
    if "\x00" in text:
        return "the NUL character"
    if _SURROGATE.search(text):
        return "an unpaired surrogate (text must be Unicode)"
    return None


def _unstorable_at(value: Any, path: str) -> tuple[str, str] | None:
    """The path of the first key or string in a request body that cannot be stored, and why; or None."""
    if isinstance(value, str):
        flaw = _flaw(value)
        return None if flaw is None else (path, flaw)
    if isinstance(value, dict):
        for key, item in value.items():
            where = f"{path}.{key}" if path else str(key)
            if (flaw := _flaw(str(key))) is not None:
                return where, flaw
            if (found := _unstorable_at(item, where)) is not None:
                return found
    if isinstance(value, list):
        for index, item in enumerate(value):
            if (found := _unstorable_at(item, f"{path}[{index}]")) is not None:
                return found
    return None


class Input(BaseModel):
    """A request body: unknown fields refused, and no text anywhere that a database cannot store (a NUL, a lone
    surrogate): it would fail at the database, a 500, after the door had let it in."""

    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _storable_text(cls, data: Any) -> Any:
        if (found := _unstorable_at(data, "")) is not None:
            where, flaw = found
            raise PydanticCustomError("unstorable_text", "{field} cannot hold {flaw}", {"field": where, "flaw": flaw})
        return data


Amount = Annotated[str, Field(pattern="^[0-9]+$", description="an integer in base units, as a decimal string")]
Address = Annotated[str, Field(pattern="^0x[0-9a-fA-F]{40}$", description="an EIP-55 checksummed address")]
Hash = Annotated[str, Field(pattern="^0x[0-9a-fA-F]{64}$", description="32 bytes as 0x and 64 hex digits")]
Signature = Annotated[str, Field(pattern="^0x[0-9a-fA-F]{130}$", description="a 65-byte signature (r, s, v)")]
EpochMs = Annotated[int, Field(ge=0, description="milliseconds since the epoch")]
Cursor = Annotated[str | None, Field(description="`cursor` of the next page; null on the last page")]
Side = Literal["buy", "sell"]
# backend.accounts.languages: LANGUAGES, and TRANSLATED, what staff's content is translated into (a unit test holds
# them equal: a Literal built from the tuple is not checked by mypy)
Language = Literal["en", "zh-CN"]
Translated = Literal["zh-CN"]


def documented(model: type[BaseModel], description: str, status: int = 200) -> dict[int | str, dict[str, Any]]:
    """The `responses` entry of a route whose success body `model` describes (documentation only)."""
    return {status: {"model": model, "description": description}}


# errors


class ErrorDetail(BaseModel):
    code: ErrorCode = Field(description="one stable code per cause (backend/api/errors.py)")
    message: str = Field(description="for people: what was wrong and what to send instead")
    field: str | None = Field(description="the request field at fault (dotted path), if one is")


class ErrorResponse(BaseModel):
    """Every 4xx/5xx body. 429 also carries `Retry-After` and `X-RateLimit-Limit/Remaining/Reset` headers."""

    error: ErrorDetail


ERROR = {"model": ErrorResponse, "description": 'typed error: {"error": {"code", "message", "field"}}'}
# A wallet-session route answers 401 NOT_SIGNED_IN without a session; one that changes state also 403
# CROSS_ORIGIN_REQUEST when another origin's page sent it (`backend.api.deps.current_session`).
SIGNED_IN: dict[int | str, dict[str, Any]] = {401: ERROR}
SIGNED_IN_CHANGE: dict[int | str, dict[str, Any]] = {401: ERROR, 403: ERROR}
# A staff route answers 401 STAFF_NOT_SIGNED_IN without a staff session, 403 without the route's permission.
STAFF_ONLY: dict[int | str, dict[str, Any]] = {401: ERROR, 403: ERROR}


# markets and signing


class TokenInfo(BaseModel):
    address: Address
    symbol: str
    decimals: int = Field(ge=0, description="the token's ERC-20 decimals")


class PriceSourceView(BaseModel):
    feed: Address = Field(description="a Chainlink-shaped feed pricing one base token in quote tokens")
    maxAge: Amount = Field(description="seconds: an older answer is stale, and stop orders wait for a fresh one")
    price: Amount | None = Field(
        default=None,
        description="the price last read from it, in the markets' price units, rounded down: stop orders without "
        "the operator-triggered flag fire on it; null before a reading, or while the feed is unusable",
    )


class HaltView(BaseModel):
    """A market's risk halt in force: cancels only until `until`."""

    kind: Literal["breaker", "feed", "staff"] = Field(
        description="breaker: a fast move tripped the circuit breaker; feed: the price feed deviates; staff: by hand"
    )
    reason: str = Field(description="why, in words")
    reference: Amount | None = Field(description="the reference price the move was measured from (null: none)")
    price: Amount | None = Field(description="the price that tripped it (null: none)")
    haltedAt: EpochMs
    until: EpochMs = Field(description="the market reopens by itself then (staff may end it earlier)")


BasisPoints = Annotated[int, Field(ge=0, le=10_000, description="basis points of the reference price; 0: off")]


class RiskView(BaseModel):
    """A market's price band, circuit breaker and limits (exchange-wide defaults where the market sets none)."""

    bandBps: BasisPoints = Field(description="an order that takes liquidity is priced within this of the reference")
    breakerBps: BasisPoints = Field(description="a trade this far from the reference halts the market")
    alertBps: BasisPoints = Field(description="a trade this far from the reference raises a volatility alert")
    windowS: int = Field(ge=1, description="the reference is the last trade price this many seconds ago")
    cooldownS: int = Field(ge=1, description="how long a tripped breaker halts the market")
    feedAlertBps: BasisPoints = Field(description="a price feed this far from the last trade raises an alert")
    feedHaltBps: BasisPoints = Field(description="a price feed this far from the last trade halts the market")
    maxOrderBase: Amount | None = Field(description="the largest order, base units (null: no limit)")
    maxOrderNotional: Amount | None = Field(description="the largest order notional, quote units (null: no limit)")
    maxOpenNotional: Amount | None = Field(
        description="per account: its open orders' notional here, quote units (null: no limit)"
    )
    reference: Amount | None = Field(description="the reference price now (null: the market has not traded)")


class MarketView(BaseModel):
    name: str = Field(examples=["WETH-USDC"])
    baseToken: TokenInfo
    quoteToken: TokenInfo
    priceScale: Amount = Field(description="prices are quote base units per this many base base-units (1e18)")
    tickSize: Amount = Field(description="every limitPrice and triggerPrice is a multiple of this")
    lotSize: Amount = Field(description="every baseAmount is a multiple of this (base base-units)")
    minNotional: Amount = Field(description="least quote amount (baseAmount * limitPrice / 1e18) of an order")
    makerFeeRate: int = Field(ge=0, description="millionths of what the maker receives")
    takerFeeRate: int = Field(ge=0, description="millionths of what the taker receives")
    feeRateScale: int = Field(description="1000000: fee rates are in millionths")
    state: Literal["open", "cancel_only", "halted"] = Field(description="cancel_only also during a risk halt")
    priceSource: PriceSourceView | None = Field(
        description="the on-chain price source stop orders are checked against; null: none (or not read yet), so "
        "a stop order must sign flags bit 4 (16) to accept operator-triggered execution"
    )
    halt: HaltView | None = Field(description="the risk halt in force; null: none")
    risk: RiskView


class MarketStatus(BaseModel):
    """The WebSocket `markets` channel's message: sent for every market on subscribing, then when a halt starts
    or ends."""

    channel: Literal["markets"]
    type: Literal["marketStatus"]
    market: str
    state: Literal["open", "cancel_only", "halted"]
    halt: HaltView | None


class MarketRiskState(BaseModel):
    """A market's risk settings and halt, for staff."""

    market: str
    settings: RiskView
    halt: HaltView | None


class MarketList(BaseModel):
    markets: list[MarketView]


class NextNonce(BaseModel):
    maker: Address
    nonce: Amount = Field(
        description="the nonce to sign the wallet's next order with: above every nonce its orders carry, at least "
        "its on-chain nonce floor; count up from it for the orders after"
    )


class Eip712Domain(BaseModel):
    name: str = Field(examples=["HDEX Exchange"])
    version: str = Field(examples=["1"])
    chainId: int
    verifyingContract: Address = Field(description="the Exchange contract")


class Eip712Field(BaseModel):
    name: str
    type: str = Field(examples=["uint256"])


class SignTypedDataV4Form(BaseModel):
    """Add `message` and this is the `eth_signTypedData_v4` document (also eth-account's `full_message`)."""

    types: dict[str, list[Eip712Field]] = Field(description="EIP712Domain and the primary type only")
    primaryType: Literal["Order", "Cancel", "Withdrawal"]
    domain: Eip712Domain


class EthersForm(BaseModel):
    """ethers v6: `signer.signTypedData(form.domain, form.types, message)`."""

    domain: Eip712Domain
    types: dict[str, list[Eip712Field]] = Field(description="the primary type only")
    primaryType: Literal["Order", "Cancel", "Withdrawal"]


class SigningForms(BaseModel):
    signTypedDataV4: SignTypedDataV4Form
    ethers: EthersForm


class Eip712(BaseModel):
    domain: Eip712Domain
    types: dict[str, list[Eip712Field]] = Field(description="EIP712Domain, Order, Cancel and Withdrawal")
    primaryTypes: list[Literal["Order", "Cancel", "Withdrawal"]]
    typedData: dict[str, SigningForms] = Field(description="per primary type, the forms signers take unchanged")
    bulkCancelScope: str = Field(description="how a bulk cancel's `orderHash` is made")


# orders


class SignedOrder(BaseModel):
    """The EIP-712 Order as signed; in views every number is a decimal string."""

    maker: Address
    baseToken: Address
    quoteToken: Address
    side: Literal["0", "1"] = Field(description="0 buy, 1 sell")
    baseAmount: Amount
    limitPrice: Amount = Field(description="quote base units per 1e18 base base-units; worst price for market kinds")
    triggerPrice: Amount = Field(description="stop kinds only: the last trade price that activates the order")
    maxFeeRate: Amount = Field(description="millionths of what the maker receives")
    nonce: Amount
    expiry: Amount = Field(description="unix seconds")
    flags: Amount = Field(description="bits 0-1 kind (0 limit, 1 market, 2 stop-limit, 3 stop-market), bit 2 post-only")


class OrderView(BaseModel):
    """An order with its fill and hold state (also the WebSocket account channel's `order` message)."""

    type: Literal["order"]
    event: str = Field(description="REST: the status; WebSocket: also `triggered` when a stop fires")
    hash: Hash = Field(description="the order's EIP-712 digest: its id")
    clientOrderId: str | None = Field(description="the maker's own id, if it sent one (not signed)")
    market: str
    side: Side
    status: Literal["open", "filled", "cancelled", "expired"] = Field(
        description="`open` also for a stop order still waiting for its trigger"
    )
    reason: str | None = Field(
        description="why it left the book: e.g. `cancelled_by_user`, `ioc_remainder`, `self_trade_prevented`, "
        "`expired`, `cancelled_on_chain`, `nonce_used_on_chain`, `stop_not_triggered_on_chain`; null while open or "
        "when filled"
    )
    filled: Amount = Field(description="base base-units filled so far")
    filledQuote: Amount = Field(
        description="quote base-units those fills traded for, at the makers' prices (the average price is "
        "filledQuote / filled, scaled as prices are); a taker's limit price is only its worst"
    )
    remaining: Amount = Field(description="base base-units still on the book (0 once not open)")
    unfilled: Amount = Field(description="base base-units never filled, whatever the status")
    reserved: Amount = Field(description="what the order still holds of the token it pays with")
    timeInForce: Literal["GTC", "IOC", "FOK", "POST_ONLY"]
    createdAt: EpochMs
    updatedAt: EpochMs
    order: SignedOrder
    signature: Signature


class OrderList(BaseModel):
    orders: list[OrderView] = Field(description="newest first")
    next: Cursor


class CancelAllResult(BaseModel):
    cancelled: list[Hash] = Field(description="hashes of the orders this request cancelled")
    kept: list[Hash] = Field(
        description="hashes of the maker's orders left open because their market is halted (a halted market refuses "
        "every command, cancels too; a request naming it is refused MARKET_HALTED): cancel them once it reopens, or "
        "on-chain"
    )


class BatchOrderOutcome(BaseModel):
    """One order of a batch, in the place it had in the request: placed (`order`), or refused (`error`)."""

    status: int = Field(
        description="what `POST /v1/orders` would have answered it: 201 placed, 200 placed before (through an API "
        "replica: the same signed order sent again), else the refusal's status (400, 409, 422, 429, ...)"
    )
    order: OrderView | None = Field(description="the order, once stored; null when refused")
    error: ErrorDetail | None = Field(description="why this order was refused; null when placed")


class BatchResult(BaseModel):
    results: list[BatchOrderOutcome] = Field(description="one per order sent, in the same order")


class ReplaceResult(BaseModel):
    cancelled: OrderView = Field(description="the old order, now cancelled")
    order: OrderView = Field(description="the new order")


class CancelAfterResult(BaseModel):
    maker: Address
    market: str | None = Field(description="null: every market")
    timeoutMs: int = Field(ge=0, description="0 turns the switch off")
    deadline: EpochMs | None = Field(description="when the orders are cancelled unless renewed; null when off")


# accounts


class Balance(BaseModel):
    token: Address
    symbol: str | None = Field(description="null for a token no market lists")
    decimals: int | None = Field(description="null for a token no market lists")
    balance: Amount = Field(description="the ledger: deposits final on-chain, settled trades, withdrawals")
    reserved: Amount = Field(description="held by open orders and unsettled fills")
    available: Amount = Field(description="balance - pendingWithdrawals - frozen - reserved (never below 0)")
    frozen: Amount = Field(description="deposits by a blocked address, held by compliance")
    pendingDeposits: Amount = Field(description="deposits seen on-chain, not yet final")
    pendingWithdrawals: Amount = Field(description="accepted withdrawal requests not yet final")


class Balances(BaseModel):
    address: Address
    balances: list[Balance]


class Trade(BaseModel):
    """A fill between two orders at the maker's price (`GET .../trades`, the WebSocket trades channel)."""

    type: Literal["trade"]
    id: str = Field(pattern="^[0-9]+$")
    market: str
    price: Amount = Field(description="quote base units per 1e18 base base-units")
    baseAmount: Amount
    quoteAmount: Amount
    takerSide: Side
    maker: Address
    taker: Address
    makerOrderHash: Hash
    takerOrderHash: Hash
    makerFee: Amount = Field(description="in the token the maker receives (a buyer: base, a seller: quote)")
    takerFee: Amount = Field(description="in the token the taker receives (a buyer: base, a seller: quote)")
    status: Literal["unsettled", "settling", "settled", "failed"] = Field(description="its on-chain settlement")
    time: EpochMs


class AccountFill(Trade):
    """A fill as one of its parties sees it."""

    liquidity: Literal["maker", "taker"]
    side: Side = Field(description="this wallet's side")
    fee: Amount = Field(description="this wallet's fee, in `feeToken`")
    feeToken: Address = Field(description="the token this wallet received: base for a buy, quote for a sell")
    feeTokenSymbol: str
    feeTokenDecimals: int
    clientOrderId: str | None = Field(description="the clientOrderId of this wallet's order, if it sent one")
    failure: str | None = Field(default=None, description="a failed fill: why, as the relayer recorded it")
    failureReason: str | None = Field(default=None, description="a failed fill: why, in words")


class FillList(BaseModel):
    fills: list[AccountFill] = Field(description="newest first")
    next: Cursor


class Deposit(BaseModel):
    id: str = Field(pattern="^[0-9]+$")
    token: Address
    symbol: str | None
    decimals: int | None
    amount: Amount
    status: Literal["pending", "confirmed", "frozen", "orphaned"] = Field(
        description="pending: not final yet; confirmed: credited; frozen: credited, held by compliance; "
        "orphaned: its block was reorganised away"
    )
    txHash: Hash
    logIndex: int
    blockNumber: int
    blockHash: Hash
    confirmations: int = Field(ge=0)
    seenAt: EpochMs


class DepositList(BaseModel):
    deposits: list[Deposit] = Field(description="newest first")
    next: Cursor


WithdrawalStatus = Literal["accepted", "relaying", "relayed", "completed", "failed"]


class AccountWithdrawal(BaseModel):
    hash: Hash = Field(description="the Withdrawal's EIP-712 digest")
    token: Address
    symbol: str | None
    decimals: int | None
    amount: Amount = Field(description="debited from the vault balance; the recipient gets amount - fee")
    fee: Amount = Field(description="in the withdrawn token")
    maxFee: Amount
    recipient: Address
    nonce: Amount
    status: WithdrawalStatus
    failure: str | None
    txHash: Hash | None
    blockNumber: int | None = Field(description="the block of its Withdrawn event, once mined")
    createdAt: EpochMs
    updatedAt: EpochMs


class AccountWithdrawalList(BaseModel):
    withdrawals: list[AccountWithdrawal] = Field(description="newest first")
    next: str | None = Field(description="`cursor` of the next page; null on the last page")


class MarketFees(BaseModel):
    market: str
    makerFeeRate: int
    takerFeeRate: int


class Fees(BaseModel):
    address: Address
    feeRateScale: int = Field(description="1000000: rates are in millionths of the amount received")
    maxFeeRate: int = Field(description="the Exchange contract's hard cap on any trade fee rate")
    markets: list[MarketFees]
    withdrawalFeeRate: int = Field(description="millionths of a withdrawal's amount, in the withdrawn token")


# market data

Level = Annotated[list[Amount], Field(min_length=2, max_length=2, description="[price, base amount]")]


class Book(BaseModel):
    market: str
    seq: int = Field(ge=0, description="the book channel's sequence number these levels correspond to")
    bids: list[Level] = Field(description="best (highest) first")
    asks: list[Level] = Field(description="best (lowest) first")


class TradeList(BaseModel):
    trades: list[Trade] = Field(description="newest first")
    next: Cursor


class Candle(BaseModel):
    interval: Literal["1m", "5m", "15m", "1h", "4h", "1d"]
    start: EpochMs
    open: Amount
    high: Amount
    low: Amount
    close: Amount
    baseVolume: Amount
    quoteVolume: Amount
    trades: int = Field(ge=0)


class Candles(BaseModel):
    market: str
    interval: Literal["1m", "5m", "15m", "1h", "4h", "1d"]
    candles: list[Candle] = Field(description="oldest first; intervals without trades are absent")


class Ticker(BaseModel):
    market: str
    open: Amount | None = Field(description="null without trades in the last 24 h (as high, low, last)")
    high: Amount | None
    low: Amount | None
    last: Amount | None
    baseVolume: Amount
    quoteVolume: Amount
    trades: int = Field(ge=0)
    bestBid: Amount | None
    bestAsk: Amount | None


# withdrawals and time


class WithdrawalView(BaseModel):
    hash: Hash = Field(description="the Withdrawal's EIP-712 digest: its id")
    wallet: Address
    token: Address
    amount: Amount = Field(description="debited from the vault balance; the recipient gets amount - fee")
    fee: Amount = Field(description="the operator's fee, in the withdrawn token (at most the signed maxFee)")
    recipient: Address
    status: WithdrawalStatus = Field(
        description="accepted -> relaying -> relayed (mined) -> completed (final in the ledger), or failed"
    )
    txHash: Hash | None
    failure: str | None = Field(description="why it failed; the amount is available again")


class ChainHead(BaseModel):
    chainId: int
    blockNumber: int
    blockTimestamp: int = Field(description="unix seconds, as the chain says")


class ServerTime(BaseModel):
    serverTime: EpochMs
    chain: ChainHead | None = Field(description="the latest block, read at most a second ago; null if the node is down")
