"""
Sort keys packed into one integer per (program, applicant, choice) entry.

Sorting 600,000 tuples of mixed types costs several times more than sorting
as many integers. So each entry is one integer made of bit fields. From the
most significant, they are the program, the track's sort keys in order, the
applicant's index and the choice's index. Every field is a non-negative
integer in which smaller sorts first: a descending key (score) is stored as
``maximum - value``. Applicants are indexed in registration number order, so
the index field is the registration number tie-break and makes every entry
unique.
"""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from .rules import MAX_CHOICES

# Half the Earth's circumference is 20,015,087 m, below 2**25.
DISTANCE_BITS = 25
CHOICE_BITS = (MAX_CHOICES - 1).bit_length()


class KeyLayout:
    """Bit positions of every field of the entries of one run."""

    def __init__(self, rules, applicants, eligibility):
        self.rules = rules
        self.eligibility = eligibility
        self.choice_first = rules.mechanism == "choice_first"
        births = self.births = [a.birth_date.toordinal() for a in applicants]
        self.birth_min = min(births, default=0)
        stamps = self.stamps = [applicant.submitted_at for applicant in applicants]
        self.stamp_min = min(stamps, default=0)
        scores = [a.score for a in applicants if a.score is not None]
        # Scores are exact decimals: scale them all by the largest number of
        # decimal places so that each becomes an integer without rounding.
        self.score_places = max((-s.as_tuple().exponent for s in scores), default=0)
        self.score_places = max(self.score_places, 0)
        scaled = [self.scale_score(score) for score in scores]
        self.score_max = max(scaled, default=0)

        widths = {
            "choice_rank": CHOICE_BITS,
            "age_band": len(rules.age.bands).bit_length(),
            "distance": DISTANCE_BITS,
            "birth_date": (max(births, default=0) - self.birth_min).bit_length(),
            "submitted_at": (max(stamps, default=0) - self.stamp_min).bit_length(),
            "score": self.score_max.bit_length(),
        }

        self.pair_bits = len(applicants).bit_length() + CHOICE_BITS
        self.shifts = {}
        self.width = 0
        for name, track in rules.tracks.items():
            shift = self.pair_bits
            shifts = {}
            for key in reversed(self.key_names(track.order)):
                shifts[key] = shift
                shift += widths[key]
            self.shifts[name] = shifts
            self.width = max(self.width, shift)
        self.widths = widths

    def key_names(self, order):
        names = list(order)
        if self.choice_first:
            names.insert(0, "choice_rank")
        return names

    def scale_score(self, score):
        return int(score.scaleb(self.score_places))

    def static_parts(self, applicants):
        """
        Return, per applicant, the fields of its entries that hold at any school.

        Distance and choice rank differ per choice and are added later.
        """
        parts = [index << CHOICE_BITS for index in range(len(applicants))]
        tracks = [applicant.track for applicant in applicants]
        fields = {
            "age_band": lambda: list(map(self.eligibility.age_band, applicants)),
            "birth_date": lambda: [birth - self.birth_min for birth in self.births],
            "submitted_at": lambda: [stamp - self.stamp_min for stamp in self.stamps],
            "score": lambda: [
                0 if a.score is None else self.score_max - self.scale_score(a.score)
                for a in applicants
            ],
        }
        for name, compute in fields.items():
            shift_of = {
                track: shifts[name]
                for track, shifts in self.shifts.items()
                if name in shifts
            }
            if not shift_of:
                continue
            parts = [
                part | (value << shift_of[track]) if track in shift_of else part
                for part, value, track in zip(parts, compute(), tracks, strict=True)
            ]
        return parts

    def program_base(self, program):
        return program << self.width

    def split(self, entry):
        """Return ``(program, applicant index, choice index)`` of an entry."""
        pair = entry & ((1 << self.pair_bits) - 1)
        return entry >> self.width, pair >> CHOICE_BITS, pair & ((1 << CHOICE_BITS) - 1)

    def field(self, entry, track, name):
        """Return the raw value of one sort key of an entry."""
        shift = self.shifts[track][name]
        return (entry >> shift) & ((1 << self.widths[name]) - 1)

    def deciding_key(self, entry, cutoff, track):
        """
        Return the first sort key on which ``entry`` ranks after ``cutoff``.

        Return ``"registration_number"`` when every other key is equal.
        """
        for name in self.key_names(self.rules.tracks[track].order):
            if self.field(entry, track, name) != self.field(cutoff, track, name):
                return name
        return "registration_number"

    def describe(self, entry, track, applicants):
        """Return ``[(name, text), ...]``: the sort keys packed in an entry."""
        program, index, choice = self.split(entry)
        timezone = ZoneInfo(self.rules.timezone)
        keys = []
        for name in self.key_names(self.rules.tracks[track].order):
            field = self.field(entry, track, name)
            if name == "choice_rank":
                text = str(field + 1)
            elif name == "birth_date":
                text = date.fromordinal(field + self.birth_min).isoformat()
            elif name == "submitted_at":
                moment = datetime.fromtimestamp(field + self.stamp_min, timezone)
                text = moment.isoformat()
            elif name == "score":
                text = str(Decimal(self.score_max - field).scaleb(-self.score_places))
            else:
                text = str(field)
            keys.append((name, text))
        keys.append(("registration_number", applicants[index].registration_number))
        return keys
