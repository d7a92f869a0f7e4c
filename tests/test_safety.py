"""Listed websites that point inside the network are refused; loopback only in the sample-web profile."""

from __future__ import annotations

import pytest

from crawlers.safety import refusal


@pytest.mark.parametrize("url", ["http://10.0.0.5/", "http://192.168.1.1/", "http://169.254.169.254/latest/",
                                 "http://[::1]:8080/", "http://0.0.0.0/", "http://172.16.3.4/"])
def test_non_public_addresses_are_refused(url):
    assert refusal(url, allow_loopback=False)


def test_loopback_is_allowed_only_when_asked():
    assert refusal("http://127.0.0.5:8470/", allow_loopback=False)
    assert refusal("http://127.0.0.5:8470/", allow_loopback=True) is None
    assert refusal("http://10.0.0.5/", allow_loopback=True), "private ranges stay refused in the sample profile"
    assert refusal("http://localhost:8470/", allow_loopback=False)


def test_public_addresses_pass():
    assert refusal("http://93.184.216.34/") is None
