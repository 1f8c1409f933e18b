"""The account page as a wallet user across borders meets it: a refusal the server words in English only is said
in the user's language before anything is sent, and a session the server ended (signed out everywhere from
another device) is forgotten at the page's first refused request, which then offers "Sign in" again.

Dev account 0 (no other browser test signs in with it): nothing here trades or submits anything.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from playwright.sync_api import expect

from .browser_kit import Dapp
from .flows import ApiTraffic, catalogue, connect, sign_in

USER = 0
EN, ACCOUNT_EN, ACCOUNT_ZH = catalogue("en"), catalogue("account/en"), catalogue("account/zh-CN")


def test_an_under_age_birth_date_is_refused_in_chinese_before_anything_is_sent(
    open_dapp: Callable[..., Dapp],
) -> None:
    dapp = open_dapp(USER)
    page = dapp.page
    traffic = ApiTraffic(page)
    connect(dapp, "/account")
    sign_in(dapp)
    page.get_by_role("combobox", name=EN["app.language"]).select_option(label="简体中文")

    seventeen = dt.date.today().replace(day=1) - dt.timedelta(days=17 * 365)
    form = page.locator("form", has=page.get_by_role("button", name=ACCOUNT_ZH["kyc.level1.submit"]))
    form.get_by_label(ACCOUNT_ZH["kyc.legalName"]).fill("王小明")
    form.get_by_label(ACCOUNT_ZH["kyc.dateOfBirth"]).fill(seventeen.isoformat())
    form.get_by_label(ACCOUNT_ZH["kyc.country"], exact=True).select_option("CN")
    form.get_by_label(ACCOUNT_ZH["kyc.line1"]).fill("人民路 1 号")
    form.get_by_label(ACCOUNT_ZH["kyc.city"]).fill("上海")
    form.get_by_label(ACCOUNT_ZH["kyc.postalCode"]).fill("200000")
    form.get_by_role("button", name=ACCOUNT_ZH["kyc.level1.submit"]).click()

    # Before, the server's "you must be 18 or older" came back in English under the field.
    expect(form.get_by_text(ACCOUNT_ZH["kyc.error.tooYoung"].replace("{min}", "18"))).to_be_visible()
    assert traffic.count("POST", "/v1/account/kyc/level1") == 0
    assert dapp.console_errors == []


def test_a_session_ended_on_another_device_makes_the_page_offer_sign_in_at_its_first_refused_request(
    open_dapp: Callable[..., Dapp],
) -> None:
    here, elsewhere = open_dapp(USER), open_dapp(USER)
    for dapp in (here, elsewhere):
        connect(dapp, "/account")
        sign_in(dapp)
    elsewhere.page.get_by_role("button", name="Sign out everywhere").click()
    expect(elsewhere.page.get_by_role("button", name="Sign in", exact=True)).to_be_visible()

    page = here.page
    page.get_by_label(ACCOUNT_EN["profile.country"]).select_option("FR")
    page.get_by_role("button", name=ACCOUNT_EN["profile.save"]).click()

    # Before, "Your session has ended. Sign in again" stood beside a "Sign out" button, and no "Sign in".
    expect(page.get_by_role("button", name="Sign in", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Sign out", exact=True)).to_have_count(0)
    expect(page.get_by_text(ACCOUNT_EN["accountPage.signInFirst"])).to_be_visible()
