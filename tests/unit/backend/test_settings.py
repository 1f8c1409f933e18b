"""Settings: defaults, parsing from HDEX_* variables, and refusals with a clear message."""

from pathlib import Path

import pytest

from backend.chain.devkeys import DEV_KEYS, OPERATOR_INDEX
from backend.settings import Environment, SettingsError, load_settings

PRODUCTION = {
    "env": "production",
    "rpc_url": "https://rpc.example.org",
    "database_url": "postgresql://hdex@db/hdex",
    "operator_key": "0x" + "11" * 32,
    "siwe_domains": "hdex.example.org, www.hdex.example.org",
    "confirmations": 64,
    "smtp_host": "smtp.example.org",
    "smtp_from": "HDEX <no-reply@hdex.example.org>",
}


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in list(__import__("os").environ):
        if name.startswith("HDEX_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)  # no stray .env from the developer's checkout


def test_defaults_describe_the_embedded_development_exchange() -> None:
    settings = load_settings()
    assert settings.env is Environment.DEVELOPMENT
    assert settings.embedded_chain
    assert settings.effective_rpc_url == "http://127.0.0.1:8545"
    assert settings.effective_database_url.startswith("sqlite:///")
    assert settings.effective_database_url.endswith("/var/hdex.db")
    assert settings.redis_url is None
    assert (settings.api_host, settings.api_port, settings.chain_id) == ("127.0.0.1", 8000, 31337)
    assert settings.operator_private_key() == DEV_KEYS[OPERATOR_INDEX]


def test_values_are_read_from_hdex_environment_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HDEX_API_PORT", "9000")
    monkeypatch.setenv("HDEX_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/hdex")
    monkeypatch.setenv("HDEX_REDIS_URL", "redis://127.0.0.1:6379/0")
    monkeypatch.setenv("HDEX_LOG_LEVEL", "debug")
    settings = load_settings()
    assert settings.api_port == 9000
    assert settings.database_url == "postgresql+psycopg://postgres@127.0.0.1:5432/hdex"
    assert settings.redis_url == "redis://127.0.0.1:6379/0"
    assert settings.log_level == "DEBUG"


def test_values_are_read_from_a_dotenv_file(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("HDEX_CONFIRMATIONS=12\nHDEX_CHAIN_ID=10\n")
    settings = load_settings()
    assert (settings.confirmations, settings.chain_id) == (12, 10)


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("HDEX_API_PORT", "70000", "HDEX_API_PORT"),
        ("HDEX_API_PORT", "eighty", "HDEX_API_PORT"),
        ("HDEX_CHAIN_ID", "0", "HDEX_CHAIN_ID"),
        ("HDEX_CONFIRMATIONS", "-1", "HDEX_CONFIRMATIONS"),
        ("HDEX_DATABASE_URL", "mysql://root@localhost/hdex", "sqlite:/// or postgresql://"),
        ("HDEX_REDIS_URL", "http://127.0.0.1:6379", "redis://"),
        ("HDEX_RPC_URL", "127.0.0.1:8545", "http(s)://"),
        ("HDEX_LOG_LEVEL", "loud", "HDEX_LOG_LEVEL"),
        ("HDEX_ENV", "staging", "HDEX_ENV"),
        ("HDEX_OPERATOR_KEY", "0x1234", "64 hex digits"),
        ("HDEX_COMMAND_KEY", "short", "at least 32 characters"),
    ],
)
def test_bad_values_are_refused_with_the_variable_named(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, message: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as refused:
        load_settings()
    assert message in str(refused.value)
    assert name in str(refused.value)


def test_production_accepts_explicit_real_settings() -> None:
    settings = load_settings(**PRODUCTION)
    assert not settings.embedded_chain
    assert settings.siwe_domains == ["hdex.example.org", "www.hdex.example.org"]
    assert settings.secure_cookies and not settings.development_chain
    assert settings.operator_private_key() == "0x" + "11" * 32


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"operator_key": DEV_KEYS[OPERATOR_INDEX]}, "well-known anvil development key"),
        ({"operator_key": None}, "needs HDEX_OPERATOR_KEY"),
        ({"rpc_url": None}, "needs HDEX_RPC_URL"),
        ({"database_url": None}, "PostgreSQL"),
        ({"database_url": "sqlite:///var/hdex.db"}, "PostgreSQL"),
        ({"siwe_domains": ""}, "needs HDEX_SIWE_DOMAINS"),
        ({"confirmations": 0}, "needs HDEX_CONFIRMATIONS, at least 1"),
        ({"smtp_host": None}, "needs HDEX_SMTP_HOST and HDEX_SMTP_FROM: without them staff invitations"),
    ],
)
def test_production_refuses_development_defaults(override: dict[str, object], message: str) -> None:
    with pytest.raises(SettingsError, match=message):
        load_settings(**{**PRODUCTION, **override})


def test_production_needs_the_chains_confirmations_said_not_the_development_default(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    unsaid = {name: value for name, value in PRODUCTION.items() if name != "confirmations"}
    with pytest.raises(SettingsError, match="needs HDEX_CONFIRMATIONS"):
        load_settings(**unsaid)
    monkeypatch.setenv("HDEX_CONFIRMATIONS", "2")  # said, even if it is the default's value
    assert load_settings(**unsaid).confirmations == 2


def test_production_needs_a_sender_said_not_the_development_default() -> None:
    unsaid = {name: value for name, value in PRODUCTION.items() if name != "smtp_from"}
    with pytest.raises(SettingsError, match="needs HDEX_SMTP_HOST and HDEX_SMTP_FROM"):
        load_settings(**unsaid)


def test_a_keystore_needs_its_password(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="HDEX_OPERATOR_KEYSTORE_PASSWORD"):
        load_settings(operator_keystore=tmp_path / "key.json")


def test_the_operator_key_is_read_from_an_encrypted_keystore(tmp_path: Path) -> None:
    from eth_account import Account

    key = "0x" + "22" * 32
    keystore = tmp_path / "operator.json"
    keystore.write_text(__import__("json").dumps(Account.encrypt(key, "s3cret", iterations=2)))
    settings = load_settings(operator_keystore=keystore, operator_keystore_password="s3cret")
    assert settings.operator_private_key() == key


def test_an_unreadable_operator_keystore_is_one_line_naming_the_variable_not_a_traceback(tmp_path: Path) -> None:
    """A wrong password raised eth-keyfile's bare `ValueError: MAC mismatch` out of `hdex up` (a traceback, after the
    migrations and the chain had started), a missing file an OSError naming no variable."""
    from eth_account import Account

    keystore = tmp_path / "operator.json"
    keystore.write_text(__import__("json").dumps(Account.encrypt("0x" + "22" * 32, "s3cret", iterations=2)))
    wrong = load_settings(operator_keystore=keystore, operator_keystore_password="not it")
    with pytest.raises(SettingsError, match=r"HDEX_OPERATOR_KEYSTORE: cannot decrypt .*a wrong password"):
        wrong.operator_private_key()
    missing = load_settings(operator_keystore=tmp_path / "gone.json", operator_keystore_password="s3cret")
    with pytest.raises(SettingsError, match=r"HDEX_OPERATOR_KEYSTORE: cannot read .*gone\.json"):
        missing.operator_private_key()


def test_production_refuses_an_anvil_development_key_from_a_keystore_too(tmp_path: Path) -> None:
    """The validator refused anvil's operator key given raw, and took the same key from a keystore."""
    from eth_account import Account

    keystore = tmp_path / "operator.json"
    keystore.write_text(__import__("json").dumps(Account.encrypt(DEV_KEYS[OPERATOR_INDEX], "s3cret", iterations=2)))
    production = {key: value for key, value in PRODUCTION.items() if key != "operator_key"}
    settings = load_settings(**production, operator_keystore=keystore, operator_keystore_password="s3cret")
    with pytest.raises(SettingsError, match="production refuses a well-known anvil development key"):
        settings.operator_private_key()
    development = load_settings(operator_keystore=keystore, operator_keystore_password="s3cret")
    assert development.operator_private_key() == DEV_KEYS[OPERATOR_INDEX]


def test_the_command_stream_needs_redis_and_a_replica_an_http_engine_url() -> None:
    with pytest.raises(SettingsError, match="HDEX_COMMAND_STREAM needs HDEX_REDIS_URL"):
        load_settings(_env_file=None, command_stream=True, redis_url=None)
    with pytest.raises(SettingsError, match="HDEX_ENGINE_URL: must be an http"):
        load_settings(_env_file=None, engine_url="redis://127.0.0.1:6379/0")
    assert load_settings(_env_file=None, engine_url="http://engine:8000/").engine_url == "http://engine:8000"


def test_the_settlement_margin_leaves_room_for_an_immediate_orders_expiry() -> None:
    """An IOC or fill-or-kill order signs an expiry at most HDEX_IMMEDIATE_ORDER_MAX_EXPIRY_S ahead, and one
    expiring within HDEX_SETTLEMENT_MARGIN_S is refused: a margin as long would refuse every one of them."""
    with pytest.raises(SettingsError, match="HDEX_SETTLEMENT_MARGIN_S"):
        load_settings(_env_file=None, settlement_margin_s=60, immediate_order_max_expiry_s=60)
    settings = load_settings(_env_file=None, settlement_margin_s=59, immediate_order_max_expiry_s=60)
    assert settings.settlement_margin_s == 59
