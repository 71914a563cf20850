"""Settings: defaults, the example file, env overrides and errors that name the key."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from bot.config import ConfigError, Settings, load_settings, normalise_database_url
from bot.matching.model import chosen_thresholds

EXAMPLE = Path(__file__).resolve().parent.parent / "config.example.yaml"


def _keys(model: type[BaseModel], prefix: str = "") -> set[str]:
    out: set[str] = set()
    for name, field in model.model_fields.items():
        annotation: Any = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            out |= _keys(annotation, f"{prefix}{name}.")
        else:
            out.add(f"{prefix}{name}")
    return out


def _yaml_keys(data: dict[str, Any], prefix: str = "") -> set[str]:
    out: set[str] = set()
    for key, value in data.items():
        if isinstance(value, dict):
            out |= _yaml_keys(value, f"{prefix}{key}.")
        else:
            out.add(f"{prefix}{key}")
    return out


def test_example_lists_every_setting_with_its_default() -> None:
    import yaml

    data = yaml.safe_load(EXAMPLE.read_text())
    assert _yaml_keys(data) == _keys(Settings)
    assert load_settings(str(EXAMPLE)) == Settings()


def test_no_file_means_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    assert load_settings(None, environ={}) == Settings()


def test_env_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text("locale:\n  default: ru\n")
    assert load_settings(None, environ={"CIVICBOT_CONFIG": str(path)}).locale.default == "ru"


def test_unknown_key_and_wrong_type_are_named(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text("database:\n  ur1: x\ntelegram:\n  webhook:\n    port: high\n")
    with pytest.raises(ConfigError) as caught:
        load_settings(str(path))
    message = str(caught.value)
    assert f"{path}:2:3: database.ur1: unknown setting" in message
    assert f"{path}:5:5: telegram.webhook.port: Input should be a valid integer" in message


def test_unknown_setting_suggests_the_nearest_key(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text("databse:\n  url: x\ntelegram:\n  webhok: {}\nlocale:\n  zzzz: 1\n")
    with pytest.raises(ConfigError) as caught:
        load_settings(str(path))
    assert sorted(str(caught.value).splitlines()) == [
        f"{path}:1:1: databse: unknown setting (did you mean 'database'?)",
        f"{path}:4:3: telegram.webhok: unknown setting (did you mean 'webhook'?)",
        f"{path}:6:3: locale.zzzz: unknown setting",
    ]


def test_missing_file_and_bad_yaml(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="settings file not found"):
        load_settings(str(tmp_path / "nope.yaml"))
    bad = tmp_path / "bad.yaml"
    bad.write_text("database: [\n")
    with pytest.raises(ConfigError, match="invalid YAML"):
        load_settings(str(bad))


def test_database_url_default_env_and_postgres_driver(tmp_path: Path) -> None:
    settings = Settings()
    default = settings.database_url(environ={})
    assert default.startswith("sqlite:///") and "civicbot" in default
    assert not default.startswith(f"sqlite:///{Path.cwd()}/civicbot")
    env = {"CIVICBOT_DATABASE_URL": "postgresql://u@h:5432/db"}
    assert settings.database_url(environ=env) == "postgresql+psycopg://u@h:5432/db"
    assert normalise_database_url("postgres://x/y") == "postgresql+psycopg://x/y"
    assert normalise_database_url("sqlite:///a.db") == "sqlite:///a.db"


def test_a_suggest_threshold_above_the_answer_threshold_is_named(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text("matching:\n  answer_threshold: 0.5\n")  # the lexical suggest is 0.56
    with pytest.raises(ConfigError) as caught:
        load_settings(str(path))
    message = str(caught.value)
    assert f"{path}:1:1: matching: Value error, " in message
    assert "suggest_threshold (0.56) is above answer_threshold (0.5)" in message
    path.write_text("matching:\n  answer_threshold: 0.5\n  suggest_threshold: 0.4\n")
    matching = load_settings(str(path)).matching
    assert (matching.thresholds.answer, matching.thresholds.suggest) == (0.5, 0.4)


def test_the_example_names_the_thresholds_chosen_for_each_model() -> None:
    text = EXAMPLE.read_text()
    for semantic in (False, True):
        chosen = chosen_thresholds(semantic)
        assert f"{chosen.answer:g} and {chosen.suggest:g}" in text
