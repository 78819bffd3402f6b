"""
The OAI-PMH 2.0 provider: argument checks and the six verbs.

``respond`` takes the request's arguments and returns the response's root
element. Every problem with a request is an ``OAIError`` that carries one of
the protocol's error codes, and the view turns it into an error response.
"""

import datetime
import re

from django.conf import settings
from django.db.models import Min, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from library.models import ItemType, LibraryIndexPage

from . import records, tokens
from . import xml as oai_xml
from .models import DeletedRecord

METADATA_PREFIX = "oai_dc"

# The arguments each verb takes besides ``verb``: required, optional, and
# the exclusive one that must come alone.
VERB_ARGUMENTS = {
    "Identify": ((), (), None),
    "ListMetadataFormats": ((), ("identifier",), None),
    "ListSets": ((), (), "resumptionToken"),
    "GetRecord": (("identifier", "metadataPrefix"), (), None),
    "ListIdentifiers": (
        ("metadataPrefix",),
        ("from", "until", "set"),
        "resumptionToken",
    ),
    "ListRecords": (("metadataPrefix",), ("from", "until", "set"), "resumptionToken"),
}

# Value syntax from the OAI-PMH 2.0 schema, so that echoed arguments are valid.
_METADATA_PREFIX_RE = re.compile(r"[A-Za-z0-9\-_.!~*'()]+")
_SET_SPEC_RE = re.compile(r"[A-Za-z0-9\-_.!~*'()]+(:[A-Za-z0-9\-_.!~*'()]+)*")
_DAY_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
_SECOND_RE = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")
_IDENTIFIER_RE = re.compile(r"\S+")


class OAIError(Exception):
    def __init__(self, code, message):
        super().__init__(message)
        self.code = code
        self.message = message


def check_arguments(arguments):
    """
    Return the verb and its arguments from ``arguments``, a ``QueryDict``.

    Raise ``OAIError`` for a missing, repeated or unknown verb (badVerb) and
    for a missing, repeated, unknown or malformed argument (badArgument).
    """
    verbs = arguments.getlist("verb")
    if not verbs:
        raise OAIError("badVerb", _("The verb argument is missing."))
    if len(verbs) > 1:
        raise OAIError("badVerb", _("The verb argument is repeated."))
    verb = verbs[0]
    if verb not in VERB_ARGUMENTS:
        raise OAIError(
            "badVerb", _("%(verb)s is not an OAI-PMH verb.") % {"verb": verb[:100]}
        )

    required, optional, exclusive = VERB_ARGUMENTS[verb]
    allowed = {*required, *optional, exclusive} - {None}
    values = {}
    for name, name_values in arguments.lists():
        if name == "verb":
            continue
        if name not in allowed:
            raise OAIError(
                "badArgument",
                _("The argument %(name)s is not allowed with the verb %(verb)s.")
                % {"name": name[:100], "verb": verb},
            )
        if len(name_values) > 1:
            raise OAIError(
                "badArgument",
                _("The argument %(name)s is repeated.") % {"name": name},
            )
        values[name] = name_values[0]

    if exclusive in values:
        if len(values) > 1:
            raise OAIError(
                "badArgument",
                _("The argument %(name)s must be the only argument besides verb.")
                % {"name": exclusive},
            )
        return verb, values
    for name in required:
        if name not in values:
            raise OAIError(
                "badArgument",
                _("The argument %(name)s is missing.") % {"name": name},
            )
    _check_syntax(values)
    return verb, values


def _check_syntax(values):
    checks = {
        "metadataPrefix": _METADATA_PREFIX_RE,
        "set": _SET_SPEC_RE,
        "identifier": _IDENTIFIER_RE,
    }
    for name, pattern in checks.items():
        if name in values and not pattern.fullmatch(values[name]):
            raise OAIError(
                "badArgument",
                _("The value of the argument %(name)s is not valid.") % {"name": name},
            )
    parsed = {
        name: parse_date(values[name]) for name in ("from", "until") if name in values
    }
    if len(parsed) == 2:
        (from_value, from_day), (until_value, until_day) = (
            parsed["from"],
            parsed["until"],
        )
        if from_day != until_day:
            raise OAIError(
                "badArgument",
                _("The arguments from and until must have the same granularity."),
            )
        if from_value > until_value:
            raise OAIError(
                "badArgument", _("The argument from is later than the argument until.")
            )


def parse_date(value):
    """
    Return ``(datetime, is_day)`` for an OAI-PMH date of day or second granularity.
    """
    try:
        if _DAY_RE.fullmatch(value):
            day = datetime.date.fromisoformat(value)
            return datetime.datetime.combine(day, datetime.time(), datetime.UTC), True
        if _SECOND_RE.fullmatch(value):
            moment = datetime.datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ")
            return moment.replace(tzinfo=datetime.UTC), False
    except ValueError:
        pass
    raise OAIError(
        "badArgument",
        _(
            "The date %(value)s is not valid. Use YYYY-MM-DD or "
            "YYYY-MM-DDThh:mm:ssZ in UTC."
        )
        % {"value": value[:40]},
    )


def respond(verb, arguments, base_url, request):
    """Return the root element of the response to a checked request."""
    handlers = {
        "Identify": identify,
        "ListMetadataFormats": list_metadata_formats,
        "ListSets": list_sets,
        "GetRecord": get_record,
        "ListIdentifiers": list_records,
        "ListRecords": list_records,
    }
    root = oai_xml.envelope(base_url, {"verb": verb, **arguments})
    handlers[verb](oai_xml.element(root, verb), verb, arguments, base_url, request)
    return root


def identify(parent, verb, arguments, base_url, request):
    earliest = [
        records.exposed_items().aggregate(value=Min("last_published_at"))["value"],
        DeletedRecord.objects.aggregate(value=Min("datestamp"))["value"],
    ]
    earliest = [value for value in earliest if value is not None]
    oai_xml.element(parent, "repositoryName", settings.OAI_REPOSITORY_NAME)
    oai_xml.element(parent, "baseURL", base_url)
    oai_xml.element(parent, "protocolVersion", "2.0")
    oai_xml.element(parent, "adminEmail", settings.OAI_ADMIN_EMAIL)
    oai_xml.element(
        parent,
        "earliestDatestamp",
        oai_xml.datestamp(min(earliest) if earliest else timezone.now()),
    )
    # Tombstones are kept until the item is exposed again.
    oai_xml.element(parent, "deletedRecord", "persistent")
    oai_xml.element(parent, "granularity", oai_xml.GRANULARITY)


def list_metadata_formats(parent, verb, arguments, base_url, request):
    if "identifier" in arguments:
        item, tombstone = records.find_record(arguments["identifier"])
        if item is None and tombstone is None:
            raise _unknown_identifier(arguments["identifier"])
    # Every record, deleted ones included, is available as oai_dc, so the
    # noMetadataFormats error cannot occur.
    metadata_format = oai_xml.element(parent, "metadataFormat")
    oai_xml.element(metadata_format, "metadataPrefix", METADATA_PREFIX)
    oai_xml.element(metadata_format, "schema", oai_xml.OAI_DC_SCHEMA)
    oai_xml.element(metadata_format, "metadataNamespace", oai_xml.OAI_DC_NS)


def list_sets(parent, verb, arguments, base_url, request):
    # The list of sets is short, so it is never split and no token is issued.
    # The sets by type always exist, so noSetHierarchy cannot occur.
    if "resumptionToken" in arguments:
        raise OAIError(
            "badResumptionToken", _("This repository issues no tokens for ListSets.")
        )
    sets = [
        (records.CITY_SET, _("City-wide library")),
        (records.SCHOOL_SET, _("Libraries of schools")),
    ]
    schools = (
        LibraryIndexPage.objects.live()
        .filter(school__isnull=False)
        .values_list("school__npsn", "school__name")
        .distinct()
        .order_by("school__name")
    )
    for npsn, name in schools:
        sets.append((f"{records.SCHOOL_SET}:{npsn}", name))
    sets.append((records.TYPE_SET, _("All items, by type")))
    for item_type in ItemType:
        sets.append((f"{records.TYPE_SET}:{item_type.value}", str(item_type.label)))
    for set_spec, name in sets:
        node = oai_xml.element(parent, "set")
        oai_xml.element(node, "setSpec", set_spec)
        oai_xml.element(node, "setName", records.xml_text(name))


def get_record(parent, verb, arguments, base_url, request):
    _check_prefix(arguments["metadataPrefix"])
    item, tombstone = records.find_record(arguments["identifier"])
    if item is None and tombstone is None:
        raise _unknown_identifier(arguments["identifier"])
    _append_record(parent, item or tombstone, verb, request)


def list_records(parent, verb, arguments, base_url, request):
    """List the records or headers of one page (ListRecords, ListIdentifiers)."""
    if "resumptionToken" in arguments:
        try:
            state = tokens.decode(arguments["resumptionToken"], verb)
        except tokens.InvalidToken as error:
            message = (
                _("The resumption token has expired. Start the list again.")
                if str(error) == "expired"
                else _("The resumption token is not valid.")
            )
            raise OAIError("badResumptionToken", message) from error
    else:
        _check_prefix(arguments["metadataPrefix"])
        state = tokens.ListState(
            verb=verb,
            metadata_prefix=arguments["metadataPrefix"],
            from_date=arguments.get("from"),
            until_date=arguments.get("until"),
            set_spec=arguments.get("set"),
        )
    items, tombstones = _selection(state)
    if state.cursor == 0 and state.after is None and state.phase == tokens.ITEMS:
        total = items.count() + tombstones.count()
        if total == 0:
            raise OAIError(
                "noRecordsMatch", _("No records match the arguments of the request.")
            )
        state = tokens.ListState(**{**state.__dict__, "complete_list_size": total})

    page, next_state = _page(items, tombstones, state, verb)
    if not page:
        raise OAIError(
            "noRecordsMatch", _("No records match the arguments of the request.")
        )
    for record in page:
        _append_record(parent, record, verb, request)
    if next_state is not None:
        now = timezone.now()
        oai_xml.resumption_token(
            parent,
            tokens.encode(next_state),
            state.complete_list_size,
            state.cursor,
            tokens.expiration_date(now),
        )
    elif state.cursor > 0:
        # The last page of a split list ends with an empty token.
        oai_xml.resumption_token(parent, None, state.complete_list_size, state.cursor)


def _selection(state):
    """Return the items and tombstones of ``state``'s request, in keyset order."""
    items = records.exposed_items()
    tombstones = DeletedRecord.objects.all()
    if state.from_date:
        start, _is_day = parse_date(state.from_date)
        items = items.filter(last_published_at__gte=start)
        tombstones = tombstones.filter(datestamp__gte=start)
    if state.until_date:
        end, is_day = parse_date(state.until_date)
        # Datestamps are shown to the second, so "until" takes in the whole
        # second, or the whole day.
        end += datetime.timedelta(days=1) if is_day else datetime.timedelta(seconds=1)
        items = items.filter(last_published_at__lt=end)
        tombstones = tombstones.filter(datestamp__lt=end)
    if state.set_spec:
        items, tombstones = records.filter_set(items, tombstones, state.set_spec)
    return (
        items.order_by("last_published_at", "pk"),
        tombstones.order_by("datestamp", "pk"),
    )


def _after(queryset, field, after):
    if after is None:
        return queryset
    moment = datetime.datetime.fromisoformat(after[0])
    # The plain range condition comes first so that PostgreSQL walks the
    # (datestamp, id) index and stops after one page.
    return queryset.filter(**{f"{field}__gte": moment}).filter(
        Q(**{f"{field}__gt": moment}) | Q(pk__gt=int(after[1]))
    )


def _page(items, tombstones, state, verb):
    """Return the records of the page at ``state`` and the state of the next."""
    size = settings.OAI_PAGE_SIZE
    page = []
    phase, after = state.phase, state.after
    if phase == tokens.ITEMS:
        items = _after(items, "last_published_at", after)
        page = list(records.without_text(items)[: size + 1])
        records.attach_sets(page[:size])
        if verb == "ListRecords":
            records.attach_metadata(page[:size])
        if len(page) > size:
            page = page[:size]
            last = page[-1]
            return page, _next(
                state, tokens.ITEMS, last.last_published_at, last.pk, size
            )
        phase, after = tokens.DELETED, None

    room = size - len(page)
    found = list(_after(tombstones, "datestamp", after)[: room + 1])
    page += found[:room]
    if len(found) <= room:
        return page, None
    if room == 0:
        return page, _next(state, tokens.DELETED, None, None, size)
    last = found[room - 1]
    return page, _next(state, tokens.DELETED, last.datestamp, last.pk, size)


def _next(state, phase, moment, pk, sent):
    after = None if moment is None else (moment.isoformat(), pk)
    return tokens.ListState(
        **{
            **state.__dict__,
            "phase": phase,
            "after": after,
            "cursor": state.cursor + sent,
        }
    )


def _append_record(parent, record, verb, request):
    if isinstance(record, DeletedRecord):
        sets = record.sets()
        stamp, deleted = record.datestamp, True
        identifier = records.oai_identifier(record.page_id)
    else:
        sets = record.oai_sets
        stamp, deleted = record.last_published_at, False
        identifier = records.oai_identifier(record.pk)
    if verb == "ListIdentifiers":
        oai_xml.header(parent, identifier, stamp, sets, deleted)
        return
    node = oai_xml.element(parent, "record")
    oai_xml.header(node, identifier, stamp, sets, deleted)
    if not deleted:
        metadata = oai_xml.element(node, "metadata")
        oai_xml.oai_dc(metadata, records.dublin_core(record, request))


def _check_prefix(prefix):
    if prefix != METADATA_PREFIX:
        raise OAIError(
            "cannotDisseminateFormat",
            _("The metadata format %(prefix)s is not supported. Use oai_dc.")
            % {"prefix": prefix[:100]},
        )


def _unknown_identifier(identifier):
    return OAIError(
        "idDoesNotExist",
        _("No record has the identifier %(identifier)s.")
        % {"identifier": identifier[:200]},
    )
