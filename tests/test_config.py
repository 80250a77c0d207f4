from pathlib import Path

import pytest

from paperwire.config import Settings, load_settings, setting_names
from paperwire.errors import ConfigError


def test_defaults_put_the_database_under_the_data_dir() -> None:
    settings = load_settings({})
    assert settings.data_dir == Path("paperwire-data")
    assert settings.database_path == Path("paperwire-data/paperwire.db")


def test_values_are_converted_by_type() -> None:
    settings = load_settings({
        "PAPERWIRE_PAGE_SIZE": "12", "PAPERWIRE_ARXIV_MIN_INTERVAL": "0.5",
        "PAPERWIRE_DAILY_CATEGORIES": "cs.LG, math.GT", "PAPERWIRE_DEBUG": "yes",
    })
    assert settings.page_size == 12
    assert settings.arxiv_min_interval == 0.5
    assert settings.daily_categories == ("cs.LG", "math.GT")
    assert settings.debug is True


@pytest.mark.parametrize(("name", "value", "words"), [
    ("PAPERWIRE_PAGE_SIZE", "many", "PAPERWIRE_PAGE_SIZE"),
    ("PAPERWIRE_TIMEZONE", "Mars/Olympus", "time zone"),
    ("PAPERWIRE_SMTP_TLS", "maybe", "PAPERWIRE_SMTP_TLS"),
    ("PAPERWIRE_DEBUG", "perhaps", "PAPERWIRE_DEBUG"),
    ("PAPERWIRE_BASE_URL", "ftp://x", "PAPERWIRE_BASE_URL"),
    ("PAPERWIRE_FOR_YOU_DAYS", "-1", "PAPERWIRE_FOR_YOU_DAYS must be a number of days"),
])
def test_bad_values_name_the_variable(name: str, value: str, words: str) -> None:
    with pytest.raises(ConfigError, match=words):
        load_settings({name: value})


def test_public_site_refuses_the_default_secret() -> None:
    with pytest.raises(ConfigError, match="PAPERWIRE_SECRET_KEY"):
        load_settings({"PAPERWIRE_BASE_URL": "https://papers.example.org"})
    ok = load_settings({"PAPERWIRE_BASE_URL": "https://papers.example.org",
                        "PAPERWIRE_SECRET_KEY": "x" * 40})
    assert ok.secure_cookies


def test_every_field_has_an_environment_variable() -> None:
    names = setting_names()
    assert "PAPERWIRE_DATABASE_URL" in names and "PAPERWIRE_SECRET_KEY" in names
    assert len(names) == len(Settings.__dataclass_fields__)


@pytest.mark.parametrize(("name", "value", "words"), [
    ("PAPERWIRE_MAILER", "pigeon", "PAPERWIRE_MAILER='pigeon' must be 'smtp', 'console' or 'outbox'"),
    ("PAPERWIRE_EMBEDDER", "hub", "PAPERWIRE_EMBEDDER='hub' must be 'package', 'dir' or 'static'"),
    ("PAPERWIRE_DAILY_POLICY", "all", "'submitted' or 'categories'"),
    ("PAPERWIRE_SMTP_TLS", "ssl", "'none', 'starttls' or 'tls'"),
    ("PAPERWIRE_EMBED_DEVICE", "gpu", "PAPERWIRE_EMBED_DEVICE='gpu' must be 'auto', 'cpu' or 'cuda'"),
    ("PAPERWIRE_DAILY_STEPS", "arxiv,teleport",
     "PAPERWIRE_DAILY_STEPS='teleport' must be 'arxiv', 'oai', 'enrich', 'index' or 'digest'"),
])
def test_choices_are_checked_at_load_naming_the_allowed_values(name: str, value: str,
                                                              words: str) -> None:
    with pytest.raises(ConfigError, match=words):
        load_settings({name: value})


def test_a_model_dir_is_required_by_the_dir_embedder() -> None:
    with pytest.raises(ConfigError, match="PAPERWIRE_MODEL_DIR"):
        load_settings({"PAPERWIRE_EMBEDDER": "dir"})
    assert load_settings({"PAPERWIRE_EMBEDDER": "dir", "PAPERWIRE_MODEL_DIR": "/m"}).model_dir


def test_base_url_follows_the_listen_address_unless_set() -> None:
    from paperwire.config import with_listen_address

    bare = {"PAPERWIRE_DATA_DIR": "/tmp/x"}
    assert with_listen_address(load_settings(bare), bare, "127.0.0.1", 8101).base_url == \
        "http://127.0.0.1:8101"
    assert with_listen_address(load_settings(bare), bare, "0.0.0.0", 8102).base_url == \
        "http://127.0.0.1:8102"
    assert with_listen_address(load_settings(bare), bare, "::1", 8103).base_url == \
        "http://[::1]:8103"
    fixed = {**bare, "PAPERWIRE_BASE_URL": "https://papers.example.org",
             "PAPERWIRE_SECRET_KEY": "a-long-random-test-secret-0123456789"}
    assert with_listen_address(load_settings(fixed), fixed, "127.0.0.1", 8101).base_url == \
        "https://papers.example.org"


def test_a_public_listen_address_still_needs_a_secret() -> None:
    from paperwire.config import with_listen_address

    bare = {"PAPERWIRE_DATA_DIR": "/tmp/x"}
    with pytest.raises(ConfigError, match="PAPERWIRE_SECRET_KEY"):
        with_listen_address(load_settings(bare), bare, "192.0.2.10", 8000)
