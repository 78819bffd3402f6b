"""
The digital library: items with Dublin Core metadata, their files and text.

A ``LibraryIndexPage`` is one school's library, or the city-wide library when
it has no school. Its children are ``LibraryItemPage`` records described with
the Dublin Core basics (title, creators, abstract, issued date, type,
language, subjects, licence). Files are ``ItemFile`` rows that point at a
Wagtail document kept in one collection per school. Their text is extracted
in a separate process (see ``library.extraction``) and gathered into the
item's ``full_text``, which the search index covers.

Files are linked by a plain foreign key, not a ``ParentalKey``, on purpose:
extraction updates them after the page revision was saved, and publishing an
older revision must not bring back their old state.
"""

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models.functions import Coalesce
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from taggit.models import TaggedItemBase
from wagtail.admin.panels import (
    FieldPanel,
    InlinePanel,
    MultiFieldPanel,
    ObjectList,
    TabbedInterface,
)
from wagtail.fields import RichTextField
from wagtail.models import Collection, Orderable, Page
from wagtail.search import index


class ItemType(models.TextChoices):
    RESEARCH_PAPER = "research_paper", _("research paper")
    THESIS = "thesis", _("student thesis or final paper")
    TEACHING_MODULE = "teaching_module", _("teaching module")
    EBOOK = "ebook", _("e-book")
    ARTICLE = "article", _("article")
    DATASET = "dataset", _("dataset")


class ItemLanguage(models.TextChoices):
    INDONESIAN = "id", _("Indonesian")
    ENGLISH = "en", _("English")
    OTHER = "other", _("other language")


class Licence(models.TextChoices):
    CC_BY = "cc-by", _("Creative Commons Attribution (CC BY)")
    CC_BY_SA = "cc-by-sa", _("Creative Commons Attribution-ShareAlike (CC BY-SA)")
    CC_BY_NC = "cc-by-nc", _("Creative Commons Attribution-NonCommercial (CC BY-NC)")
    CC_BY_NC_SA = (
        "cc-by-nc-sa",
        _("Creative Commons Attribution-NonCommercial-ShareAlike (CC BY-NC-SA)"),
    )
    CC_BY_ND = "cc-by-nd", _("Creative Commons Attribution-NoDerivatives (CC BY-ND)")
    CC_BY_NC_ND = (
        "cc-by-nc-nd",
        _("Creative Commons Attribution-NonCommercial-NoDerivatives (CC BY-NC-ND)"),
    )
    CC0 = "cc0", _("public domain dedication (CC0)")
    ALL_RIGHTS_RESERVED = "all-rights-reserved", _("all rights reserved")


class AccessLevel(models.TextChoices):
    """The access rule for an item's page, its search hits and its downloads."""

    PUBLIC = "public", _("public: everyone, without logging in")
    CITY = "city", _("city schools: everyone logged in")
    SCHOOL = "school", _("own school: members of the item's school")
    PEOPLE = "people", _("named people only")


class LibraryIndexPage(Page):
    """One school's library, or the city-wide library when ``school`` is blank."""

    school = models.ForeignKey(
        "lms.School",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="library_indexes",
        verbose_name=_("school"),
        help_text=_("Leave blank for the city-wide library."),
    )
    intro = RichTextField(_("introduction"), blank=True)
    # The collection that keeps this library's documents, created on first
    # upload by ``get_collection``.
    collection = models.ForeignKey(
        Collection,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("collection"),
    )

    content_panels = [*Page.content_panels, FieldPanel("school"), FieldPanel("intro")]
    parent_page_types = ["lms.HomePage"]
    subpage_types = ["library.LibraryItemPage"]

    class Meta:
        verbose_name = _("library")
        verbose_name_plural = _("libraries")

    def get_context(self, request, *args, **kwargs):
        from django.core.paginator import Paginator

        from .access import visible_items

        context = super().get_context(request, *args, **kwargs)
        items = (
            visible_items(request.user)
            .child_of(self)
            .select_related("school")
            .order_by("-first_published_at", "-pk")
        )
        context["items"] = Paginator(items, 20).get_page(request.GET.get("page"))
        context["can_upload"] = self.can_upload(request.user)
        return context

    def can_upload(self, user):
        from .access import can_upload_to

        return can_upload_to(user, self)

    def get_collection(self):
        """
        Return the collection for this library's documents, creating it on demand.

        Every library of the same school shares one collection, a child of a
        top-level "Library" collection.
        """
        if self.collection_id:
            return self.collection
        sibling = (
            LibraryIndexPage.objects.filter(
                school=self.school, collection__isnull=False
            )
            .exclude(pk=self.pk)
            .select_related("collection")
            .first()
        )
        if sibling is not None:
            collection = sibling.collection
        else:
            collection = _library_collection(self.school)
        LibraryIndexPage.objects.filter(pk=self.pk).update(collection=collection)
        self.collection = collection
        return collection


def _library_collection(school):
    """Create the collection of ``school`` (``None``: the city-wide library)."""
    # Collection names are stored data that staff see in the Wagtail admin,
    # so they are written once in the site's default language.
    with translation.override(settings.LANGUAGE_CODE):
        root_name = gettext("Library")
        name = (
            f"{school.name} ({school.npsn})"
            if school is not None
            else gettext("City-wide library")
        )
    existing = (
        LibraryIndexPage.objects.filter(collection__isnull=False)
        .select_related("collection")
        .first()
    )
    if existing is not None and existing.collection.depth > 1:
        library_root = existing.collection.get_parent()
    else:
        library_root = Collection.get_first_root_node().add_child(name=root_name)
    return library_root.add_child(name=name)


class LibraryItemPageTag(TaggedItemBase):
    content_object = ParentalKey(
        "library.LibraryItemPage",
        on_delete=models.CASCADE,
        related_name="tagged_items",
    )

    class Meta:
        verbose_name = _("subject of an item")
        verbose_name_plural = _("subjects of items")


class LibraryItemPage(Page):
    """
    A library item described with Dublin Core metadata.

    ``access_level`` covers the whole item: its page, its search hits (which
    show text from its files) and its downloads.
    """

    abstract = models.TextField(_("abstract"), blank=True)
    issued = models.DateField(
        _("date issued"),
        null=True,
        blank=True,
        help_text=_("When the work was published or completed."),
    )
    item_type = models.CharField(
        _("type"), max_length=20, choices=ItemType.choices, default=ItemType.ARTICLE
    )
    language = models.CharField(
        _("language"),
        max_length=5,
        choices=ItemLanguage.choices,
        default=ItemLanguage.INDONESIAN,
    )
    subjects = ClusterTaggableManager(
        through=LibraryItemPageTag,
        blank=True,
        verbose_name=_("subjects and keywords"),
    )
    licence = models.CharField(
        _("licence"),
        max_length=20,
        choices=Licence.choices,
        default=Licence.ALL_RIGHTS_RESERVED,
    )
    access_level = models.CharField(
        _("access"),
        max_length=10,
        choices=AccessLevel.choices,
        default=AccessLevel.PUBLIC,
    )
    allowed_readers = ParentalManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="shared_library_items",
        verbose_name=_("named readers"),
        help_text=_("Used when access is set to named people only."),
    )
    # The school of the parent library, copied here on save so that search
    # and access filters need no join through the page tree. An alias copies
    # its original's school instead, because it follows the original's
    # access rules wherever it is shown.
    school = models.ForeignKey(
        "lms.School",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="library_items",
        verbose_name=_("school"),
    )
    # The text of all files, filled by extraction and never edited by hand.
    full_text = models.TextField(_("full text"), blank=True, editable=False)
    publisher = models.CharField(_("publisher"), max_length=255, blank=True)
    identifier = models.CharField(
        _("identifier"),
        max_length=255,
        blank=True,
        help_text=_("ISBN, ISSN, DOI or another standard identifier of the work."),
    )
    source = models.CharField(
        _("source"),
        max_length=255,
        blank=True,
        help_text=_("The work this item is derived from, if any."),
    )
    relation = models.CharField(
        _("relation"),
        max_length=255,
        blank=True,
        help_text=_("A related work, for example the series or journal."),
    )
    coverage = models.CharField(
        _("coverage"),
        max_length=255,
        blank=True,
        help_text=_("The place or period the work is about."),
    )
    rights = models.TextField(
        _("rights statement"),
        blank=True,
        help_text=_("Rights held in and over the work, beyond the licence."),
    )
    # The key that ``library_import`` derives from a CSV row: the identifier,
    # or a hash of the title, the date issued and the files' checksums.
    import_key = models.CharField(
        _("import key"), max_length=300, blank=True, editable=False, db_index=True
    )
    # The library that ``library_import`` stored the item in. Together with
    # ``import_key`` it is unique, so no run of an import, not even two at
    # once, stores the same row twice in one library. It stays when the item
    # is moved, so an import into the first library still skips the row.
    import_library = models.ForeignKey(
        "library.LibraryIndexPage",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("imported into"),
    )
    embargo_until = models.DateField(
        _("embargo until"),
        null=True,
        blank=True,
        help_text=_(
            "The files stay hidden until this date; the description is shown at once."
        ),
    )

    content_panels = [
        *Page.content_panels,
        InlinePanel("creators", label=_("creators"), min_num=0),
        InlinePanel("contributors", label=_("contributors"), min_num=0),
        FieldPanel("abstract"),
        MultiFieldPanel(
            [
                FieldPanel("item_type"),
                FieldPanel("issued"),
                FieldPanel("language"),
                FieldPanel("subjects"),
                FieldPanel("publisher"),
                FieldPanel("identifier"),
            ],
            heading=_("description"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("source"),
                FieldPanel("relation"),
                FieldPanel("coverage"),
            ],
            heading=_("related works and coverage"),
        ),
        MultiFieldPanel(
            [FieldPanel("licence"), FieldPanel("rights")],
            heading=_("licence and rights"),
        ),
    ]
    access_panels = [
        FieldPanel("access_level"),
        FieldPanel("allowed_readers"),
        FieldPanel("embargo_until"),
    ]
    edit_handler = TabbedInterface(
        [
            ObjectList(content_panels, heading=_("Content")),
            ObjectList(access_panels, heading=_("Access")),
            ObjectList(Page.promote_panels, heading=_("Promote")),
        ]
    )
    search_fields = [
        *Page.search_fields,
        index.SearchField("abstract"),
        index.SearchField("full_text"),
        index.RelatedFields(
            "creators",
            [index.SearchField("name"), index.SearchField("affiliation")],
        ),
        index.RelatedFields(
            "contributors",
            [index.SearchField("name")],
        ),
        index.RelatedFields("subjects", [index.SearchField("name")]),
        index.SearchField("publisher"),
        index.FilterField("item_type"),
        index.FilterField("language"),
        index.FilterField("access_level"),
        index.FilterField("school"),
        index.FilterField("issued"),
    ]
    parent_page_types = ["library.LibraryIndexPage"]
    subpage_types = []
    # A copy is a new item, not the imported row, and would break the unique
    # import key of the library. Aliases ignore this list (see ``save``).
    exclude_fields_in_copy = ["import_key", "import_library"]

    class Meta:
        verbose_name = _("library item")
        verbose_name_plural = _("library items")
        constraints = [
            models.UniqueConstraint(
                fields=["import_library", "import_key"],
                condition=~models.Q(import_key=""),
                name="library_item_import_key_unique",
            ),
        ]

    def clean(self):
        super().clean()
        school = self._parent_school()
        if self.access_level == AccessLevel.SCHOOL and school is None:
            raise ValidationError(
                {
                    "access_level": ValidationError(
                        _(
                            "An item of the city-wide library cannot be limited "
                            "to its own school. Choose another access level."
                        ),
                        code="school_access_without_school",
                    )
                }
            )

    def save(self, *args, **kwargs):
        from .indexing import index_items

        if self.alias_of_id is not None:
            self.school_id = self.original_item().school_id
        else:
            self.school = self._parent_school()
        if self.alias_of_id is not None:
            # Wagtail 8.0 copies every field into an alias, despite
            # exclude_fields_in_copy, in CreatePageAliasAction and in
            # Page.update_aliases on each publish of the original. The import
            # key marks the original alone, also after an alias is converted.
            self.import_key = ""
            self.import_library = None
        super().save(*args, **kwargs)
        # After super().save(), which also saves creators and subjects.
        index_items([self.pk])

    def with_content_json(self, content):
        # Revisions store the page as it was when saved, but the extracted
        # text and the school are kept up to date outside revisions.
        obj = super().with_content_json(content)
        obj.full_text = self.full_text
        obj.school_id = self.school_id
        return obj

    def serve(self, request, *args, **kwargs):
        from django.contrib.auth.views import redirect_to_login

        from .access import can_view_item

        if not can_view_item(request.user, self):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            raise PermissionDenied
        return super().serve(request, *args, **kwargs)

    def get_context(self, request, *args, **kwargs):
        from .access import can_download

        context = super().get_context(request, *args, **kwargs)
        # The files, versions and usage belong to the original, and an alias
        # shows the original's, with the original's permissions.
        original = self.original_item()
        context["original"] = original
        files = list(original.files.order_by("created_at", "pk"))
        for item_file in files:
            item_file.item = original
            item_file.downloadable = can_download(request.user, item_file)
        replaced = {f.replaces_id for f in files if f.replaces_id}
        context["files"] = [f for f in files if f.pk not in replaced]
        context["older_versions"] = [f for f in files if f.pk in replaced]
        context["embargoed"] = self.is_embargoed()
        context["creators"] = list(self.creators.all())
        context["contributors"] = list(self.contributors.all())
        context["subjects"] = list(self.subjects.all())
        return context

    @property
    def issued_year(self):
        return self.issued.year if self.issued else None

    def is_embargoed(self, today=None):
        """Return whether the files are still hidden by the embargo."""
        if self.embargo_until is None:
            return False
        return (today or timezone.localdate()) < self.embargo_until

    def original_item(self):
        """Return the item that this alias mirrors, or this item if no alias."""
        item = self
        # An alias may mirror another alias.
        while item.alias_of_id is not None:
            item = item.alias_of.specific
        return item

    def current_files(self):
        """Return the latest version of each file, oldest upload first."""
        return self.files.filter(replaced_by__isnull=True)

    @property
    def formats(self):
        """The media types of the current files (Dublin Core ``format``)."""
        return sorted({f.content_type for f in self.current_files()})

    def _parent_school(self):
        if not self.path or self.depth is None or self.depth <= 1:
            return self.school
        parent = self.get_parent()
        specific = parent.specific if parent is not None else None
        if isinstance(specific, LibraryIndexPage):
            return specific.school
        return None


class ItemCreator(Orderable):
    """An author or other creator of an item (Dublin Core ``creator``)."""

    item = ParentalKey(
        LibraryItemPage, on_delete=models.CASCADE, related_name="creators"
    )
    name = models.CharField(_("name"), max_length=200)
    affiliation = models.CharField(
        _("affiliation"),
        max_length=200,
        blank=True,
        help_text=_("School, university or organisation."),
    )

    panels = [FieldPanel("name"), FieldPanel("affiliation")]

    class Meta(Orderable.Meta):
        verbose_name = _("creator")
        verbose_name_plural = _("creators")

    def __str__(self):
        return f"{self.name} ({self.affiliation})" if self.affiliation else self.name


class ItemContributor(Orderable):
    """
    A contributor other than a creator (Dublin Core ``contributor``), such as
    a thesis supervisor, an editor or an illustrator.
    """

    item = ParentalKey(
        LibraryItemPage, on_delete=models.CASCADE, related_name="contributors"
    )
    name = models.CharField(_("name"), max_length=200)
    role = models.CharField(
        _("role"),
        max_length=100,
        blank=True,
        help_text=_("For example supervisor, editor or translator."),
    )

    panels = [FieldPanel("name"), FieldPanel("role")]

    class Meta(Orderable.Meta):
        verbose_name = _("contributor")
        verbose_name_plural = _("contributors")

    def __str__(self):
        return f"{self.name} ({self.role})" if self.role else self.name


class ItemFile(models.Model):
    """A file of a library item, stored as a Wagtail document, and its text."""

    class ExtractionStatus(models.TextChoices):
        PENDING = "pending", _("waiting for text extraction")
        RUNNING = "running", _("text extraction running")
        DONE = "done", _("text extracted")
        RECOVERED_WITH_WARNINGS = (
            "recovered_with_warnings",
            _("text recovered with warnings (the file is damaged)"),
        )
        PASSWORD_PROTECTED = "password_protected", _("password protected")
        NO_TEXT_LAYER = "no_text_layer", _("no text layer (scanned images only)")
        FAILED = "failed", _("text extraction failed")

    class ExtractionError(models.TextChoices):
        TIMEOUT = "timeout", _("Text extraction took too long and was stopped.")
        MEMORY = "memory", _("Text extraction needed too much memory and was stopped.")
        CRASHED = "crashed", _("The text extraction program stopped unexpectedly.")
        UNREADABLE = "unreadable", _("The file could not be read as a document.")
        NO_TEXT = "no_text", _("The file contains no text that could be extracted.")
        MISSING_FILE = "missing_file", _("The stored file could not be opened.")
        WORKER_LOST = (
            "worker_lost",
            _("Text extraction was abandoned after its worker stopped too many times."),
        )

    item = models.ForeignKey(
        LibraryItemPage,
        on_delete=models.CASCADE,
        related_name="files",
        verbose_name=_("item"),
    )
    document = models.OneToOneField(
        "wagtaildocs.Document",
        on_delete=models.CASCADE,
        related_name="library_file",
        verbose_name=_("document"),
    )
    original_name = models.CharField(_("original file name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    content_type = models.CharField(_("content type"), max_length=100)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    created_at = models.DateTimeField(_("uploaded at"), default=timezone.now)
    extraction_status = models.CharField(
        _("text extraction"),
        max_length=30,
        choices=ExtractionStatus.choices,
        default=ExtractionStatus.PENDING,
        db_index=True,
    )
    extraction_error = models.CharField(
        _("extraction error"),
        max_length=20,
        choices=ExtractionError.choices,
        blank=True,
    )
    # Technical detail from the parser (its warnings or error), in English.
    extraction_message = models.TextField(_("extraction details"), blank=True)
    page_count = models.PositiveIntegerField(_("pages"), null=True, blank=True)
    extracted_at = models.DateTimeField(_("extracted at"), null=True, blank=True)
    extracted_text = models.TextField(_("extracted text"), blank=True)
    # The lease of a running extraction: the worker that claimed it and when
    # its claim expires. ``library.extraction.reap_expired_extractions``
    # re-queues or fails a ``running`` file whose lease has expired.
    extraction_attempts = models.PositiveSmallIntegerField(
        _("extraction attempts"), default=0
    )
    extraction_worker = models.CharField(
        _("extraction worker"), max_length=100, blank=True
    )
    extraction_lease_until = models.DateTimeField(
        _("extraction lease until"), null=True, blank=True
    )
    # When the extraction task was last queued. The reaper queues a file
    # that stays ``pending`` for too long again, in case its task was lost.
    extraction_queued_at = models.DateTimeField(
        _("queued for extraction at"), null=True, blank=True
    )
    # Versions: a new upload of the same file points at the one it replaces.
    # Older versions are kept and stay downloadable by the people who may
    # see the item; only the latest version counts for search and format.
    replaces = models.OneToOneField(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="replaced_by",
        verbose_name=_("replaces"),
    )
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("item file")
        verbose_name_plural = _("item files")

    def __str__(self):
        return self.original_name

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("library:download", args=[self.pk])

    @property
    def is_searchable(self):
        return self.extraction_status in {
            self.ExtractionStatus.DONE,
            self.ExtractionStatus.RECOVERED_WITH_WARNINGS,
        }


class SearchFacetGroup(models.Model):
    """
    One combination of type, language, schools and year, shared by every
    search document that has it.

    Search counts its hits by these small integer ids and looks the values
    up only for the few groups found. Hashing the four text and number
    columns of every hit cost PostgreSQL more than matching the words.
    Groups are never deleted; one that no document uses any more is
    harmless, and the same combination reuses it.
    """

    item_type = models.CharField(_("type"), max_length=20, choices=ItemType.choices)
    language = models.CharField(
        _("language"), max_length=5, choices=ItemLanguage.choices
    )
    schools = models.TextField(_("schools listing the item"), blank=True)
    year = models.PositiveSmallIntegerField(_("year issued"), null=True, blank=True)

    class Meta:
        verbose_name = _("search facet group")
        verbose_name_plural = _("search facet groups")
        constraints = [
            # Items without a year share one group, so NULL counts as a
            # value here.
            models.UniqueConstraint(
                "item_type",
                "language",
                "schools",
                Coalesce("year", -1),
                name="library_search_facet_group_unique",
            ),
        ]

    def __str__(self):
        return f"{self.item_type} {self.language} {self.schools} {self.year}"


class SearchSubjectSet(models.Model):
    """
    One ``SearchDocument.subjects`` value, shared by the documents that have
    it, so that search counts subjects by its id (see ``SearchFacetGroup``).
    """

    subjects = models.TextField(_("subjects"), blank=True, unique=True)

    class Meta:
        verbose_name = _("search subject set")
        verbose_name_plural = _("search subject sets")

    def __str__(self):
        return self.subjects


class SearchDocument(models.Model):
    """
    The search index row of one item: its text search vector and facet columns.

    ``library.indexing.index_items`` rebuilds rows from the stored item, so
    nothing else writes here. The facet and access columns copy the item's
    so that searching, filtering and counting need no join.
    """

    item = models.OneToOneField(
        LibraryItemPage,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="search_document",
        verbose_name=_("item"),
    )
    # The PostgreSQL text search configuration of the item's language.
    config = models.CharField(_("text search configuration"), max_length=20)
    # Title and subjects weigh A, names and identifiers B, the abstract C and
    # the files' text D. Empty on SQLite, which searches ``text`` instead.
    vector = SearchVectorField(_("search vector"), null=True)
    # Casefolded title and subjects, and all indexed text, for SQLite only.
    heading = models.TextField(_("heading text"), blank=True)
    text = models.TextField(_("indexed text"), blank=True)
    # The slugs of the item's subjects between bars, "|iklim|geografi|", so
    # that subject filters and counts need no join with the tag table.
    subjects = models.TextField(_("subjects"), blank=True)
    # The schools whose libraries list the work, sorted, between bars: the
    # item's own and those of its live aliases, as ids, and "none" for the
    # city-wide library, as in "|12|none|". Search filters by it and counts
    # the school facet from it, while ``school`` stays the item's own for
    # access.
    schools = models.TextField(_("schools listing the item"), blank=True)
    item_type = models.CharField(_("type"), max_length=20, choices=ItemType.choices)
    language = models.CharField(
        _("language"), max_length=5, choices=ItemLanguage.choices
    )
    school = models.ForeignKey(
        "lms.School",
        on_delete=models.DO_NOTHING,
        null=True,
        blank=True,
        db_constraint=False,
        related_name="+",
        verbose_name=_("school"),
    )
    year = models.PositiveSmallIntegerField(_("year issued"), null=True, blank=True)
    access_level = models.CharField(
        _("access"), max_length=10, choices=AccessLevel.choices
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        null=True,
        blank=True,
        db_constraint=False,
        related_name="+",
        verbose_name=_("owner"),
    )
    live = models.BooleanField(_("live"))
    # The item's first publication, the order of hits without a query.
    published_at = models.DateTimeField(_("first published at"), null=True)
    # The ids of this row's facet values and subjects, which search counts
    # by. ``library.indexing`` sets them with the values above.
    facet_group = models.ForeignKey(
        SearchFacetGroup,
        on_delete=models.DO_NOTHING,
        null=True,
        db_constraint=False,
        db_index=False,
        related_name="+",
        verbose_name=_("facet group"),
    )
    subject_set = models.ForeignKey(
        SearchSubjectSet,
        on_delete=models.DO_NOTHING,
        null=True,
        db_constraint=False,
        db_index=False,
        related_name="+",
        verbose_name=_("subject set"),
    )
    # The end of the embargo that kept the files' text out of ``vector``.
    # ``library_reindex --embargo-ended`` adds the text once the date is
    # reached. Empty when the text is indexed.
    full_text_withheld_until = models.DateField(
        _("files' text withheld until"), null=True, blank=True
    )

    class Meta:
        verbose_name = _("search document")
        verbose_name_plural = _("search documents")
        indexes = [
            models.Index(
                fields=["live", "access_level", "school"],
                name="library_search_access_idx",
            ),
        ]

    def __str__(self):
        return str(self.item_id)
