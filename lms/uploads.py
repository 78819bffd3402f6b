"""An upload handler that stops reading a file once it passes the size limit."""

from django.core.files.uploadhandler import FileUploadHandler, SkipFile


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
