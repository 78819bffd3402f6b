"""
Security headers that Django's SecurityMiddleware does not set.

Every response gets a Content Security Policy and a Permissions-Policy.
Pages the platform renders get the site policy, which allows no inline
script or style; Wagtail's and Django's admins get a looser policy, because
Wagtail's admin emits inline script. A stored file (an upload served by the
site) gets a policy that runs nothing, inside a sandbox, and a file that a
browser could run script in is sent as an attachment of an inert type.
"""

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.http import FileResponse, StreamingHttpResponse

from lms import policies

CSP = "Content-Security-Policy"
CSP_REPORT_ONLY = "Content-Security-Policy-Report-Only"


class SecurityHeadersMiddleware:
    """Add the Content Security Policy and Permissions-Policy to responses."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.storage_origins = policies.storage_origins(
            settings.STORAGES["default"].get("OPTIONS", {})
        )
        self.frame_origins = list(settings.CSP_FRAME_SRC)
        self.admin_paths = tuple(settings.CSP_ADMIN_PATHS)
        self.header = CSP_REPORT_ONLY if settings.CSP_REPORT_ONLY else CSP
        self.permissions = {
            view_name: policies.permissions_policy(features)
            for view_name, features in settings.PERMISSIONS_POLICY_VIEWS.items()
        }
        self.default_permissions = policies.permissions_policy()

    def __call__(self, request):
        response = self.get_response(request)
        if request.path.startswith(settings.STATIC_URL):
            return response
        if self.is_stored_file(request, response):
            protect_stored_file(response)
        else:
            response.headers.setdefault(self.header, self.page_policy(request))
        response.headers.setdefault("Permissions-Policy", self.permissions_for(request))
        return response

    def page_policy(self, request):
        sources = {
            "storage_origins": self.storage_origins,
            "frame_origins": self.frame_origins,
            "socket_origins": socket_origins(request),
        }
        if request.path.startswith(self.admin_paths):
            directives = policies.admin_directives(**sources)
        else:
            directives = policies.site_directives(**sources)
        policies.add_report_uri(directives, settings.CSP_REPORT_URI)
        return policies.format_policy(directives)

    def permissions_for(self, request):
        match = getattr(request, "resolver_match", None)
        if match is not None and match.view_name in self.permissions:
            return self.permissions[match.view_name]
        return self.default_permissions

    def is_stored_file(self, request, response):
        """
        Tell whether ``response`` sends a stored file rather than a page.

        That is a file response from under MEDIA_URL or from one of
        UPLOAD_SERVING_VIEWS, or any streamed file whose type can run script.
        Files the platform generates itself (exports, the offline lesson) are
        plain responses and keep the page policy.
        """
        is_streamed = isinstance(response, (FileResponse, StreamingHttpResponse))
        is_file = is_streamed or "Content-Disposition" in response
        if not is_file or response.status_code not in (200, 206):
            return False
        if request.path.startswith(settings.MEDIA_URL):
            return True
        match = getattr(request, "resolver_match", None)
        if match is not None and match.view_name in settings.UPLOAD_SERVING_VIEWS:
            return True
        return is_streamed and policies.is_scriptable(response.get("Content-Type"))


def socket_origins(request):
    """Return the websocket origin of the requested host, for connect-src."""
    try:
        host = request.get_host()
    except DisallowedHost:
        return []
    return [f"{'wss' if request.is_secure() else 'ws'}://{host}"]


def protect_stored_file(response):
    """
    Make a stored file inert: an attachment if it could run script, sandboxed.

    The policy replaces any the view set. A PDF shown inline keeps its
    disposition and goes without the sandbox (see
    ``policies.upload_directives``), but its policy still blocks everything
    it could load.
    """
    content_type = response.get("Content-Type", "")
    disposition = response.get("Content-Disposition", "")
    if policies.is_scriptable(content_type):
        response["Content-Type"] = "application/octet-stream"
        if disposition.lower().startswith("inline"):
            disposition = "attachment" + disposition[len("inline") :]
        response["Content-Disposition"] = disposition or "attachment"
    base_type = content_type.split(";", 1)[0].strip().lower()
    is_inline_pdf = (
        base_type == "application/pdf"
        and not disposition.lower().startswith("attachment")
    )
    directives = policies.upload_directives(sandbox=not is_inline_pdf)
    response[CSP] = policies.format_policy(directives)
    response["X-Content-Type-Options"] = "nosniff"
