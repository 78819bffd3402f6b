"""
The HTML sanitiser of ``lms.sanitize`` against cross-site scripting payloads.

Each payload is cleaned in every context, and the output is parsed back
with html5lib, the parser that bleach itself uses. The checks then look for
elements outside the context's allow-list, event handlers, styles and URLs
of any scheme other than http, https or mailto, whatever their spelling.
"""

import threading
from urllib.parse import urlsplit

import html5lib
import pytest

from lms import sanitize

XSS_PAYLOADS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=http://evil.example/xss.js></SCRIPT>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    '<script>alert("unclosed")',
    "<img src=x onerror=alert(1)>",
    "<img src=x onerror=alert(1)",
    '<img src="javascript:alert(1)">',
    "<img src=\"jav&#x09;ascript:alert('XSS');\">",
    "<img src=\"jav&#x0A;ascript:alert('XSS');\">",
    "<img src=\" &#14;  javascript:alert('XSS');\">",
    "<img src=&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)>",
    "<img src=&#x6A&#x61&#x76&#x61&#x73&#x63&#x72&#x69&#x70&#x74&#x3A;alert(1)>",
    "<img src=data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+>",
    '<img """><script>alert("XSS")</script>">',
    '<a href="javascript:alert(1)">click</a>',
    '<a href="JaVaScRiPt:alert(1)">click</a>',
    '<a href=" javascript:alert(1)">click</a>',
    '<a href="java\tscript:alert(1)">click</a>',
    '<a href="java&#0000010;script:alert(1)">click</a>',
    '<a href="&#x6a;avascript:alert(1)">click</a>',
    '<a href="javascript&colon;alert(1)">click</a>',
    '<a href="vbscript:msgbox(1)">click</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    '<a href="https://ok.example" onclick="alert(1)">ok</a>',
    '<a href="https://ok.example" onmouseover=alert(1)>ok</a>',
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    '<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<body onload=alert(1)>",
    "<iframe src=javascript:alert(1)></iframe>",
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    '<object data="javascript:alert(1)"></object>',
    '<embed src="javascript:alert(1)">',
    '<form action="javascript:alert(1)"><button>x</button></form>',
    '<input onfocus=alert(1) autofocus value="x">',
    "<details open ontoggle=alert(1)>x</details>",
    '<p style="background:url(javascript:alert(1))">x</p>',
    '<p style="width: expression(alert(1))">x</p>',
    "<style>@import 'javascript:alert(1)';</style>",
    '<div style="behavior: url(xss.htc)">x</div>',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<link rel="stylesheet" href="javascript:alert(1)">',
    '<base href="javascript:alert(1)//">',
    "<!--<script>alert(1)</script>-->",
    "<![CDATA[<script>alert(1)</script>]]>",
    "<p>unclosed <b>bold <em>em <a href='https://ok.example'>link",
    "<<script>script>alert(1)//<</script>/script>",
    '<a href="https://ok.example"><img src=x onerror=alert(1)></a>',
    '<blockquote cite="javascript:alert(1)">q</blockquote>',
    '<h2 onclick="alert(1)">title</h2>',
    '<img src="x" alt="x" onload="alert(1)" style="x:expression(alert(1))">',
    '<code onmouseover="alert(1)">x</code>',
    "<video><source onerror=alert(1)></video>",
    '<a href="\x01javascript:alert(1)">ctl</a>',
    '<a href="https://ok.example/\u202ejs.exe">spoof</a>',
]

URL_ATTRIBUTES = {"href", "src", "action", "formaction", "data", "xlink:href"}
SAFE_SCHEMES = {"http", "https", "mailto", ""}


def parsed_elements(html):
    fragment = html5lib.parseFragment(html, namespaceHTMLElements=False)
    return list(fragment.iter())[1:]


def find_problems(html, allowed_tags):
    """List what in ``html`` could run script, or an element not allowed."""
    problems = []
    for element in parsed_elements(html):
        tag = element.tag
        if not isinstance(tag, str):
            problems.append(f"comment or other node {tag!r}")
            continue
        if tag not in allowed_tags:
            problems.append(f"element <{tag}>")
        for name, value in element.attrib.items():
            lowered = name.lower()
            if lowered.startswith("on"):
                problems.append(f"event handler {name}")
            if lowered in {"style", "srcdoc"}:
                problems.append(f"attribute {name}")
            if lowered in URL_ATTRIBUTES:
                scheme = urlsplit(value.strip()).scheme.lower()
                if scheme not in SAFE_SCHEMES:
                    problems.append(f"{name} with scheme {scheme!r}")
    return problems


ALLOWED_TAGS = {
    "chat": {"a"},
    "discussion": set(sanitize.DISCUSSION_TAGS),
    "lesson": set(sanitize.DISCUSSION_TAGS) | {"h2", "h3", "h4", "img"},
}


@pytest.mark.parametrize("context", sanitize.CONTEXTS)
@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_payload_leaves_nothing_executable(payload, context):
    cleaned = sanitize.clean(payload, context)
    assert find_problems(cleaned, ALLOWED_TAGS[context]) == []
    # Cleaning twice changes nothing more: no second pass can reveal markup.
    assert sanitize.clean(cleaned, context) == cleaned


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_chat_escapes_every_tag(payload):
    cleaned = sanitize.clean(payload, "chat")
    # Only links linkified from bare http(s) URLs may appear as elements.
    for element in parsed_elements(cleaned):
        assert element.tag == "a"
        assert set(element.attrib) == {"href", "rel"}
        assert urlsplit(element.attrib["href"]).scheme in {"http", "https"}


def test_chat_keeps_text_visible():
    assert sanitize.clean("<b>tebal</b> & 2 < 3", "chat") == (
        "&lt;b&gt;tebal&lt;/b&gt; &amp; 2 &lt; 3"
    )


def test_chat_linkifies_web_urls_only():
    cleaned = sanitize.clean(
        "lihat https://depok.go.id/jadwal?a=1&b=2 atau ftp://x.example", "chat"
    )
    assert (
        '<a href="https://depok.go.id/jadwal?a=1&amp;b=2" rel="nofollow noopener">'
        in cleaned
    )
    assert "ftp://x.example" in cleaned
    assert 'href="ftp' not in cleaned


def test_discussion_keeps_safe_subset():
    html = (
        "<p>Halo <strong>semua</strong>, <em>baca</em>:</p>"
        "<ul><li>satu</li></ul><ol><li>dua</li></ol>"
        "<blockquote>kutipan</blockquote><pre><code>x = 1</code></pre><br>"
    )
    assert sanitize.clean(html, "discussion") == html


def test_discussion_links_get_rel():
    cleaned = sanitize.clean(
        '<a href="https://ok.example" title="t" target="_blank">ok</a> '
        '<a href="mailto:guru@sekolah.sch.id">surel</a>',
        "discussion",
    )
    assert cleaned == (
        '<a href="https://ok.example" rel="nofollow noopener">ok</a> '
        '<a href="mailto:guru@sekolah.sch.id" rel="nofollow noopener">surel</a>'
    )


def test_discussion_drops_headings_and_images():
    cleaned = sanitize.clean(
        '<h2>Judul</h2><img src="https://ok.example/a.png" alt="a">', "discussion"
    )
    assert cleaned == "Judul"


def test_discussion_does_not_linkify_code():
    cleaned = sanitize.clean("<code>https://ok.example</code>", "discussion")
    assert cleaned == "<code>https://ok.example</code>"


def test_lesson_keeps_headings_and_safe_images():
    html = (
        "<h2>Bab</h2><h3>Sub</h3><h4>Kecil</h4>"
        '<img src="https://ok.example/a.png" alt="gambar">'
        '<img src="/media/images/b.png" alt="lokal">'
    )
    assert sanitize.clean(html, "lesson") == html


@pytest.mark.parametrize(
    "source",
    [
        "javascript:alert(1)",
        "data:image/png;base64,iVBORw0KGgo=",
        "mailto:guru@sekolah.sch.id",
        "ftp://ok.example/a.png",
        "vbscript:x",
    ],
)
def test_lesson_drops_unsafe_image_sources(source):
    cleaned = sanitize.clean(f'<img src="{source}" alt="a">', "lesson")
    assert cleaned == '<img alt="a">'


def test_lesson_drops_h1_and_other_image_attributes():
    cleaned = sanitize.clean(
        '<h1>Besar</h1><img src="/a.png" width="9" onerror="x()">', "lesson"
    )
    assert cleaned == 'Besar<img src="/a.png">'


def test_unknown_context_raises():
    with pytest.raises(ValueError, match="forum"):
        sanitize.clean("x", "forum")


def test_empty_input():
    assert sanitize.clean("", "lesson") == ""
    assert sanitize.clean(None, "chat") == ""


def test_clean_text_removes_invisible_controls():
    text = "a\u202eb\u2066c\x00d\x1be\x7ff\ufeffg\r\nh\ri\tj"
    assert sanitize.clean_text(text) == "abcdefg\nh\ni\tj"


def test_clean_text_keeps_emoji_joiners_and_normalises():
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467"
    assert sanitize.clean_text(family) == family
    assert sanitize.clean_text("e\u0301") == "\u00e9"


def test_clean_safe_across_threads():
    results = {}

    def work(number):
        results[number] = [
            sanitize.clean(f"<p onclick=x>{number} <b>t</b></p>", "discussion")
            for _ in range(50)
        ]

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for number, outputs in results.items():
        assert set(outputs) == {f"<p>{number} t</p>"}
