"""How the sandbox process is started (environment `RSC_SANDBOX_*` or the CLI's flags).

What a test or a person changes while it runs (feature switches, quotas, limits, faults) lives
in the database instead: see `state.py`.
"""

from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="RSC_SANDBOX_")

    data_dir: Path = Path("var/sandbox")
    members: int = 2000
    seed: int = 42
    token_ttl_seconds: int = 1800
    # Where LinkedIn's own pages (Recruiter UI, widgets) say they live.
    public_url: str = "http://127.0.0.1:8100"
    # LinkedIn answers 414 past this many bytes of query string unless the call is tunnelled.
    max_query_bytes: int = 4096
    push_timeout_seconds: float = 3.0
    # Deliver push notifications on a background thread (off in unit tests, which drain by hand).
    push_in_background: bool = True

    @property
    def database_path(self) -> Path:
        return self.data_dir / "sandbox.sqlite3"
