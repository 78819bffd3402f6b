"""
Render one page of a PDF to a small WebP image, in a separate, limited process.

Run as::

    python -m live.slide_worker --memory-limit BYTES --size PIXELS \
        --page N --output OUT.webp PDF

The worker caps its own address space (``RLIMIT_AS``) and CPU time before it
imports the PDF renderer (pypdfium2), renders page ``N`` (from 1) so that its
longer side is ``--size`` pixels, and prints one JSON object on stdout::

    {"status": "ok", "page_count": 12}

or, when it cannot render the page, ``{"status": "error", "error": CODE,
"page_count": N or null, "detail": "..."}`` with ``CODE`` one of
``not_pdf``, ``page_out_of_range`` and ``memory``. The parent process also
kills the worker after a wall-time limit (``live.slides``).

The module imports nothing from Django, and ``live.slides.run_worker``
starts it with a minimal environment, so a broken or hostile PDF is parsed
in a process without the project's settings, secrets, database connections
or storage clients.
"""

import argparse
import json
import resource
import sys

ERROR_NOT_PDF = "not_pdf"
ERROR_PAGE_OUT_OF_RANGE = "page_out_of_range"
ERROR_MEMORY = "memory"
WEBP_QUALITY = 60
# The CPU seconds the worker may use, a second limit next to the parent's
# wall-time limit.
CPU_SECONDS = 30


def limit_resources(memory_limit):
    resource.setrlimit(resource.RLIMIT_AS, (memory_limit, memory_limit))
    resource.setrlimit(resource.RLIMIT_CPU, (CPU_SECONDS, CPU_SECONDS))


def render(path, page_number, size, output):
    """Render ``page_number`` of the PDF at ``path`` and return the result dict."""
    import pypdfium2

    try:
        pdf = pypdfium2.PdfDocument(path)
    except pypdfium2.PdfiumError as error:
        return {"status": "error", "error": ERROR_NOT_PDF, "detail": str(error)}
    try:
        page_count = len(pdf)
        if not 1 <= page_number <= page_count:
            return {
                "status": "error",
                "error": ERROR_PAGE_OUT_OF_RANGE,
                "page_count": page_count,
            }
        page = pdf[page_number - 1]
        width, height = page.get_size()
        if width <= 0 or height <= 0:
            return {
                "status": "error",
                "error": ERROR_NOT_PDF,
                "page_count": page_count,
                "detail": "page without size",
            }
        # pypdfium2 scales from PDF points to pixels.
        scale = size / max(width, height)
        image = page.render(scale=scale).to_pil()
        image.save(output, "WEBP", quality=WEBP_QUALITY)
        return {"status": "ok", "page_count": page_count}
    finally:
        pdf.close()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--memory-limit", type=int, required=True)
    parser.add_argument("--size", type=int, required=True)
    parser.add_argument("--page", type=int, required=True)
    parser.add_argument("--output", required=True)
    parser.add_argument("path")
    args = parser.parse_args(argv)

    limit_resources(args.memory_limit)
    try:
        result = render(args.path, args.page, args.size, args.output)
    except MemoryError:
        result = {"status": "error", "error": ERROR_MEMORY}
    json.dump(result, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
