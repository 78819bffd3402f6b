"""
``lms.catalogue``: extraction, merging and compiling on a throwaway app.

The app lives in a temporary folder that serves as the project root, so
the real catalogues are never touched.
"""

import polib
import pytest
from django.template import Context, Template
from django.utils import translation

from lms import catalogue

APP = "demoapp"

PYTHON_SOURCE = """\
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

GREETING = _("Catalogue test: welcome to class")
LEVEL = pgettext("school level", "Catalogue test: primary")
PEOPLE = ngettext(
    "Catalogue test: %(count)d student", "Catalogue test: %(count)d students", 2
)
"""

TEMPLATE_SOURCE = (
    "{% load i18n %}\n"
    '<h1>{% translate "Catalogue test: today\'s lesson" %}</h1>\n'
    "<p>{% blocktranslate with name=teacher %}"
    "Catalogue test: taught by {{ name }}"
    "{% endblocktranslate %}</p>\n"
)

TRANSLATIONS = {
    (None, "Catalogue test: welcome to class"): "Uji katalog: selamat datang di kelas",
    ("school level", "Catalogue test: primary"): "Uji katalog: dasar",
    (None, "Catalogue test: today's lesson"): "Uji katalog: pelajaran hari ini",
    (None, "Catalogue test: taught by %(name)s"): "Uji katalog: diajar oleh %(name)s",
    (None, "Catalogue test: %(count)d student"): "Uji katalog: %(count)d siswa",
}


@pytest.fixture
def app_dir(tmp_path, settings, monkeypatch):
    """Lay out a small app under a temporary project root and register it."""
    app = tmp_path / APP
    (app / "templates" / APP).mkdir(parents=True)
    (app / "migrations").mkdir()
    (app / "views.py").write_text(PYTHON_SOURCE, encoding="utf-8")
    (app / "templates" / APP / "lesson.html").write_text(
        TEMPLATE_SOURCE, encoding="utf-8"
    )
    # Migrations are skipped: their verbose names repeat the models'.
    (app / "migrations" / "0001_initial.py").write_text(
        "from django.utils.translation import gettext as _\n"
        '_("Catalogue test: skip")\n',
        encoding="utf-8",
    )
    settings.BASE_DIR = tmp_path
    monkeypatch.setitem(catalogue.CATALOGUES, APP, [APP])
    return app


def translate_all(path):
    po = polib.pofile(str(path))
    for entry in po:
        text = TRANSLATIONS[(entry.msgctxt, entry.msgid)]
        if entry.msgid_plural:
            entry.msgstr_plural = {0: text}
        else:
            entry.msgstr = text
    po.save(str(path))


def test_extract_python_and_templates(app_dir):
    messages = {message.key: message for message in catalogue.extract_catalogue(APP)}

    assert set(messages) == set(TRANSLATIONS)
    plural = messages[(None, "Catalogue test: %(count)d student")]
    assert plural.msgid_plural == "Catalogue test: %(count)d students"
    assert messages[("school level", "Catalogue test: primary")].msgctxt == (
        "school level"
    )


def test_update_adds_messages_untranslated(app_dir):
    added, removed = catalogue.update(APP, "id")

    assert (added, removed) == (5, 0)
    problems = catalogue.check(APP, "id")
    assert problems.missing == []
    assert len(problems.untranslated) == 5
    assert problems.fuzzy == []


def test_update_removes_stale_and_keeps_translations(app_dir):
    catalogue.update(APP, "id")
    path = catalogue.po_path(APP, "id")
    translate_all(path)
    source = app_dir / "views.py"
    source.write_text(
        source.read_text(encoding="utf-8").replace(
            'GREETING = _("Catalogue test: welcome to class")',
            'GREETING = _("Catalogue test: good morning")',
        ),
        encoding="utf-8",
    )

    added, removed = catalogue.update(APP, "id")

    assert (added, removed) == (1, 1)
    entries = {(entry.msgctxt, entry.msgid): entry for entry in polib.pofile(str(path))}
    assert (None, "Catalogue test: welcome to class") not in entries
    assert entries[(None, "Catalogue test: good morning")].msgstr == ""
    kept = entries[(None, "Catalogue test: today's lesson")]
    assert kept.msgstr == "Uji katalog: pelajaran hari ini"
    assert catalogue.check(APP, "id").untranslated == ["Catalogue test: good morning"]


def test_check_reports_missing_fuzzy_and_stale_mo(app_dir):
    catalogue.update(APP, "id")
    path = catalogue.po_path(APP, "id")
    translate_all(path)
    catalogue.compile_po(path)
    assert not catalogue.check(APP, "id")

    po = polib.pofile(str(path))
    po.find("Catalogue test: today's lesson").flags.append("fuzzy")
    po.find("Catalogue test: welcome to class").msgstr = "Uji katalog: halo kelas"
    po.remove(po.find("Catalogue test: primary", msgctxt="school level"))
    po.save(str(path))

    problems = catalogue.check(APP, "id")
    assert problems.missing == ["Catalogue test: primary"]
    assert problems.fuzzy == ["Catalogue test: today's lesson"]
    assert problems.stale_mo == ["Catalogue test: welcome to class"]


def test_compiled_catalogue_read_by_django(app_dir, settings):
    catalogue.update(APP, "id")
    path = catalogue.po_path(APP, "id")
    translate_all(path)
    catalogue.compile_po(path)

    settings.LOCALE_PATHS = [str(app_dir / "locale")]

    with translation.override("id"):
        assert translation.gettext("Catalogue test: welcome to class") == (
            "Uji katalog: selamat datang di kelas"
        )
        assert translation.pgettext("school level", "Catalogue test: primary") == (
            "Uji katalog: dasar"
        )
        plural = translation.ngettext(
            "Catalogue test: %(count)d student", "Catalogue test: %(count)d students", 3
        )
        assert plural % {"count": 3} == "Uji katalog: 3 siswa"
        template = Template(
            "{% load i18n %}{% blocktranslate with name='Bu Sri' %}"
            "Catalogue test: taught by {{ name }}{% endblocktranslate %}"
        )
        rendered = template.render(Context())
        assert rendered == "Uji katalog: diajar oleh Bu Sri"
    with translation.override("en"):
        assert translation.gettext("Catalogue test: welcome to class") == (
            "Catalogue test: welcome to class"
        )
