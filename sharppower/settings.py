"""Every setting once: name, environment variable, default and help.

`Settings.from_env()` reads them; the CLI's --help, the docs and a test all read
`SETTINGS` so nothing can be undocumented.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from platformdirs import user_data_dir

from sharppower.errors import SharppowerError


@dataclass(frozen=True)
class Setting:
    name: str
    env: str
    help: str
    default: str | None = None
    shown: str | None = None  # the default as documented, when it depends on the machine


def _default_data_dir() -> str:
    return user_data_dir("sharppower", appauthor=False)


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "data_dir",
        "SHARPPOWER_DATA_DIR",
        "Folder for snapshots of public sources, build logs and the default SQLite database.",
        shown="the user data folder: `~/.local/share/sharppower` on Linux, "
              "`~/Library/Application Support/sharppower` on macOS, "
              "`%LOCALAPPDATA%\\sharppower` on Windows",
    ),
    Setting(
        "database_url",
        "SHARPPOWER_DATABASE_URL",
        "SQLAlchemy URL of the store (sqlite:///... or postgresql+psycopg://...); "
        "default: sharppower.db in the data folder.",
        shown="`sqlite:///<data folder>/sharppower.db`",
    ),
    Setting(
        "mirror",
        "SHARPPOWER_MIRROR",
        "Folder holding a local mirror of the public sources; `pull` copies from it "
        "instead of downloading.",
    ),
    Setting(
        "url_map",
        "SHARPPOWER_URL_MAP",
        "URL prefixes `pull` rewrites before downloading, as prefix=replacement pairs "
        "separated by commas (e.g. `https://=http://127.0.0.1:8123/` fetches "
        "`https://host/path` from `http://127.0.0.1:8123/host/path`: a local copy of the "
        "publishers, a proxy); provenance keeps the published URL.",
    ),
    Setting("host", "SHARPPOWER_HOST", "Address `serve` listens on.", "127.0.0.1"),
    Setting("port", "SHARPPOWER_PORT", "Port `serve` listens on.", "8000"),
    Setting(
        "admin_token",
        "SHARPPOWER_ADMIN_TOKEN",
        "Token of a first admin user, created at start-up of `serve` when set.",
    ),
    Setting(
        "index_runs",
        "SHARPPOWER_INDEX_RUNS",
        "Monte Carlo replications of the index step of `build` (default: the spec's "
        "uncertainty.runs).",
        shown="the spec's `uncertainty.runs`",
    ),
    Setting(
        "store_profiles",
        "SHARPPOWER_STORE_PROFILES",
        "Whether `build` ends by storing every country's profile for the dashboard, so that "
        "the first visitor is served at once (0 to skip, for a store that is never served).",
        "1",
    ),
    Setting(
        "client_budget",
        "SHARPPOWER_CLIENT_BUDGET",
        "Requests a minute one client address may make to `serve` (a token bucket holding a "
        "minute's worth; an export or download counts as 10); over it the answer is 429 with "
        "Retry-After. 0 means no limit (tests, or a server behind a proxy that limits).",
        "600",
    ),
    Setting(
        "codebook",
        "SHARPPOWER_CODEBOOK",
        "A YAML file that extends the packaged codebook: `actors:` and `indicators:` to add "
        "(and `pillars:` domains), validated like the packaged one; read by every command.",
    ),
)
_BY_NAME = {s.name: s for s in SETTINGS}


def _non_negative_int(name: str, value: object) -> int:
    try:
        number = int(str(value).strip())
    except ValueError:
        number = -1
    if number < 0:
        raise SharppowerError(f"{name} must be a whole number of 0 or more, not {value!r}")
    return number


def env_value(name: str) -> str | None:
    """The value of one setting from the environment (its default when unset), by name."""
    setting = _BY_NAME[name]  # (pages ask for the user codebook's path per component named)
    return os.environ.get(setting.env) or setting.default


def current_values(settings: Settings) -> list[dict[str, str]]:
    """Every setting as `sharppower settings` lists it: env, value (what `settings` holds,
    or for a setting read elsewhere, such as the user codebook, its environment value or
    default; "" when none) and help."""
    rows = []
    for s in SETTINGS:
        value = getattr(settings, s.name) if hasattr(settings, s.name) else env_value(s.name)
        rows.append({"env": s.env, "value": "" if value is None else str(value),
                     "help": s.help})
    return rows


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database_url: str
    mirror: Path | None
    host: str = "127.0.0.1"
    url_map: str | None = None
    port: int = 8000
    admin_token: str | None = None
    index_runs: int | None = None
    store_profiles: bool = True
    client_budget: int = 600

    @classmethod
    def from_env(cls, **overrides: object) -> Settings:
        env = {s.name: os.environ.get(s.env) or s.default for s in SETTINGS}
        env.update({k: v for k, v in overrides.items() if v is not None})
        data_dir = Path(env["data_dir"] or _default_data_dir()).expanduser()
        url = env["database_url"] or f"sqlite:///{data_dir / 'sharppower.db'}"
        mirror = Path(env["mirror"]).expanduser() if env["mirror"] else None
        return cls(
            data_dir=data_dir,
            database_url=str(url),
            mirror=mirror,
            url_map=env.get("url_map") or None,
            host=str(env["host"]),
            port=int(env["port"]),
            admin_token=env.get("admin_token") or None,
            index_runs=int(env["index_runs"]) if env.get("index_runs") else None,
            store_profiles=str(env.get("store_profiles", "1")).strip().lower()
            not in ("0", "false", "no", "off"),
            client_budget=_non_negative_int("SHARPPOWER_CLIENT_BUDGET", env["client_budget"]),
        )

    @property
    def snapshot_dir(self) -> Path:
        return self.data_dir / "snapshots"
