"""
Build the gradebook of a course: items, students, effective scores and totals.

The pages, the exports and the parent page all read grades through
``build_gradebook`` and ``student_grades`` so they agree on every number.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from courses.api import enrolled_students

from .models import Grade, GradebookSettings, GradeCategory, GradeItem, TotalOverride
from .totals import UNCATEGORISED, ItemSpec, compute_total

# The distribution charts group percentages into ten bands of ten points.
BAND_COUNT = 10


@dataclass
class StudentRow:
    """One student's line of the gradebook."""

    student: object
    cells: list
    computed_total: Decimal | None
    total_override: TotalOverride | None = None

    @property
    def total(self):
        if self.total_override is not None:
            return self.total_override.total
        return self.computed_total


@dataclass
class Gradebook:
    course: object
    settings: GradebookSettings
    categories: list
    items: list
    rows: list = field(default_factory=list)

    @property
    def weights(self):
        weights = {category.pk: category.weight for category in self.categories}
        weights[UNCATEGORISED] = self.settings.uncategorised_weight
        return weights


def class_group_of(student, course):
    """Return the name of the class group of ``student`` in the course's year."""
    groups = getattr(student, "gradebook_class_groups", None)
    if groups is None:
        groups = list(
            student.class_groups.filter(academic_year_id=course.academic_year_id)
        )
    return ", ".join(group.name for group in groups)


def build_gradebook(course, students=None):
    """
    Return the ``Gradebook`` of ``course`` for ``students``.

    ``students`` defaults to everyone actively enrolled in the course.
    """
    settings = GradebookSettings.for_course(course)
    categories = list(GradeCategory.objects.filter(course=course))
    items = list(GradeItem.objects.filter(course=course).select_related("category"))
    book = Gradebook(course, settings, categories, items)
    if students is None:
        students = enrolled_students(course)
    students = list(students)
    grades = {
        (grade.item_id, grade.student_id): grade
        for grade in Grade.objects.filter(
            item__course=course, student__in=[s.pk for s in students]
        )
    }
    overrides = {
        override.student_id: override
        for override in TotalOverride.objects.filter(
            course=course, student__in=[s.pk for s in students]
        )
    }
    specs = [ItemSpec(item.pk, item.category_id, item.max_score) for item in items]
    weights = book.weights
    for student in students:
        cells = [grades.get((item.pk, student.pk)) for item in items]
        scores = {
            item.pk: cell.effective_score
            for item, cell in zip(items, cells, strict=True)
            if cell is not None
        }
        total = compute_total(weights, specs, scores, settings.missing_counts_as_zero)
        book.rows.append(StudentRow(student, cells, total, overrides.get(student.pk)))
    return book


def student_grades(course, student):
    """
    Return ``(items_with_grades, total)`` for one student of ``course``.

    Only items that have a score are listed: a grade reaches the gradebook
    when its source returns or releases it, so these are the released ones.
    """
    book = build_gradebook(course, [student])
    row = book.rows[0]
    graded = [
        (item, cell)
        for item, cell in zip(book.items, row.cells, strict=True)
        if cell is not None and cell.effective_score is not None
    ]
    return graded, row.total


def distribution(percentages):
    """
    Return the chart bars of ``percentages`` in ten bands of ten points.

    Each bar is a dict with the band's label, count and height in percent of
    the tallest bar, which the template draws as an inline SVG.
    """
    counts = [0] * BAND_COUNT
    for value in percentages:
        if value is None:
            continue
        band = min(int(Decimal(value) // 10), BAND_COUNT - 1)
        counts[max(band, 0)] += 1
    tallest = max(counts) or 1
    bars = []
    for band, count in enumerate(counts):
        low = band * 10
        high = 100 if band == BAND_COUNT - 1 else low + 9
        bars.append(
            {
                "label": f"{low}–{high}",
                "count": count,
                "height": round(count * 100 / tallest),
                "x": band * 30,
                # The SVG is 130 units tall: bars stand on y=105, labels below.
                "y": 105 - round(count * 100 / tallest),
            }
        )
    return bars


def item_percentages(book, index):
    """Return the effective scores on item ``index`` as percentages."""
    item = book.items[index]
    values = []
    for row in book.rows:
        cell = row.cells[index]
        if cell is None or cell.effective_score is None or not item.max_score:
            continue
        values.append(cell.effective_score * 100 / item.max_score)
    return values
