"""Build documents whose text extraction takes a while."""


def many_page_pdf(pages, words_per_page=120):
    """
    Return the bytes of a valid PDF of ``pages`` pages of text.

    Each page shows its number and the words "kalimat uji" repeated, in the
    standard Helvetica font. Parsing takes time in proportion to ``pages``.
    """
    font_number = 3
    objects = {
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        font_number: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica "
        b"/Encoding /WinAnsiEncoding >>",
    }
    kids = []
    for page in range(pages):
        page_number = 4 + 2 * page
        content_number = page_number + 1
        kids.append(b"%d 0 R" % page_number)
        text = " ".join(["kalimat uji"] * (words_per_page // 2))
        lines = [
            f"Halaman {page + 1}",
            *(text[i : i + 80] for i in range(0, len(text), 80)),
        ]
        operators = ["BT", "/F1 10 Tf", "12 TL", "56 780 Td"]
        operators += [f"({line}) Tj T*" for line in lines]
        operators.append("ET")
        stream = "\n".join(operators).encode("cp1252")
        objects[page_number] = (
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
            b"/Resources << /Font << /F1 %d 0 R >> >> /Contents %d 0 R >>"
            % (font_number, content_number)
        )
        objects[content_number] = (
            b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream"
        )
    objects[2] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(kids), pages)

    output = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    for number in sorted(objects):
        offsets[number] = len(output)
        output += b"%d 0 obj\n" % number + objects[number] + b"\nendobj\n"
    xref_at = len(output)
    size = max(objects) + 1
    output += b"xref\n0 %d\n0000000000 65535 f \n" % size
    for number in range(1, size):
        output += b"%010d 00000 n \n" % offsets[number]
    output += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        size,
        xref_at,
    )
    return bytes(output)
