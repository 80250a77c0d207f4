"""Settings, built once at the edge from environment variables (prefix ``PAPERWIRE_``).

Nothing here runs at import time: ``load_settings(os.environ)`` is called by the CLI
(and by tests with a dict of their own) and the result is passed down.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from paperwire.errors import ConfigError

PREFIX = "PAPERWIRE_"
DEV_SECRET = "dev-insecure-secret-key"
MIN_SECRET_BYTES = 32
LIMITS = ("login_failures_per_hour", "address_login_failures_per_hour", "address_signups_per_hour",
          "address_resets_per_hour", "address_subscriptions_per_hour",
          "address_submissions_per_hour")
# Settings that name one of a few choices, and the choices (checked by ``load_settings``).
CHOICES: dict[str, tuple[str, ...]] = {
    "daily_policy": ("submitted", "categories"),
    "smtp_tls": ("none", "starttls", "tls"),
    "mailer": ("smtp", "console", "outbox"),
    "embedder": ("package", "dir", "static"),
    "embed_device": ("auto", "cpu", "cuda"),
}
DAILY_STEPS = ("arxiv", "oai", "enrich", "index", "digest")


@dataclass(frozen=True)
class Settings:
    """Every setting paperwire reads. Each field is ``PAPERWIRE_<FIELD NAME IN CAPITALS>``."""

    data_dir: Path = Path("./paperwire-data")
    database_url: str = ""
    database_pool_size: int = 10
    secret_key: str = DEV_SECRET
    base_url: str = "http://127.0.0.1:8000"
    site_name: str = "paperwire"
    timezone: str = "UTC"
    daily_policy: str = "submitted"
    daily_categories: tuple[str, ...] = ("cs.LG", "cs.CL", "cs.CV", "cs.AI")
    page_size: int = 30
    # ingest
    arxiv_oai_url: str = "https://oaipmh.arxiv.org/oai"
    arxiv_api_url: str = "https://export.arxiv.org/api/query"
    arxiv_min_interval: float = 3.0
    arxiv_max_retries: int = 5
    arxiv_timeout: float = 60.0
    contact_email: str = "admin@example.org"
    daily_steps: tuple[str, ...] = ("arxiv", "enrich", "index", "digest")
    thumbnails: bool = False
    arxiv_pdf_url: str = "https://arxiv.org/pdf"
    # search
    embedder: str = "package"
    model_dir: Path | None = None
    embed_device: str = "auto"
    search_refresh: float = 5.0
    search_deadline: float = 2.0
    ray_address: str = ""
    # agents and enrichment
    mcp_http: bool = False
    mcp_calls_per_minute: int = 60
    github_stars: bool = False
    github_api_url: str = "https://api.github.com"
    github_token: str = ""
    github_refresh_hours: float = 24.0
    github_max_requests: int = 500
    keywords_per_paper: int = 8
    # community
    submissions_per_day: int = 5
    login_failures_per_hour: int = 100
    address_login_failures_per_hour: int = 50
    address_signups_per_hour: int = 10
    address_resets_per_hour: int = 10
    address_subscriptions_per_hour: int = 10
    address_submissions_per_hour: int = 30
    session_days: int = 30
    password_reset_minutes: int = 60
    trending_gravity: float = 1.8
    # personal relevance
    for_you_days: int = 14
    # email
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 25
    smtp_tls: str = "none"
    smtp_user: str = ""
    smtp_password: str = ""
    mail_from: str = "paperwire <digest@localhost>"
    mail_rate: float = 10.0
    mailer: str = "smtp"
    digest_size: int = 10
    digest_retry_base: float = 30.0
    digest_max_attempts: int = 8
    debug: bool = False

    @property
    def database_path(self) -> Path:
        """The SQLite file the database URL names."""
        url = self.database_url
        if not url.startswith("sqlite:///"):
            raise ConfigError(f"Setting PAPERWIRE_DATABASE_URL={url!r} is not a sqlite:/// URL.")
        return Path(url.removeprefix("sqlite:///"))

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def secure_cookies(self) -> bool:
        return self.base_url.startswith("https://")


def env_name(name: str) -> str:
    """The environment variable that sets the field ``name``."""
    return PREFIX + name.upper()


def setting_names() -> list[str]:
    """Every environment variable paperwire reads, in declaration order."""
    return [env_name(f.name) for f in fields(Settings)]


def _convert(name: str, raw: str, default: object) -> object:
    try:
        if isinstance(default, bool):
            if raw.lower() not in {"1", "0", "true", "false", "yes", "no", "on", "off"}:
                raise ValueError("expected true or false")
            return raw.lower() in {"1", "true", "yes", "on"}
        if isinstance(default, int):
            return int(raw)
        if isinstance(default, float):
            return float(raw)
        if isinstance(default, tuple):
            return tuple(part.strip() for part in raw.split(",") if part.strip())
        if isinstance(default, Path) or name == "model_dir":
            return Path(raw) if raw else None
    except ValueError as exc:
        raise ConfigError(f"Setting {env_name(name)}={raw!r} is invalid: {exc}.") from exc
    return raw


def load_settings(environ: Mapping[str, str]) -> Settings:
    """Build Settings from an environment mapping; raise ConfigError naming a bad variable."""
    values: dict[str, object] = {}
    for f in fields(Settings):
        raw = environ.get(env_name(f.name))
        if raw is not None:
            values[f.name] = _convert(f.name, raw, f.default)
    settings = Settings(**values)  # type: ignore[arg-type]
    data_dir = settings.data_dir
    if not settings.database_url:
        settings = replace(settings, database_url=f"sqlite:///{data_dir / 'paperwire.db'}")
    _validate(settings)
    return settings


def with_listen_address(settings: Settings, environ: Mapping[str, str], host: str,
                        port: int) -> Settings:
    """Settings for a server on ``host:port``: without PAPERWIRE_BASE_URL, links use that address.

    A wildcard host (``0.0.0.0``, ``::``) is not an address a browser can open, so links then name
    the loopback address on the same port."""
    if environ.get(env_name("base_url")):
        return settings
    shown = {"0.0.0.0": "127.0.0.1", "::": "[::1]", "": "127.0.0.1"}.get(host, host)
    if ":" in shown and not shown.startswith("["):
        shown = f"[{shown}]"
    moved = replace(settings, base_url=f"http://{shown}:{port}")
    _validate(moved)
    return moved


def with_demo_defaults(settings: Settings, environ: Mapping[str, str]) -> Settings:
    """The demo keeps mail in the outbox (``/dev/mail``) unless PAPERWIRE_MAILER is set, and
    "For you" ranks the whole demo corpus (papers of several years) unless
    PAPERWIRE_FOR_YOU_DAYS is set."""
    if not environ.get(env_name("mailer")):
        settings = replace(settings, mailer="outbox")
    if not environ.get(env_name("for_you_days")):
        settings = replace(settings, for_you_days=0)
    return settings


DATABASE_SCHEMES = ("sqlite:///", "postgresql://", "postgres://")


def _validate(settings: Settings) -> None:
    if not settings.database_url.startswith(DATABASE_SCHEMES):
        raise ConfigError(f"Setting PAPERWIRE_DATABASE_URL={settings.database_url[:200]!r} must "
                          "start with sqlite:///, postgresql:// or postgres://.")
    if settings.database_pool_size < 2:
        raise ConfigError("Setting PAPERWIRE_DATABASE_POOL_SIZE must be 2 or more.")
    try:
        ZoneInfo(settings.timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(f"Setting PAPERWIRE_TIMEZONE={settings.timezone!r} is not a time zone.") from exc
    for name, allowed in CHOICES.items():
        check_choice(name, getattr(settings, name), allowed)
    for step in settings.daily_steps:
        check_choice("daily_steps", step, DAILY_STEPS)
    if settings.embedder == "dir" and settings.model_dir is None:
        raise ConfigError("Setting PAPERWIRE_EMBEDDER=dir needs PAPERWIRE_MODEL_DIR.")
    if settings.embed_device == "cuda" and settings.embedder == "static":
        raise ConfigError("Setting PAPERWIRE_EMBED_DEVICE='cuda' needs an ONNX embedder "
                          "(PAPERWIRE_EMBEDDER 'package' or 'dir'): the static table runs on "
                          "the CPU; set it to 'auto' or 'cpu'.")
    if settings.search_deadline <= 0:
        raise ConfigError("Setting PAPERWIRE_SEARCH_DEADLINE must be seconds, above 0.")
    if settings.mail_rate <= 0:
        raise ConfigError("Setting PAPERWIRE_MAIL_RATE must be messages per second, above 0.")
    if settings.for_you_days < 0:
        raise ConfigError("Setting PAPERWIRE_FOR_YOU_DAYS must be a number of days, 0 or more "
                          "(0 means the whole catalog).")
    for name in LIMITS:
        if getattr(settings, name) < 1:
            raise ConfigError(f"Setting {env_name(name)} must be a whole number above 0.")
    if settings.mcp_calls_per_minute < 1:
        raise ConfigError("Setting PAPERWIRE_MCP_CALLS_PER_MINUTE must be 1 or more.")
    for name in ("github_api_url", "arxiv_pdf_url"):
        if not getattr(settings, name).startswith(("http://", "https://")):
            raise ConfigError(f"Setting {env_name(name)} must start with http:// or https://.")
    if settings.github_max_requests < 0 or settings.keywords_per_paper < 0:
        raise ConfigError("Settings PAPERWIRE_GITHUB_MAX_REQUESTS and "
                          "PAPERWIRE_KEYWORDS_PER_PAPER must be 0 or more.")
    if not settings.base_url.startswith(("http://", "https://")):
        raise ConfigError("Setting PAPERWIRE_BASE_URL must start with http:// or https://.")
    if _is_public(settings.base_url) and not settings.debug:
        _check_secret(settings.secret_key, f"the base URL {settings.base_url} is not loopback")


def check_serving_secret(settings: Settings, host: str) -> None:
    """Refuse the development secret, or one shorter than MIN_SECRET_BYTES, whenever the
    site can be reached from elsewhere (bind address or base URL not loopback)."""
    if not _is_loopback(host):
        _check_secret(settings.secret_key, f"the server listens on {host}, not loopback")
    elif _is_public(settings.base_url) and not settings.debug:
        _check_secret(settings.secret_key, f"the base URL {settings.base_url} is not loopback")


def _check_secret(secret: str, why: str) -> None:
    if secret == DEV_SECRET or len(secret.encode()) < MIN_SECRET_BYTES:
        problem = "is the development value" if secret == DEV_SECRET else \
            f"is shorter than {MIN_SECRET_BYTES} bytes"
        raise ConfigError(
            f"Setting PAPERWIRE_SECRET_KEY {problem} while {why}: set it to a long random "
            f"string (for example {secrets.token_urlsafe(32)!r}) before serving a public site.")


def _is_loopback(host: str) -> bool:
    return host.strip("[]") in {"127.0.0.1", "localhost", "::1"} or host.startswith("127.")


def check_choice(name: str, value: str, allowed: tuple[str, ...]) -> None:
    """ConfigError naming the variable and the allowed values unless ``value`` is one."""
    if value not in allowed:
        quoted = [repr(choice) for choice in allowed]
        listed = ", ".join(quoted[:-1]) + " or " + quoted[-1]
        raise ConfigError(f"Setting {env_name(name)}={value!r} must be {listed}.")


def _is_public(base_url: str) -> bool:
    try:
        host = urlsplit(base_url).hostname or ""
    except ValueError:
        return True
    return not _is_loopback(host)
