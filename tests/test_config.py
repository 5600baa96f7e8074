"""Settings from the environment: every setting can be set there and is documented; a bad value is one line that
names its variable, and the command exits non-zero without a traceback."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from service.config import Settings, SettingsError, environment_variable

OPERATIONS = Path(__file__).resolve().parents[1] / "docs" / "operations.md"

# For every setting: a value as an operator writes it, and what the service makes of it (none is the default).
FROM_ENVIRONMENT = {
    "database_url": (
        "postgresql://factmark@db.internal:5432/factmark",
        "postgresql://factmark@db.internal:5432/factmark",
    ),
    "embedded": ("false", False),
    "data_dir": ("./data", Path("data")),
    "host": ("0.0.0.0", "0.0.0.0"),
    "port": ("8080", 8080),
    "workers": ("4", 4),
    "public_url": ("https://factmark.newsroom.example", "https://factmark.newsroom.example"),
    "allowed_hosts": (
        "factmark.newsroom.example, *.newsroom.example",
        ("factmark.newsroom.example", "*.newsroom.example"),
    ),
    "cors_origins": (
        "https://cms.example,chrome-extension://abcdef",
        ("https://cms.example", "chrome-extension://abcdef"),
    ),
    "pool_min_size": ("0", 0),
    "pool_max_size": ("30", 30),
    "pgbouncer": ("yes", True),
    "direct_database_url": ("postgresql://db.internal/factmark", "postgresql://db.internal/factmark"),
    "key_cache_ttl_s": ("0.25", 0.25),
    "page_cache_bytes": ("0", 0),
    "statement_timeout_ms": ("2500", 2500),
    "connect_timeout_s": ("1.5", 1.5),
    "max_body_bytes": ("1048576", 1048576),
    "idempotency_ttl_seconds": ("3600", 3600),
    "work_budget_ms": ("750", 750),
    "compute_threads": ("4", 4),
    "rate_limit_per_minute": ("0", 0),
    "failed_auth_per_minute": ("5", 5),
    "max_connections": ("500", 500),
    "header_timeout_s": ("2.5", 2.5),
    "metrics_token": ("scrape-me", "scrape-me"),
    "log_level": ("WARNING", "warning"),
}


def test_every_setting_is_settable_from_the_environment():
    assert set(FROM_ENVIRONMENT) == set(Settings.__struct_fields__), "give each new setting a value here"
    env = {environment_variable(name): text for name, (text, _) in FROM_ENVIRONMENT.items()}
    settings = Settings.from_env(env)
    defaults = Settings()
    for name, (_, expected) in FROM_ENVIRONMENT.items():
        assert getattr(settings, name) == expected, name
        assert getattr(defaults, name) != expected, f"{name}: pick a value that is not the default"


def test_each_setting_alone_from_the_environment():
    for name, (text, expected) in FROM_ENVIRONMENT.items():
        assert getattr(Settings.from_env({environment_variable(name): text}), name) == expected, name


def test_an_empty_optional_setting_means_unset():
    settings = Settings.from_env(
        {"FACTMARK_PUBLIC_URL": "", "FACTMARK_METRICS_TOKEN": " ", "FACTMARK_CORS_ORIGINS": ""}
    )
    assert settings.public_url is None and settings.metrics_token is None and settings.cors_origins == ()


def test_every_setting_is_documented_in_operations_and_nothing_else_is():
    documented = set(re.findall(r"`((?:FACTMARK_[A-Z0-9_]+)|DATABASE_URL)`", OPERATIONS.read_text(encoding="utf-8")))
    variables = {environment_variable(name) for name in Settings.__struct_fields__}
    assert variables <= documented, f"undocumented: {sorted(variables - documented)}"
    assert documented - variables == set(), f"documented but not read: {sorted(documented - variables)}"


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("FACTMARK_PORT", "abc", "FACTMARK_PORT: expected an integer, got 'abc'"),
        ("FACTMARK_PORT", "70000", "FACTMARK_PORT: expected an integer <= 65535, got '70000'"),
        ("FACTMARK_WORKERS", "0", "FACTMARK_WORKERS: expected an integer >= 1, got '0'"),
        ("FACTMARK_POOL_MAX_SIZE", "1.5", "FACTMARK_POOL_MAX_SIZE: expected an integer, got '1.5'"),
        ("FACTMARK_EMBEDDED", "maybe", "FACTMARK_EMBEDDED: expected true or false, got 'maybe'"),
        ("FACTMARK_CONNECT_TIMEOUT_S", "nan", "FACTMARK_CONNECT_TIMEOUT_S: expected a number, got 'nan'"),
        ("FACTMARK_HEADER_TIMEOUT_S", "0", "FACTMARK_HEADER_TIMEOUT_S: expected a number > 0.0, got '0'"),
        ("FACTMARK_LOG_LEVEL", "loud", "FACTMARK_LOG_LEVEL: expected one of critical, error, warning, info, debug"),
        ("FACTMARK_DATA_DIR", " ", "FACTMARK_DATA_DIR: expected a path, got ' '"),
        ("FACTMARK_POOL_MIN_SIZE", "50", "FACTMARK_POOL_MIN_SIZE: 50 is more than FACTMARK_POOL_MAX_SIZE (10)"),
    ],
)
def test_a_bad_value_names_its_variable(variable, value, message):
    with pytest.raises(SettingsError) as raised:
        Settings.from_env({variable: value})
    assert str(raised.value).startswith(message) and "\n" not in str(raised.value)


@pytest.mark.parametrize(
    ("variable", "value", "command"),
    [
        ("FACTMARK_PORT", "abc", "serve"),
        ("FACTMARK_DATA_DIR", "", "migrate"),
        ("FACTMARK_MAX_CONNECTIONS", "-5", "serve"),
        ("FACTMARK_PGBOUNCER", "sometimes", "keys"),
    ],
)
def test_the_command_prints_one_line_and_exits_non_zero(variable, value, command):
    argv = {"serve": ["serve"], "migrate": ["migrate"], "keys": ["keys", "list"]}[command]
    env = {**os.environ, variable: value}
    env.pop("DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "-m", "service", *argv], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode != 0
    assert result.stderr.startswith(f"factmark: {variable}: ") and result.stderr.count("\n") == 1, result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""


@pytest.mark.parametrize(
    "url", ["postgresql://factmark@127.0.0.1:1/none", "not a dsn", "postgresql://postgres@/postgres?host=/nonexistent"]
)
def test_a_database_url_that_does_not_answer_is_one_line(url):
    env = {**os.environ, "DATABASE_URL": url, "FACTMARK_CONNECT_TIMEOUT_S": "2"}
    result = subprocess.run(
        [sys.executable, "-m", "service", "migrate"], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode != 0 and "Traceback" not in result.stderr and result.stderr.count("\n") == 1
    assert result.stderr.startswith("factmark: cannot connect to the database (DATABASE_URL): ")
