"""
A small OAI-PMH client for the harvester: requests, checks and paging.

It contacts only the base URL it was given: redirects to another host are
rejected and proxy settings from the environment are ignored. Responses are
parsed without loading DTDs, entities or anything from the network.
"""

import datetime
import logging
import re
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

from django.conf import settings
from lxml import etree

from .xml import OAI_NS

logger = logging.getLogger(__name__)

NS = {"oai": OAI_NS}
_DAY_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
_SECOND_RE = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z")


class HarvestError(Exception):
    """A failed request or a response that is not valid OAI-PMH."""


class OAIErrorResponse(HarvestError):
    """A well-formed response that reports an OAI-PMH error code."""

    def __init__(self, code, message):
        super().__init__(f"the repository returned the OAI-PMH error {code}: {message}")
        self.code = code


@dataclass(frozen=True)
class Identity:
    name: str
    granularity: str
    earliest_datestamp: datetime.datetime


class _SameHostRedirects(urllib.request.HTTPRedirectHandler):
    def __init__(self, base_url):
        self.origin = urllib.parse.urlsplit(base_url)[:2]

    def redirect_request(self, request, fp, code, message, headers, new_url):
        if urllib.parse.urlsplit(new_url)[:2] != self.origin:
            raise HarvestError(
                f"the repository redirected to another host ({new_url}); "
                "give that address as the base URL if it is intended"
            )
        return super().redirect_request(request, fp, code, message, headers, new_url)


def parse_datestamp(value):
    """Return an aware UTC datetime for an OAI-PMH datestamp, or raise ValueError."""
    value = (value or "").strip()
    if _DAY_RE.fullmatch(value):
        day = datetime.date.fromisoformat(value)
        return datetime.datetime.combine(day, datetime.time(), datetime.UTC)
    if _SECOND_RE.fullmatch(value):
        moment = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
        return moment.astimezone(datetime.UTC)
    raise ValueError(f"{value!r} is not an OAI-PMH datestamp")


class OAIClient:
    def __init__(self, base_url, timeout=None, max_bytes=None):
        scheme = urllib.parse.urlsplit(base_url).scheme
        if scheme not in ("http", "https"):
            raise HarvestError(
                f"the base URL must start with http:// or https://: {base_url}"
            )
        self.base_url = base_url
        self.timeout = timeout or settings.OAI_HARVEST_TIMEOUT
        self.max_bytes = max_bytes or settings.OAI_HARVEST_MAX_BYTES
        self.opener = urllib.request.build_opener(
            urllib.request.ProxyHandler({}), _SameHostRedirects(base_url)
        )

    def request(self, verb, **arguments):
        """Send one request and return the element of ``verb`` in the response."""
        query = urllib.parse.urlencode({"verb": verb, **arguments})
        separator = "&" if "?" in self.base_url else "?"
        url = f"{self.base_url}{separator}{query}"
        try:
            with self.opener.open(url, timeout=self.timeout) as response:  # noqa: S310
                body = response.read(self.max_bytes + 1)
        except urllib.error.HTTPError as error:
            raise HarvestError(
                f"the repository returned HTTP {error.code} for {url}"
            ) from error
        except (urllib.error.URLError, OSError) as error:
            reason = getattr(error, "reason", error)
            raise HarvestError(f"the request to {url} failed: {reason}") from error
        if len(body) > self.max_bytes:
            raise HarvestError(
                f"the response to {url} is larger than {self.max_bytes} bytes "
                "(setting OAI_HARVEST_MAX_BYTES)"
            )
        return self._parse(body, verb, url)

    def _parse(self, body, verb, url):
        parser = etree.XMLParser(
            resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
        )
        try:
            root = etree.fromstring(body, parser)
        except etree.XMLSyntaxError as error:
            raise HarvestError(
                f"the response to {url} is not well-formed XML: {error}"
            ) from error
        if root.tag != f"{{{OAI_NS}}}OAI-PMH":
            raise HarvestError(f"the response to {url} is not an OAI-PMH document")
        if root.find("oai:responseDate", NS) is None:
            raise HarvestError(f"the response to {url} has no responseDate")
        error = root.find("oai:error", NS)
        if error is not None:
            message = " ".join((error.text or "").split())
            raise OAIErrorResponse(error.get("code", "unknown"), message)
        found = root.find(f"oai:{verb}", NS)
        if found is None:
            raise HarvestError(f"the response to {url} has no {verb} element")
        return found

    def identify(self):
        element = self.request("Identify")
        name = (element.findtext("oai:repositoryName", namespaces=NS) or "").strip()
        granularity = (element.findtext("oai:granularity", namespaces=NS) or "").strip()
        if granularity not in ("YYYY-MM-DD", "YYYY-MM-DDThh:mm:ssZ"):
            raise HarvestError(
                f"the Identify response has an invalid granularity {granularity!r}; "
                "expected YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ"
            )
        earliest = element.findtext("oai:earliestDatestamp", namespaces=NS)
        try:
            earliest_datestamp = parse_datestamp(earliest)
        except ValueError as error:
            raise HarvestError(
                f"the Identify response has an invalid earliestDatestamp: {error}"
            ) from error
        return Identity(name or self.base_url, granularity, earliest_datestamp)

    def pages(self, verb, **arguments):
        """
        Yield ``(element, complete_list_size)`` for each page of a list.

        ``element`` is the page's ``verb`` element. Tokens are followed until
        one is empty or missing. ``complete_list_size`` comes from the token,
        or is None when the repository leaves it out.
        """
        seen_tokens = set()
        while True:
            element = self.request(verb, **arguments)
            token = element.find("oai:resumptionToken", NS)
            size = token.get("completeListSize") if token is not None else None
            yield element, int(size) if size and size.isdigit() else None
            text = (token.text or "").strip() if token is not None else ""
            if not text:
                return
            if text in seen_tokens:
                raise HarvestError(
                    f"the repository returned the resumption token {text!r} twice, "
                    "so the harvest stopped instead of looping"
                )
            seen_tokens.add(text)
            arguments = {"resumptionToken": text}
