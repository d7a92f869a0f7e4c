"""How the database is published: Datasette's arguments, with the project's metadata, plugins and limits."""

from __future__ import annotations

from pathlib import Path

CONFIG = Path(__file__).resolve().parent.parent / "datasette_config"
SETTINGS = {"sql_time_limit_ms": 1000, "default_page_size": 50, "facet_time_limit_ms": 500}


def datasette_args(db_path: str, port: int) -> list[str]:
    args = ["serve", db_path, "--host", "127.0.0.1", "--port", str(port), "--metadata", str(CONFIG / "metadata.yml"),
            "--plugins-dir", str(CONFIG / "plugins")]
    for name, value in SETTINGS.items():
        args += ["--setting", name, str(value)]
    return args
