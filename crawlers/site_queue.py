"""The Redis side of a crawl spread over machines: sites handed to workers, page writes handed back.

The unit of work is a site, not a request: a site's crawl keeps state from one page to the next (its sitemap's
dates gate the home page, its page budget, the pages waiting for a slot), so one worker crawls a whole site, and
politeness holds across workers by construction: no site is ever fetched by two workers at once.

Keys, under a prefix (``clinics:`` by default):
- ``run`` (hash): the run's number, region and the crawl settings every worker uses; ``state`` crawling/finished.
- ``pending`` (list): sites not yet taken, each with a snapshot of its stored pages (crawlers/page_store.py).
- ``claimed:<worker>`` (list): what a worker took, moved there atomically (``LMOVE``): a worker that dies leaves its
  sites there, and the coordinator puts them back once the worker's ``alive:<worker>`` key has expired.
- ``results`` (list): every write a worker decided (crawlers/pipelines.py), then ``site_done`` for each site.
- ``applying`` (list): results the coordinator took and has not yet written: read again after a restart.
- ``done`` (set): the sites whose results are all written.
"""

from __future__ import annotations

import base64
import json
import os
import socket
import zlib

PREFIX = "clinics:"


def encode(message: dict) -> str:
    """JSON, with a page's body compressed and base64'd."""
    if message.get("kind") == "page":
        page = dict(message["page"])
        page["body"] = base64.b64encode(zlib.compress(page["body"], 1)).decode("ascii")
        message = {**message, "page": page}
    return json.dumps(message, separators=(",", ":"))


def decode(text: str | bytes) -> dict:
    message = json.loads(text)
    if message.get("kind") == "page":
        message["page"]["body"] = zlib.decompress(base64.b64decode(message["page"]["body"]))
    return message


def connect(url: str):
    """A Redis client for ``redis://HOST:PORT/N``; a clear ValueError for anything else."""
    import redis

    if not url.startswith(("redis://", "rediss://", "unix://")):
        raise ValueError(f"{url!r} is not a Redis URL (redis://HOST:PORT/N)")
    return redis.Redis.from_url(url, decode_responses=True, socket_timeout=30, health_check_interval=30)


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


class SiteQueue:
    def __init__(self, url: str, prefix: str = PREFIX):
        self.url = url
        self.redis = connect(url)
        self.key = lambda name: f"{prefix}{name}"  # noqa: E731

    # The run --------------------------------------------------------------------------------------------
    def run(self) -> dict:
        return self.redis.hgetall(self.key("run"))

    def start_run(self, run: dict, tasks: list[dict]) -> None:
        """A new run: whatever an earlier one left is cleared, then every site is queued."""
        names = [self.key(n) for n in ("run", "pending", "results", "applying", "done")]
        names += list(self.redis.scan_iter(self.key("claimed:*")))
        self.redis.delete(*names)
        pipe = self.redis.pipeline()
        for start in range(0, len(tasks), 500):
            pipe.rpush(self.key("pending"), *(json.dumps(t, separators=(",", ":")) for t in tasks[start:start + 500]))
        pipe.hset(self.key("run"), mapping={**run, "state": "crawling", "sites": len(tasks)})
        pipe.execute()

    def resumed_by(self, run_id: int) -> None:
        """A coordinator started again carries the run on under its own run number."""
        self.redis.hset(self.key("run"), "run_id", run_id)

    def finish_run(self) -> None:
        self.redis.hset(self.key("run"), "state", "finished")

    # Workers ----------------------------------------------------------------------------------------------
    def alive(self, worker: str, seconds: int) -> None:
        self.redis.set(self.key(f"alive:{worker}"), "1", ex=max(1, int(seconds)))
        self.redis.sadd(self.key("workers"), worker)

    def claim(self, worker: str, count: int) -> list[dict]:
        """Up to ``count`` sites, each moved to the worker's claimed list in one step."""
        claimed = []
        for _ in range(count):
            raw = self.redis.lmove(self.key("pending"), self.key(f"claimed:{worker}"), "LEFT", "RIGHT")
            if raw is None:
                break
            claimed.append(json.loads(raw))
        return claimed

    def send(self, message: dict) -> None:
        self.redis.rpush(self.key("results"), encode(message))

    def sites_done(self, worker: str, sites: list[str], stats: dict) -> None:
        """After a batch: the stats it counted, each site done, and the claims let go (results first, so the
        coordinator has every write of a site before it hears the site is done)."""
        self.send({"kind": "stats", "worker": worker, "stats": stats})
        for site in sites:
            self.send({"kind": "site_done", "site": site, "worker": worker})
        self.redis.delete(self.key(f"claimed:{worker}"))

    def gone(self, worker: str) -> None:
        self.redis.srem(self.key("workers"), worker)
        self.redis.delete(self.key(f"alive:{worker}"))

    # The coordinator ----------------------------------------------------------------------------------------
    def take_result(self, timeout: float) -> tuple[str, dict] | None:
        """The next result, moved to ``applying`` until ``applied``; None after ``timeout`` seconds of none."""
        raw = self.redis.blmove(self.key("results"), self.key("applying"), timeout, "LEFT", "RIGHT")
        return (raw, decode(raw)) if raw is not None else None

    def unapplied(self) -> list[tuple[str, dict]]:
        """Results a coordinator took and had not written when it stopped."""
        return [(raw, decode(raw)) for raw in self.redis.lrange(self.key("applying"), 0, -1)]

    def applied(self, raw: str, site_done: str | None = None) -> None:
        pipe = self.redis.pipeline()
        if site_done:
            pipe.sadd(self.key("done"), site_done)
        pipe.lrem(self.key("applying"), 1, raw)
        pipe.execute()

    def progress(self) -> tuple[int, int]:
        """(sites done, sites in the run)."""
        return self.redis.scard(self.key("done")), int(self.run().get("sites") or 0)

    def requeue_dead_workers(self) -> list[str]:
        """Sites claimed by workers that stopped answering go back to the front of ``pending``; their names."""
        dead = [w for w in self.redis.smembers(self.key("workers")) if not self.redis.exists(self.key(f"alive:{w}"))]
        done = self.redis.smembers(self.key("done"))
        for worker in dead:
            for raw in reversed(self.redis.lrange(self.key(f"claimed:{worker}"), 0, -1)):
                if json.loads(raw)["site"] not in done:
                    self.redis.lpush(self.key("pending"), raw)
            self.redis.delete(self.key(f"claimed:{worker}"))
            self.redis.srem(self.key("workers"), worker)
        return dead

    def workers_alive(self) -> int:
        return sum(1 for w in self.redis.smembers(self.key("workers")) if self.redis.exists(self.key(f"alive:{w}")))
