"""
Resumption tokens: the signed state of a list that is split into pages.

A token carries the request (verb, metadata prefix, from, until, set), the
position after the last record sent and the list's size. It is signed with
``django.core.signing``, so a harvester can neither forge nor change it, and
it expires ``OAI_TOKEN_LIFETIME`` seconds after it was issued.

The position is a keyset, the ``(datestamp, id)`` of the last record sent,
so pages stay consistent while records are added, and a page costs the
same however deep into the list it is. Items are listed first, then
tombstones (``phase``).
"""

import datetime
from dataclasses import asdict, dataclass

from django.conf import settings
from django.core import signing

SALT = "library.oai.resumption-token"
ITEMS = "items"
DELETED = "deleted"


class InvalidToken(Exception):
    """A resumption token that is forged, damaged or expired."""


@dataclass(frozen=True)
class ListState:
    verb: str
    metadata_prefix: str
    from_date: str | None
    until_date: str | None
    set_spec: str | None
    phase: str = ITEMS
    # The ISO datestamp and id of the last record sent, or None at the start
    # of a phase.
    after: tuple | None = None
    cursor: int = 0
    complete_list_size: int = 0


def encode(state):
    return signing.dumps(asdict(state), salt=SALT, compress=True)


def decode(token, verb):
    """Return the ``ListState`` in ``token`` for a request of ``verb``."""
    try:
        data = signing.loads(token, salt=SALT, max_age=settings.OAI_TOKEN_LIFETIME)
    except signing.SignatureExpired as error:
        raise InvalidToken("expired") from error
    except signing.BadSignature as error:
        raise InvalidToken("invalid") from error
    try:
        state = ListState(**data)
        after = state.after
        if after is not None:
            datetime.datetime.fromisoformat(after[0])
            int(after[1])
    except (TypeError, ValueError, IndexError) as error:
        raise InvalidToken("invalid") from error
    if state.verb != verb or state.phase not in (ITEMS, DELETED):
        raise InvalidToken("invalid")
    return state


def expiration_date(issued_at):
    return issued_at + datetime.timedelta(seconds=settings.OAI_TOKEN_LIFETIME)
