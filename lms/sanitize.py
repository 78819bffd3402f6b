"""
Sanitise HTML and text written by people, with one allow-list per context.

Every app that shows something a person wrote goes through this module:

- ``chat``: no tags at all. Markup is escaped, so ``<b>`` shows as the text
  ``<b>``; bare http and https URLs become links.
- ``discussion``: a small safe subset for posts (paragraphs, emphasis,
  lists, quotes, code and links to http, https and mailto URLs).
- ``lesson``: the discussion subset plus headings h2 to h4 and images whose
  ``src`` is an http, https or relative URL.

Every link, written or linkified, gets ``rel="nofollow noopener"``. Styles,
scripts, event handlers, comments and URLs of any other scheme
(``javascript:``, ``data:``, ``vbscript:`` and the like) never survive.
``clean`` returns a string that is safe to mark safe in a template.

Plain text shown as text (the chat messages of a live class, for example)
goes through ``clean_text``, which removes invisible control characters that
could garble or spoof what the others see.
"""

import re
import threading
import unicodedata
from dataclasses import dataclass, field
from functools import partial
from urllib.parse import urlsplit

import bleach
from bleach.linkifier import LinkifyFilter, build_url_re

LINK_REL = "nofollow noopener"
WEB_PROTOCOLS = frozenset({"http", "https"})

# Bare URLs are turned into links only for the web schemes, so "ftp://x.id"
# or "javascript:x.id" stays plain text.
WEB_URL_RE = build_url_re(protocols=sorted(WEB_PROTOCOLS))

# C0 and C1 control characters except tab and newline, and the Unicode
# bidirectional embedding, override and isolate controls, which can reorder
# what others see ("Trojan Source" spoofing). Zero-width joiners stay, because
# emoji sequences and some scripts need them.
INVISIBLE_CONTROLS_RE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ufeff]"
)


@dataclass(frozen=True)
class Policy:
    """The allow-list of one context."""

    tags: frozenset
    attributes: dict = field(default_factory=dict)
    # Schemes allowed in any href or src. A relative URL has no scheme, so it
    # passes this check, but an attribute filter may restrict it further.
    protocols: frozenset = WEB_PROTOCOLS
    link_protocols: frozenset = WEB_PROTOCOLS
    # Elements whose text is never linkified.
    skip_linkify: frozenset = frozenset({"pre", "code"})


def _allow_image_attribute(tag, name, value):
    """Allow ``alt``, and a ``src`` that is an http, https or relative URL."""
    if name == "alt":
        return True
    if name != "src":
        return False
    try:
        scheme = urlsplit(value.strip()).scheme.lower()
    except ValueError:
        return False
    return scheme in WEB_PROTOCOLS or scheme == ""


DISCUSSION_TAGS = frozenset(
    {"p", "br", "strong", "em", "ul", "ol", "li", "a", "blockquote", "code", "pre"}
)

POLICIES = {
    "chat": Policy(tags=frozenset()),
    "discussion": Policy(
        tags=DISCUSSION_TAGS,
        attributes={"a": ["href"]},
        protocols=WEB_PROTOCOLS | {"mailto"},
        link_protocols=WEB_PROTOCOLS | {"mailto"},
    ),
    "lesson": Policy(
        tags=DISCUSSION_TAGS | {"h2", "h3", "h4", "img"},
        attributes={"a": ["href"], "img": _allow_image_attribute},
        protocols=WEB_PROTOCOLS | {"mailto"},
        link_protocols=WEB_PROTOCOLS | {"mailto"},
    ),
}
CONTEXTS = tuple(POLICIES)


def _link_callback(allowed_protocols, attrs, new=False):
    """
    Set ``rel`` on a link, or drop the link when its scheme is not allowed.

    Returning ``None`` makes bleach keep the link's text without the link.
    """
    href = attrs.get((None, "href"), "")
    try:
        scheme = urlsplit(href.strip()).scheme.lower()
    except ValueError:
        return None
    if scheme not in allowed_protocols:
        return None
    attrs[(None, "rel")] = LINK_REL
    return attrs


def _cleaner(policy):
    return bleach.sanitizer.Cleaner(
        tags=policy.tags,
        attributes=policy.attributes,
        protocols=policy.protocols,
        strip=policy.tags != frozenset(),
        strip_comments=True,
        filters=[
            partial(
                LinkifyFilter,
                callbacks=[partial(_link_callback, policy.link_protocols)],
                skip_tags=policy.skip_linkify,
                parse_email=False,
                url_re=WEB_URL_RE,
            )
        ],
    )


# A bleach Cleaner keeps parser state between calls and is not thread-safe,
# so each thread builds its own cleaners on first use. Views run in threads
# under ASGI, and websocket consumers call in from sync_to_async threads.
_local = threading.local()


def _cleaner_for(context):
    cleaners = getattr(_local, "cleaners", None)
    if cleaners is None:
        cleaners = _local.cleaners = {}
    if context not in cleaners:
        cleaners[context] = _cleaner(POLICIES[context])
    return cleaners[context]


def clean_text(text):
    """
    Normalise plain text to NFC and remove invisible control characters.

    Tabs and newlines stay. Windows and old Mac line ends become ``\\n``.
    """
    text = unicodedata.normalize("NFC", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return INVISIBLE_CONTROLS_RE.sub("", text)


def clean(html, context):
    """
    Reduce ``html`` to what ``context`` allows and return it, safe to show.

    Tags outside the allow-list are removed with their markup but keep their
    text, except in ``chat``, where every tag is escaped and shown as text.
    Raise ``ValueError`` for an unknown context.
    """
    if context not in POLICIES:
        raise ValueError(
            f"Unknown sanitising context {context!r}. Expected one of {CONTEXTS}."
        )
    return _cleaner_for(context).clean(clean_text(html or ""))
