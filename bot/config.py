"""Settings: one YAML file plus environment variables for secrets.

Every setting has a default, so the bot runs with no file at all. Unknown keys and wrong types are
errors that name the key, because a silently ignored typo in a config file is a bug in production.
Secrets (the bot token, keys) never live in the file: only in the environment.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any

import platformdirs
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from bot.library.yamlread import Problem, YamlRefusedError, format_path, locate, read_yaml
from bot.matching.model import chosen_thresholds
from bot.matching.types import Thresholds

ENV_CONFIG = "CIVICBOT_CONFIG"
ENV_DATABASE_URL = "CIVICBOT_DATABASE_URL"
ENV_TOKEN = "CIVICBOT_TELEGRAM_TOKEN"  # noqa: S105 - the variable's name, not a secret
ENV_SECRET_KEY = "CIVICBOT_SECRET_KEY"  # noqa: S105
ENV_WEBHOOK_SECRET = "CIVICBOT_WEBHOOK_SECRET"  # noqa: S105
ENV_ADDRESS_KEY = "CIVICBOT_ADDRESS_KEY"

Port = Annotated[int, Field(ge=1, le=65535)]
Score = Annotated[float, Field(ge=0.0, le=1.0)]


class ConfigError(Exception):
    """The settings file or environment is wrong; the message names the file, line and key."""


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class DatabaseSettings(_Section):
    url: str | None = None
    # None: one connection per engine thread, plus one for the service's jobs, so no thread
    # waits for a connection and none is opened and closed again under load.
    pool_size: Annotated[int, Field(ge=1)] | None = None
    max_overflow: Annotated[int, Field(ge=0)] = 10
    pool_timeout: Annotated[float, Field(gt=0)] = 30.0


class ContentSettings(_Section):
    path: str | None = None


class LocaleSettings(_Section):
    default: str = "en"


class WebhookSettings(_Section):
    listen: str = "127.0.0.1"
    port: Port = 8443
    path: str = "/telegram"
    url: str | None = None
    max_body_bytes: Annotated[int, Field(ge=1024, le=1 << 24)] = 256 * 1024
    body_timeout: Annotated[float, Field(gt=0)] = 5.0
    idle_timeout: Annotated[float, Field(gt=0)] = 15.0


class InlineSettings(_Section):
    burst: Annotated[int, Field(ge=1)] = 10
    per_second: Annotated[float, Field(gt=0)] = 1.0


class TelegramSettings(_Section):
    base_url: str = "https://api.telegram.org/bot"
    base_file_url: str = "https://api.telegram.org/file/bot"
    webhook: WebhookSettings = WebhookSettings()
    admins: list[int] = Field(default_factory=list)
    overall_per_second: Annotated[float, Field(ge=0)] = 30.0
    inline: InlineSettings = InlineSettings()


class WebSettings(_Section):
    """The self-hosted web chat (`civicbot web`)."""

    listen: str = "127.0.0.1"
    port: Port = 8080
    # Days the browser keeps the session cookie; 0: until the browser closes.
    cookie_days: Annotated[int, Field(ge=0, le=3650)] = 30
    # Requests one browser session may make: up to `burst` at once, refilled at `per_minute`.
    session_burst: Annotated[int, Field(ge=1)] = 60
    session_per_minute: Annotated[float, Field(gt=0)] = 120.0
    # New sessions (browsers without a cookie) accepted per minute, all visitors together.
    new_sessions_per_minute: Annotated[int, Field(ge=1)] = 120


class MatchingSettings(_Section):
    # The optional sentence-embedding model (the `semantic` extra).
    semantic: bool = False
    # Unset: the thresholds chosen for the model in use (bench/fit_matching.py).
    answer_threshold: Score | None = None
    suggest_threshold: Score | None = None

    @model_validator(mode="after")
    def _suggest_below_answer(self) -> MatchingSettings:
        for semantic in {False, self.semantic}:
            limits = self._resolved(semantic)
            if limits.suggest > limits.answer:
                model = "sentence-model" if semantic else "lexical"
                raise ValueError(
                    f"suggest_threshold ({limits.suggest:g}) is above answer_threshold "
                    f"({limits.answer:g}) for the {model} matcher: set both, suggest <= answer"
                )
        return self

    def _resolved(self, semantic: bool) -> Thresholds:
        chosen = chosen_thresholds(semantic)
        return Thresholds(
            answer=chosen.answer if self.answer_threshold is None else self.answer_threshold,
            suggest=chosen.suggest if self.suggest_threshold is None else self.suggest_threshold,
        )

    @property
    def thresholds(self) -> Thresholds:
        """The thresholds for the model in use: those set here, else those chosen for it."""
        return self._resolved(self.semantic)

    @property
    def fallback_thresholds(self) -> Thresholds:
        """With the sentence model, the thresholds for messages it cannot read (ranked by the
        lexical model): those set here, else those chosen for the lexical model."""
        return self._resolved(False)


class LimitsSettings(_Section):
    burst: Annotated[int, Field(ge=1)] = 20
    per_minute: Annotated[float, Field(gt=0)] = 30.0
    claim_chars: Annotated[int, Field(ge=100, le=4096)] = 2000
    queued_claims_per_day: Annotated[int, Field(ge=0)] = 5
    outgoing_per_second: Annotated[float, Field(gt=0, le=30)] = 25.0
    class_question_seconds: Annotated[int, Field(ge=5, le=600)] = 30


class RetentionSettings(_Section):
    queued_claims_days: Annotated[int, Field(ge=1)] = 180
    feedback_days: Annotated[int, Field(ge=1)] = 180
    activity_days: Annotated[int, Field(ge=1)] = 365
    inactive_user_days: Annotated[int, Field(ge=30)] = 730


class RedisSettings(_Section):
    url: str | None = None


class Settings(_Section):
    database: DatabaseSettings = DatabaseSettings()
    content: ContentSettings = ContentSettings()
    locale: LocaleSettings = LocaleSettings()
    telegram: TelegramSettings = TelegramSettings()
    web: WebSettings = WebSettings()
    matching: MatchingSettings = MatchingSettings()
    limits: LimitsSettings = LimitsSettings()
    retention: RetentionSettings = RetentionSettings()
    redis: RedisSettings = RedisSettings()

    def database_url(self, environ: Mapping[str, str] | None = None) -> str:
        """The SQLAlchemy URL: env override, then the file, then SQLite in the data folder."""
        env = os.environ if environ is None else environ
        url = env.get(ENV_DATABASE_URL) or self.database.url
        if not url:
            return f"sqlite:///{data_dir() / 'civicbot.sqlite3'}"
        return normalise_database_url(url)

    def content_path(self) -> Path:
        return Path(self.content.path).expanduser() if self.content.path else bundled_content()


def normalise_database_url(url: str) -> str:
    """Plain `postgresql://` URLs use the psycopg (3) driver the project installs."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def load_settings(path: str | None = None, environ: Mapping[str, str] | None = None) -> Settings:
    """Settings from `path`, else $CIVICBOT_CONFIG, else the defaults."""
    env = os.environ if environ is None else environ
    chosen = path or env.get(ENV_CONFIG)
    if not chosen:
        return Settings()
    file = Path(chosen).expanduser()
    if not file.is_file():
        raise ConfigError(f"{chosen}: settings file not found")
    try:
        data, positions = read_yaml(file, chosen)
    except YamlRefusedError as refused:
        raise ConfigError(str(refused.problem)) from None
    if data is None:
        return Settings()
    if not isinstance(data, dict):
        raise ConfigError(f"{chosen}:1: expected a mapping of settings")
    try:
        return Settings.model_validate(data)
    except ValidationError as exc:
        lines = []
        for error in exc.errors():
            loc = tuple(error["loc"])
            line, col = locate(positions, loc)
            message = {
                "extra_forbidden": "unknown setting" + _nearest_setting(loc),
                "missing": "required setting is missing",
            }.get(error["type"], str(error["msg"]))
            lines.append(str(Problem(chosen, line, col, format_path(loc), message)))
        raise ConfigError("\n".join(lines)) from None


def _nearest_setting(loc: tuple[Any, ...]) -> str:
    """` (did you mean 'webhook'?)` for an unknown setting close to one its section has."""
    section: type[BaseModel] = Settings
    for part in loc[:-1]:
        field = section.model_fields.get(str(part))
        kind = field.annotation if field else None
        if not (isinstance(kind, type) and issubclass(kind, BaseModel)):
            return ""
        section = kind
    close = difflib.get_close_matches(str(loc[-1]), list(section.model_fields), n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


# where files live ---------------------------------------------------------------------

_PACKAGE = Path(__file__).resolve().parent


def data_dir() -> Path:
    """The per-user data folder, created on first use with owner-only permissions."""
    path = Path(platformdirs.user_data_dir("civicbot", appauthor=False))
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def _bundled(name: str) -> Path:
    # An installed wheel carries the folder inside the package; a source checkout has it beside.
    installed = _PACKAGE / "_bundled" / name
    return installed if installed.is_dir() else _PACKAGE.parent / name


def bundled_content() -> Path:
    return _bundled("content")


def migrations_dir() -> Path:
    return _bundled("migrations")
