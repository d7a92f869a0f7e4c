"""Pages built to be slow to read: each at 1 MB, the time the extractor takes on it (the issue "Safe and steady"
measured up to 96 s per megabyte before the caps). ``python -m benchmarks.hostile``"""

from __future__ import annotations

import time

WRAP = "<html><body><main><h1>Harbor Ketamine</h1><p>We offer IV ketamine infusions.</p><p>{}</p></main></body></html>"
PATHOLOGICAL = {  # what made a page take seconds to minutes per megabyte
    "commas after amounts": lambda n: WRAP.format("$1," * (n // 3)),
    "open ranges": lambda n: WRAP.format("$1,000-" * (n // 7)),
    "one price repeated": lambda n: WRAP.format("$450 per session " * (n // 17)),
    "one line of terms": lambda n: WRAP.format("ketamine infusion for depression " * (n // 33)),
    "attributes on one tag": lambda n: "<html><body><div " + " ".join(f'a{i}="x"' for i in range(n // 8))
                                       + ">IV ketamine $450</div></body></html>",
    "JSON-LD nested deep": lambda n: '<html><head><script type="application/ld+json">' + '{"a":' * (n // 10) + "1"
                                     + "}" * (n // 10) + "</script></head><body><p>IV ketamine</p></body></html>",
}


def main(size: int = 1_000_000) -> dict[str, float]:
    from parsers.extract import extract_page

    seconds = {}
    for name, build in PATHOLOGICAL.items():
        html = build(size)
        started = time.perf_counter()
        extract_page(html, url="https://hostile.example/")
        seconds[name] = time.perf_counter() - started
    return seconds


if __name__ == "__main__":
    for name, value in main().items():
        print(f"{name:28} {value:6.2f} s")
