"""StreamField blocks of a lesson body."""

import mimetypes

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.blocks import StructBlockValidationError
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.embeds.blocks import EmbedBlock
from wagtail.images.blocks import ImageChooserBlock

VIDEO_MIME_TYPES = {"video/mp4", "video/webm", "video/ogg"}


def video_mime_type(document):
    """Return the video MIME type of a Wagtail document, or ``None``."""
    mime_type, _encoding = mimetypes.guess_type(document.filename)
    return mime_type if mime_type in VIDEO_MIME_TYPES else None


# Lessons need sub- and superscript for formulas (H₂O, x²) but no headings
# inside a paragraph: the heading block gives the lesson its outline.
PARAGRAPH_FEATURES = [
    "bold",
    "italic",
    "superscript",
    "subscript",
    "ol",
    "ul",
    "link",
    "document-link",
]
CALLOUT_FEATURES = ["bold", "italic", "superscript", "subscript", "ul", "link"]


class CalloutBlock(blocks.StructBlock):
    """A boxed note set apart from the lesson text."""

    kind = blocks.ChoiceBlock(
        choices=[
            ("info", _("information")),
            ("warning", _("warning")),
            ("tip", _("tip")),
        ],
        default="info",
        label=_("kind"),
    )
    text = blocks.RichTextBlock(features=CALLOUT_FEATURES, label=_("text"))

    class Meta:
        icon = "help"
        label = _("callout")
        template = "courses/blocks/callout.html"


class VideoBlock(blocks.StructBlock):
    """
    A video: an uploaded file played by the browser, or an embedded address.

    An uploaded video is a Wagtail document with a video type, kept in the
    default storage. It is shown with ``preload="none"``, so a phone on
    mobile data loads nothing until the student presses play.
    """

    file = DocumentChooserBlock(
        required=False,
        label=_("video file"),
        help_text=_("An uploaded MP4 or WebM file."),
    )
    embed = EmbedBlock(
        required=False,
        label=_("video address"),
        help_text=_("Address of a video elsewhere, for example on YouTube."),
    )
    caption = blocks.CharBlock(required=False, max_length=200, label=_("caption"))

    class Meta:
        icon = "media"
        label = _("video")
        template = "courses/blocks/video.html"

    def clean(self, value):
        value = super().clean(value)
        document = value.get("file")
        if bool(document) == bool(value.get("embed")):
            raise StructBlockValidationError(
                block_errors={
                    "file": ValidationError(
                        _("Choose either a video file or a video address."),
                        code="video_source",
                    )
                }
            )
        if document and video_mime_type(document) is None:
            raise StructBlockValidationError(
                block_errors={
                    "file": ValidationError(
                        _("The document %(title)s is not an MP4 or WebM video."),
                        code="not_video",
                        params={"title": document.title},
                    )
                }
            )
        return value


class AttachmentBlock(blocks.StructBlock):
    """A file for students to download, with a line saying what it is."""

    document = DocumentChooserBlock(label=_("file"))
    description = blocks.CharBlock(
        required=False, max_length=200, label=_("description")
    )

    class Meta:
        icon = "download"
        label = _("attachment")
        template = "courses/blocks/attachment.html"


class LibraryLinkBlock(blocks.StructBlock):
    """A link to an item of the digital library."""

    item = blocks.PageChooserBlock(
        page_type="library.LibraryItemPage", label=_("library item")
    )
    note = blocks.CharBlock(required=False, max_length=200, label=_("note"))

    class Meta:
        icon = "doc-full"
        label = _("library item")
        template = "courses/blocks/library_link.html"


class LessonBodyBlock(blocks.StreamBlock):
    """The blocks a teacher may put in a lesson."""

    paragraph = blocks.RichTextBlock(
        features=PARAGRAPH_FEATURES,
        label=_("text"),
        template="courses/blocks/paragraph.html",
    )
    heading = blocks.CharBlock(
        max_length=120,
        form_classname="title",
        label=_("heading"),
        template="courses/blocks/heading.html",
    )
    image = ImageChooserBlock(label=_("image"), template="courses/blocks/image.html")
    callout = CalloutBlock()
    embed = EmbedBlock(
        label=_("embedded media"),
        help_text=_("Address of a video or other media, for example on YouTube."),
        template="courses/blocks/embed.html",
    )
    document = DocumentChooserBlock(
        label=_("document"), template="courses/blocks/document.html"
    )
    video = VideoBlock()
    attachment = AttachmentBlock()
    library_item = LibraryLinkBlock()
