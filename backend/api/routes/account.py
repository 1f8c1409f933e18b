"""The signed-in wallet's own account: `GET/PUT /v1/account/profile`, `POST /v1/account/email/verify`,
`GET /v1/account/export`, `POST /v1/account/deletion`.

Every route serves the session's wallet and no other: no address is taken from the request, so one
wallet cannot name another's data. Text is stored as typed and returned as JSON strings; nothing here
is rendered as HTML by the server.
"""

from __future__ import annotations

import asyncio
import json
from typing import Annotated, Any

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field

from backend.accounts.languages import LANGUAGES
from backend.accounts.profiles import Profile
from backend.accounts.service import UNCHANGED, ProfileChanges
from backend.api.deps import AccountsDep, ContainerDep, CurrentWallet, spend_scope
from backend.api.routes.auth import clear_session_cookie
from backend.api.schemas import ERROR, SIGNED_IN, SIGNED_IN_CHANGE, Address, EpochMs, Input, documented
from backend.limits.orders import order_limits_for
from backend.mail.addresses import MAX_EMAIL_CHARS

router = APIRouter(prefix="/v1/account", tags=["account"])
Country = Annotated[str, Field(min_length=2, max_length=2, description="ISO 3166-1 alpha-2, e.g. DE")]
LANGUAGE = "the language of the wallet's e-mails (the verification link's too): the dApp's, en or zh-CN"


class Notifications(BaseModel):
    fills: bool = Field(description="mail me when my orders fill")
    withdrawals: bool = Field(description="mail me about my withdrawals")
    news: bool = Field(description="mail me HDEX news")


class ProfileOut(BaseModel):
    address: Address
    email: str | None = Field(description="as the user typed it (lower case); shown as text, never as HTML")
    emailVerified: bool = Field(description="true once the mailed single-use link was used")
    country: str | None = Field(description="declared country of residence, ISO 3166-1 alpha-2")
    notifications: Notifications
    level: int = Field(ge=0, le=2, description="KYC level: 0 wallet only, 1 identity data, 2 documents")
    countryRestricted: bool = Field(description="the declared country is restricted: the wallet stays at level 0")
    identityCountryRestricted: bool = Field(
        description="the country of the wallet's approved identity data is restricted: it stays at level 0 whatever "
        "country it declares"
    )
    restrictedCountries: list[str] = Field(
        description="the countries (ISO 3166-1 alpha-2) whose residents HDEX cannot verify (HDEX_KYC_RESTRICTED_"
        "COUNTRIES): declaring one keeps the wallet at level 0, so the dApp warns before it is saved"
    )
    language: str = Field(description=LANGUAGE, json_schema_extra={"enum": list(LANGUAGES)})


class NotificationChanges(Input):
    fills: bool | None = None
    withdrawals: bool | None = None
    news: bool | None = None


class ProfileUpdate(Input):
    email: str | None = Field(
        default=None, max_length=MAX_EMAIL_CHARS, description="null removes it; a new one gets a verification link"
    )
    country: Country | None = None
    notifications: NotificationChanges | None = None
    # checked by the service (INVALID_FIELD naming the languages), so that every door refuses alike
    language: str | None = Field(
        default=None, max_length=16, description=LANGUAGE, json_schema_extra={"enum": list(LANGUAGES)}
    )


class VerifyEmail(Input):
    token: str = Field(min_length=1, max_length=128, description="the `verifyEmail` value of the mailed link")


class DeletionReceiptOut(BaseModel):
    requestedAt: EpochMs
    kycRetainedUntil: EpochMs | None = Field(
        description="when the KYC records (kept by AML law) are purged; null if there were none"
    )
    travelRuleRetainedUntil: EpochMs | None = Field(
        description="when the travel-rule data sent with the wallet's withdrawals (kept by AML law) is purged; null "
        "if there was none"
    )


class ExportOut(BaseModel):
    address: Address
    exportedAt: EpochMs
    profile: dict[str, Any] = Field(description="e-mail, country, notification choices, language, level, createdAt")
    kycSubmissions: list[dict[str, Any]] = Field(description="with identity data and documents (contentBase64)")
    emailLinks: list[dict[str, Any]] = Field(description="verification links mailed and not yet used: email, expiresAt")
    sessions: list[dict[str, Any]]
    orders: list[dict[str, Any]]
    fills: list[dict[str, Any]]
    deposits: list[dict[str, Any]] = Field(description="the Deposited events the indexer saw for the wallet")
    withdrawals: list[dict[str, Any]]
    travelRuleRecords: list[dict[str, Any]] = Field(
        description="the originator and beneficiary (IVMS101) sent with withdrawals from the travel-rule threshold"
    )
    balances: list[dict[str, Any]]
    limitOverrides: list[dict[str, Any]] = Field(description="staff's overrides of the wallet's limits, with why")
    supportTickets: list[dict[str, Any]] = Field(
        description="each with its messages as the wallet saw them (its own and staff's public replies)"
    )
    supportAttachments: list[dict[str, Any]] = Field(description="the files the wallet attached (contentBase64)")
    accountMail: list[dict[str, Any]] = Field(
        description="the newest 1,000 mails owed to the wallet: subject, body, when sent and how it went"
    )
    forumThreads: list[dict[str, Any]]
    forumPosts: list[dict[str, Any]]
    forumReports: list[dict[str, Any]] = Field(description="the wallet's reports of posts, with its reasons")
    behaviourEvents: list[dict[str, Any]] = Field(description="what the statistics keep: the event and its time")


def profile_json(profile: Profile) -> dict[str, Any]:
    return {
        "address": profile.address,
        "email": profile.email,
        "emailVerified": profile.email_verified,
        "country": profile.country,
        "notifications": profile.notifications,
        "level": profile.level,
        "countryRestricted": profile.country_restricted,
        "identityCountryRestricted": profile.identity_country_restricted,
        "restrictedCountries": sorted(profile.restricted_countries),
        "language": profile.language,
    }


@router.get("/profile", response_model=None, responses={**documented(ProfileOut, "the wallet's profile"), **SIGNED_IN})
async def get_profile(wallet: CurrentWallet, accounts: AccountsDep) -> dict[str, Any]:
    """The signed-in wallet's profile (made, empty, on first read)."""
    return profile_json(await asyncio.to_thread(accounts.profile, wallet))


@router.put("/profile", response_model=None, responses={
    **documented(ProfileOut, "the profile as changed"), **SIGNED_IN_CHANGE, 422: ERROR, 429: ERROR,
})  # fmt: skip
async def put_profile(
    body: ProfileUpdate, request: Request, wallet: CurrentWallet, accounts: AccountsDep, container: ContainerDep
) -> dict[str, Any]:
    """Changes the fields the body names. A new e-mail is unverified until the single-use link mailed to it
    (`<base>/account?verifyEmail=<token>`) is used; saving it again mails a new link, unless its inbox (the
    address, any +tag of it) has HDEX_EMAIL_VERIFY_LINKS_PER_ADDRESS links out already, whichever wallets asked:
    then RATE_LIMITED (429, with Retry-After) and nothing changes. Each save naming an e-mail counts against
    HDEX_RATE_LIMIT_EMAIL_LINK per client IP. Declaring a restricted country drops the wallet to level 0 and ends
    staff's overrides of its limits. `language` (en or zh-CN, else INVALID_FIELD) is what every e-mail to the wallet
    is written in from then on, the link this request mails included."""
    named = body.model_fields_set
    if body.email is not None:  # a link is mailed to it (HDEX_RATE_LIMIT_EMAIL_LINK)
        await spend_scope(request, "email_link")
    notifications = body.notifications.model_dump(exclude_none=True) if body.notifications is not None else UNCHANGED
    changes = ProfileChanges(
        email=body.email if "email" in named else UNCHANGED,
        country=body.country if body.country is not None else UNCHANGED,
        notifications=notifications,
        language=body.language if body.language is not None else UNCHANGED,
    )
    base = container.settings.link_base(str(request.base_url))
    profile = await asyncio.to_thread(accounts.update_profile, wallet, changes, base)
    if changes.country is not UNCHANGED:  # a restricted one ended the wallet's overrides: orders must see it
        order_limits_for(container).forget(profile.address)
    return profile_json(profile)


@router.post("/email/verify", response_model=None, responses={
    **documented(ProfileOut, "the e-mail is verified"), **SIGNED_IN_CHANGE, 422: ERROR,
})  # fmt: skip
async def verify_email(body: VerifyEmail, wallet: CurrentWallet, accounts: AccountsDep) -> dict[str, Any]:
    """Uses a verification link's token (once; EMAIL_LINK_INVALID if unknown, used, expired or another wallet's)."""
    return profile_json(await asyncio.to_thread(accounts.verify_email, wallet, body.token))


@router.get("/export", response_model=None, responses={
    **documented(ExportOut, "everything held about the wallet, as a JSON attachment"), **SIGNED_IN,
})  # fmt: skip
async def export(wallet: CurrentWallet, accounts: AccountsDep) -> Response:
    """A download of everything HDEX holds about the signed-in wallet (data-protection right of access)."""
    data = await asyncio.to_thread(accounts.export, wallet)
    return Response(
        json.dumps(data, ensure_ascii=False),
        media_type="application/json",
        headers={
            "Content-Disposition": f'attachment; filename="hdex-export-{data["address"]}.json"',
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )


@router.post("/deletion", response_model=None, responses={
    **documented(DeletionReceiptOut, "personal data erased; KYC and travel-rule records kept until the dates given"),
    **SIGNED_IN_CHANGE,
})  # fmt: skip
async def request_deletion(
    wallet: CurrentWallet, response: Response, accounts: AccountsDep, container: ContainerDep
) -> dict[str, Any]:
    """Erases now the profile's personal data, what the wallet wrote in the support desk (its tickets' subjects
    and its messages; its attachments are deleted) and in the forum (its threads' titles and its posts), each
    replaced by "[erased at the author's request]" (the tickets and threads stay, as do staff's replies), and
    its behaviour events; withdraws a pending KYC submission; drops the wallet to level 0 and ends staff's overrides
    of its limits; ends the wallet's sessions on every device (this browser's cookie is cleared). KYC records and
    the travel-rule data of its withdrawals stay for the retention periods AML law requires
    (HDEX_KYC_RETENTION_DAYS, HDEX_TRAVEL_RULE_RETENTION_DAYS), then a scheduled job purges them. Asking again
    (signed in again) erases what came since."""
    receipt = await asyncio.to_thread(accounts.request_deletion, wallet)
    order_limits_for(container).forget(wallet)
    clear_session_cookie(response, container.settings)
    return {
        "requestedAt": receipt.requested_at_ms,
        "kycRetainedUntil": receipt.kyc_retained_until_ms,
        "travelRuleRetainedUntil": receipt.travel_rule_retained_until_ms,
    }
