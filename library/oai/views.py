from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from . import xml as oai_xml
from .provider import OAIError, check_arguments, respond

# Errors whose response must not echo the request's arguments.
_ERRORS_WITHOUT_ARGUMENTS = {"badVerb", "badArgument"}


@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def endpoint(request):
    """
    Respond to an OAI-PMH 2.0 request, given in the query string or, with
    POST, as an ``application/x-www-form-urlencoded`` body.

    OAI-PMH reports bad requests inside a normal 200 response, so every
    response is a 200 XML document. The records are public metadata, so no
    login is needed: only live, public items are exposed.
    """
    arguments = request.POST if request.method == "POST" else request.GET
    base_url = request.build_absolute_uri(request.path)
    try:
        verb, values = check_arguments(arguments)
        root = respond(verb, values, base_url, request)
    except OAIError as error:
        if error.code in _ERRORS_WITHOUT_ARGUMENTS:
            echoed = {}
        else:
            echoed = {"verb": verb, **values}
        root = oai_xml.envelope(base_url, echoed)
        oai_xml.element(root, "error", error.message, code=error.code)
    return HttpResponse(oai_xml.serialize(root), content_type="text/xml; charset=utf-8")
