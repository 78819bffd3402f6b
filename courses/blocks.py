"""StreamField blocks of a lesson body."""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.embeds.blocks import EmbedBlock
from wagtail.images.blocks import ImageChooserBlock

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
