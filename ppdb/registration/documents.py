"""
Which documents each track needs, and the content check of an upload.

No Django import. Kinds are the codes of ``ApplicationDocument.kind``. A
requirement is a group of kinds of which the parent uploads at least one:

- every track: the family card (``kk``) and the birth certificate;
- ``afirmasi_ekonomi``: one of KIP, PKH, KKS, a DTKS listing or a letter
  from the social affairs office;
- ``afirmasi_disabilitas``: disability evidence;
- ``mutasi``: the parent's transfer letter or the teacher parent's
  assignment letter;
- ``prestasi_akademik``: report cards of the last five semesters;
- ``prestasi_nonakademik``: competition certificates;
- an under-age child (SD): the psychologist's or teachers' council's
  recommendation.

Report cards and certificates are also accepted in the other prestasi
track. Every file is a PDF, JPEG or PNG, and its content must be of the
format its name claims.
"""

from lms import filetypes

KK = "kk"
BIRTH_CERTIFICATE = "birth_certificate"
REPORT_CARD = "report_card"
KIP = "kip"
PKH = "pkh"
KKS = "kks"
DTKS = "dtks"
SOCIAL_LETTER = "social_letter"
DISABILITY_PROOF = "disability_proof"
CERTIFICATE = "certificate"
TRANSFER_LETTER = "transfer_letter"
ASSIGNMENT_LETTER = "assignment_letter"
RECOMMENDATION_LETTER = "recommendation_letter"

KINDS = (
    KK,
    BIRTH_CERTIFICATE,
    REPORT_CARD,
    KIP,
    PKH,
    KKS,
    DTKS,
    SOCIAL_LETTER,
    DISABILITY_PROOF,
    CERTIFICATE,
    TRANSFER_LETTER,
    ASSIGNMENT_LETTER,
    RECOMMENDATION_LETTER,
)

COMMON_REQUIREMENTS = ((KK,), (BIRTH_CERTIFICATE,))
ECONOMIC_PROOF = (KIP, PKH, KKS, DTKS, SOCIAL_LETTER)

# Per track: the groups of which one kind each is required, then the kinds
# the track accepts on top of those.
TRACK_REQUIREMENTS = {
    "domisili": ((), ()),
    "afirmasi_ekonomi": ((ECONOMIC_PROOF,), ()),
    "afirmasi_disabilitas": (((DISABILITY_PROOF,),), ECONOMIC_PROOF),
    "mutasi": (((TRANSFER_LETTER, ASSIGNMENT_LETTER),), ()),
    "prestasi_akademik": (((REPORT_CARD,),), (CERTIFICATE,)),
    "prestasi_nonakademik": (((CERTIFICATE,),), (REPORT_CARD,)),
}

# The formats a document may have, by the file name extensions naming them.
FORMATS = {
    filetypes.PDF: (".pdf",),
    filetypes.JPEG: (".jpg", ".jpeg"),
    filetypes.PNG: (".png",),
}
EXTENSIONS = tuple(ext for names in FORMATS.values() for ext in names)


def requirements(track, needs_recommendation=False):
    """Return the groups of kinds ``track`` needs, one kind of each group."""
    groups, _optional = TRACK_REQUIREMENTS[track]
    result = list(COMMON_REQUIREMENTS) + list(groups)
    if needs_recommendation:
        result.append((RECOMMENDATION_LETTER,))
    return result


def accepted_kinds(track, needs_recommendation=False):
    """Return the set of kinds an application in ``track`` may carry."""
    _groups, optional = TRACK_REQUIREMENTS[track]
    kinds = {
        kind for group in requirements(track, needs_recommendation) for kind in group
    }
    return kinds | set(optional)


def missing_groups(track, kinds, needs_recommendation=False):
    """Return the requirement groups of which none of ``kinds`` is present."""
    present = set(kinds)
    return [
        group
        for group in requirements(track, needs_recommendation)
        if not present.intersection(group)
    ]


def check_content(name, fileobj):
    """
    Return ``(content_type, None)`` for an acceptable file, else ``(None, code)``.

    ``code`` is ``document_extension`` when the name has no accepted
    extension, ``document_content`` when the content is not a PDF, JPEG or
    PNG, and ``document_mismatch`` when it is one of them but not the one
    the name claims. The file position is restored.
    """
    lowered = (name or "").lower()
    claimed = next(
        (kind for kind, names in FORMATS.items() if lowered.endswith(names)), None
    )
    if claimed is None:
        return None, "document_extension"
    found = filetypes.sniff_file(fileobj)
    if found not in FORMATS:
        return None, "document_content"
    if found != claimed:
        return None, "document_mismatch"
    return found, None
