"""Finding links in a forwarded message and reducing them to one canonical form.

The same article is shared with different tracking parameters, hosts (`www.`, `m.`), schemes and
fragments. Reducing every link to a canonical key lets a message that carries the very link a
fact-check lists be matched outright, whatever noise the sharing app added.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

# Links glued to the text before or after them are common in copied tweets
# ("#Hashtaghttps://t.co/x", "wordpic.twitter.com/x"), so a link may start mid-word and ends where
# the next one starts.
_URL = re.compile(
    r"(?:https?://|(?<![\w.])www\.|pic\.twitter\.com/)"
    r"(?:(?!https?://|pic\.twitter\.com/)[^\s<>\"'«»“”‘’()\[\]{}])+",
    re.IGNORECASE,
)
_TRAILING = ".,;:!?…'\""

# Query parameters that identify the sharer or the campaign, never the content.
_TRACKING_EXACT = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "yclid",
        "igshid",
        "igsh",
        "si",
        "mc_cid",
        "mc_eid",
        "ref",
        "ref_src",
        "ref_url",
        "s",
        "t",
        "feature",
        "share",
        "sharing",
        "_ga",
        "_gl",
        "mkt_tok",
        "spm",
        "cmpid",
        "xtor",
    }
)
_TRACKING_PREFIXES = ("utm_", "__twitter", "hsa_", "pk_", "mtm_")
_HOST_PREFIXES = ("www.", "m.", "mobile.", "amp.")
_DEFAULT_PORTS = {"http": ":80", "https": ":443"}


def find_urls(text: str) -> list[str]:
    """Every link in `text`, in order, with trailing sentence punctuation removed."""
    found = []
    for match in _URL.finditer(text):
        url = match.group(0).rstrip(_TRAILING)
        if url:
            found.append(url)
    return found


def remove_urls(text: str) -> str:
    """`text` with every link replaced by a space."""
    return _URL.sub(" ", text)


def _is_tracking(name: str) -> bool:
    lowered = name.lower()
    return lowered in _TRACKING_EXACT or lowered.startswith(_TRACKING_PREFIXES)


def canonical_url(url: str) -> str:
    """A key that equal links share: no scheme, lower-case host without `www.`/`m.`, no port 80/443,
    no fragment, no tracking parameters, remaining parameters sorted, no trailing slash.

    >>> canonical_url("https://WWW.Example.com/a/b/?utm_source=x&id=3#top")
    'example.com/a/b?id=3'
    """
    raw = url.strip()
    if not re.match(r"^[a-z][a-z0-9+.-]*://", raw, re.IGNORECASE):
        raw = "http://" + raw
    try:
        parts = urlsplit(raw)
        host = (parts.hostname or "").rstrip(".")
        port = parts.port
    except ValueError:
        return raw.lower()
    scheme = parts.scheme.lower()
    for prefix in _HOST_PREFIXES:
        if host.startswith(prefix) and host.count(".") >= 2:
            host = host[len(prefix) :]
            break
    netloc = host
    if port is not None and f":{port}" != _DEFAULT_PORTS.get(scheme):
        netloc = f"{host}:{port}"
    path = re.sub(r"/{2,}", "/", parts.path).rstrip("/")
    query = sorted(
        (key, value)
        for key, value in parse_qsl(parts.query, keep_blank_values=True)
        if not _is_tracking(key)
    )
    return urlunsplit(("", netloc, path, urlencode(query), "")).removeprefix("//")
