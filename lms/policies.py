"""
Content Security Policy and Permissions-Policy values, built without Django.

``lms.security.SecurityHeadersMiddleware`` picks one of these per response:
the site policy for pages the platform renders, the admin policy for
Wagtail's and Django's admins, and the upload policy for stored files.
"""

from urllib.parse import urlsplit

# Content types that a browser may run script in when it renders them.
SCRIPTABLE_TYPES = frozenset(
    {
        "text/html",
        "application/xhtml+xml",
        "image/svg+xml",
        "text/xml",
        "application/xml",
        "text/xsl",
        "application/xslt+xml",
        "text/javascript",
        "application/javascript",
        "application/x-javascript",
        "application/ecmascript",
        "text/ecmascript",
        "application/rdf+xml",
        "application/vnd.wap.xhtml+xml",
        "multipart/x-mixed-replace",
    }
)

# Browser features that no page uses unless a view is listed for them.
DENIED_FEATURES = (
    "accelerometer",
    "camera",
    "display-capture",
    "geolocation",
    "gyroscope",
    "magnetometer",
    "microphone",
    "payment",
    "usb",
)


def format_policy(directives):
    """Join ``{directive: [sources]}`` into one Content-Security-Policy value."""
    parts = []
    for name, sources in directives.items():
        parts.append(" ".join([name, *sources]) if sources else name)
    return "; ".join(parts)


def site_directives(*, storage_origins=(), frame_origins=(), socket_origins=()):
    """
    Return the directives of pages the platform renders: no inline script.

    ``storage_origins`` serve uploaded images and videos (an S3 bucket),
    ``frame_origins`` are the video sites lessons may embed, and
    ``socket_origins`` the websocket addresses of the live classes.
    """
    directives = {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", *storage_origins],
        "media-src": ["'self'", "blob:", *storage_origins],
        "font-src": ["'self'"],
        "connect-src": ["'self'", *socket_origins],
        "frame-src": list(frame_origins) or ["'none'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
    return directives


def admin_directives(*, storage_origins=(), frame_origins=(), socket_origins=()):
    """
    Return the directives of Wagtail's and Django's admins.

    Wagtail 8's admin emits inline scripts and style attributes, so both
    allow 'unsafe-inline'. Its preview panel frames the admin's own preview
    views, hence frame-src and frame-ancestors 'self'.
    """
    directives = site_directives(
        storage_origins=storage_origins,
        frame_origins=frame_origins,
        socket_origins=socket_origins,
    )
    directives.update(
        {
            "script-src": ["'self'", "'unsafe-inline'"],
            "style-src": ["'self'", "'unsafe-inline'"],
            "img-src": ["'self'", "data:", "blob:", *storage_origins],
            "font-src": ["'self'", "data:"],
            "frame-src": ["'self'", *frame_origins],
            "base-uri": ["'self'"],
            "frame-ancestors": ["'self'"],
        }
    )
    return directives


def upload_directives(*, sandbox=True):
    """
    Return the directives of a stored file: nothing loads and nothing runs.

    ``sandbox`` also gives the document a unique origin, so even a file that
    the browser renders as a page cannot read the site's cookies or pages.

    NOTE: browsers' built-in PDF viewers are reported to refuse sandboxed
    documents. That was not checked here, so a PDF shown inline is sent
    without the sandbox.
    """
    directives = {"default-src": ["'none'"], "frame-ancestors": ["'none'"]}
    if sandbox:
        directives["sandbox"] = []
    return directives


def add_report_uri(directives, report_uri):
    if report_uri:
        directives["report-uri"] = [report_uri]
    return directives


def permissions_policy(allowed=()):
    """
    Return a Permissions-Policy value that denies ``DENIED_FEATURES``.

    Features named in ``allowed`` are granted to the page's own origin.
    """
    parts = []
    for feature in DENIED_FEATURES:
        parts.append(f"{feature}=(self)" if feature in allowed else f"{feature}=()")
    return ", ".join(parts)


def storage_origins(options):
    """
    Return the origins an S3 storage serves files from, given its options.

    ``options`` are the ``STORAGES["default"]["OPTIONS"]`` of
    django-storages' S3 backend. Empty options (file-system storage) give
    no origin, because those files come from the site itself.
    """
    bucket = options.get("bucket_name")
    if not bucket:
        return []
    custom_domain = options.get("custom_domain")
    if custom_domain:
        return [f"https://{custom_domain}"]
    endpoint = options.get("endpoint_url")
    if endpoint:
        parts = urlsplit(endpoint)
        origin = f"{parts.scheme}://{parts.netloc}"
        # Virtual-hosted addressing puts the bucket in front of the host.
        return [origin, f"{parts.scheme}://{bucket}.{parts.netloc}"]
    region = options.get("region_name")
    origins = [f"https://{bucket}.s3.amazonaws.com"]
    if region:
        origins.append(f"https://{bucket}.s3.{region}.amazonaws.com")
    return origins


def is_scriptable(content_type):
    """Tell whether a browser may run script in a response of ``content_type``."""
    base = (content_type or "").split(";", 1)[0].strip().lower()
    return base in SCRIPTABLE_TYPES or base.endswith("+xml")
