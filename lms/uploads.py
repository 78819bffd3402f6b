"""Upload handlers that stop reading a file once it passes a size limit."""

import logging

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, SkipFile

logger = logging.getLogger(__name__)


class FileSizeLimitHandler(FileUploadHandler):
    """
    Skip any uploaded file larger than ``limit`` bytes while it arrives.

    Placed first in ``request.upload_handlers``, it drops the file before
    the rest reaches the temporary file, so an oversized upload cannot fill
    the disk. ``skipped_name`` then contains the skipped file's name.
    """

    def __init__(self, request, limit):
        super().__init__(request)
        self.limit = limit
        self.received = 0
        self.skipped_name = None

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.limit:
            self.skipped_name = self.file_name
            raise SkipFile
        # Pass the chunk on to the next handler, which stores it.
        return raw_data

    def file_complete(self, file_size):
        return None


class UploadBackstopHandler(FileUploadHandler):
    """
    Skip files past the site-wide limits while they arrive, on every request.

    Django parses a POST body, and stores its files, as soon as anything
    reads ``request.POST``, and the CSRF middleware does so for every POST,
    whatever the view. So this handler comes first in FILE_UPLOAD_HANDLERS.
    Views that take uploads put a stricter ``FileSizeLimitHandler`` in front
    of it. A person who is not logged in may send no file at all, because no
    view takes their files. A logged-in person may send UPLOAD_MAX_FILE_SIZE
    bytes per file and UPLOAD_MAX_REQUEST_SIZE bytes of files per request.
    """

    def __init__(self, request=None):
        super().__init__(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            self.file_limit = settings.UPLOAD_MAX_FILE_SIZE
            self.request_limit = settings.UPLOAD_MAX_REQUEST_SIZE
        else:
            self.file_limit = 0
            self.request_limit = 0
        self.file_received = 0
        self.request_received = 0

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.file_received = 0

    def receive_data_chunk(self, raw_data, start):
        self.file_received += len(raw_data)
        self.request_received += len(raw_data)
        if (
            self.file_received > self.file_limit
            or self.request_received > self.request_limit
        ):
            logger.warning(
                "upload skipped over the site-wide limit path=%s user=%s "
                "field=%s file_limit=%s request_limit=%s",
                getattr(self.request, "path", ""),
                getattr(getattr(self.request, "user", None), "pk", None),
                self.field_name,
                self.file_limit,
                self.request_limit,
            )
            raise SkipFile
        return raw_data

    def file_complete(self, file_size):
        return None
