"""The video, attachment and library blocks of a lesson body."""

import pytest
from django.core.files.base import ContentFile
from wagtail.blocks import StructBlockValidationError
from wagtail.documents import get_document_model

from courses.blocks import AttachmentBlock, LessonBodyBlock, VideoBlock

pytestmark = pytest.mark.django_db


def make_document(name, content=b"\x00\x00\x00\x18ftypmp42"):
    return get_document_model().objects.create(
        title=name, file=ContentFile(content, name=name)
    )


def test_body_has_every_block_kind():
    names = set(LessonBodyBlock().child_blocks)
    assert names >= {
        "paragraph",
        "heading",
        "image",
        "video",
        "embed",
        "document",
        "attachment",
        "callout",
        "library_item",
    }
    page_block = LessonBodyBlock().child_blocks["library_item"].child_blocks["item"]
    assert [model._meta.label for model in page_block.target_models] == [
        "library.LibraryItemPage"
    ]


def test_uploaded_video_plays_without_preload():
    block = VideoBlock()
    video = make_document("percobaan.mp4")
    value = block.clean(block.to_python({"file": video.pk, "embed": None}))

    html = block.render(value)

    assert '<video controls preload="none"' in html
    assert video.url in html


def test_video_offline_is_a_link():
    block = VideoBlock()
    video = make_document("percobaan.mp4")
    value = block.to_python({"file": video.pk})

    html = block.render(value, context={"offline": True})

    assert "<video" not in html
    assert f'href="{video.url}"' in html


def test_video_needs_exactly_one_source():
    block = VideoBlock()
    with pytest.raises(StructBlockValidationError) as both_missing:
        block.clean(block.to_python({}))
    assert both_missing.value.block_errors["file"].code == "video_source"


def test_video_refuses_non_video_document():
    block = VideoBlock()
    document = make_document("tugas.pdf", b"%PDF-1.4")
    with pytest.raises(StructBlockValidationError) as error:
        block.clean(block.to_python({"file": document.pk}))
    assert error.value.block_errors["file"].code == "not_video"


def test_attachment_offers_download():
    block = AttachmentBlock()
    document = make_document("lembar-kerja.pdf", b"%PDF-1.4")
    value = block.to_python({"document": document.pk, "description": "Isi di rumah"})

    html = block.render(value)

    assert f'href="{document.url}" download' in html
    assert "Isi di rumah" in html
