"""Named groups of setting overrides. `sample` is the loopback sample web: near-zero delays, robots.txt still obeyed."""

from __future__ import annotations

from urllib.parse import urlparse

PROFILES: dict[str, dict] = {
    "default": {},
    "sample": {
        "AUTOTHROTTLE_START_DELAY": 0.01,
        "AUTOTHROTTLE_MAX_DELAY": 1.0,
        "DOWNLOAD_DELAY": 0,
        "CONCURRENT_REQUESTS_PER_DOMAIN": 8,
        "AUTOTHROTTLE_TARGET_CONCURRENCY": 8.0,
        "DOWNLOAD_TIMEOUT": 10,
        "RETRY_TIMES": 1,
        "LOG_LEVEL": "WARNING",
        "ALLOW_LOOPBACK_SITES": True,  # the sample web lives on 127.0.0.x; every other non-public range stays refused
    },
}


SAMPLE_DIRECTORY_HOST = "127.0.0.30"  # the sample web's clinic directory (sample_web/sites.json)


def sample_web_settings(api_base: str) -> dict:
    """Source URLs pointing at a running sample web (see sample_web/server.py); every host shares its port."""
    port = urlparse(api_base).port
    directory_base = f"http://{SAMPLE_DIRECTORY_HOST}:{port}" if port else None
    return {
        "NPI_API_URL": f"{api_base}/npi/api/",
        "OVERPASS_API_URL": f"{api_base}/overpass/api/interpreter",
        "SEED_LIST": f"{api_base}/seeds/{{region}}.txt",
        "DIRECTORY_BASE_URLS": {"ketamine_clinic_finder": directory_base} if directory_base else {},
    }
