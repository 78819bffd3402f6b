"""Django validators around the plain identifier checks."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from . import identifiers

MESSAGES = {
    "npsn_format": _("An NPSN is exactly 8 digits; %(value)s is not."),
    "nisn_format": _("An NISN is exactly 10 digits; %(value)s is not."),
    "nik_format": _("A NIK is exactly 16 digits."),
    "nik_birth_date": _("The birth date inside this NIK is not a real date."),
    "kk_format": _("A family card number is exactly 16 digits."),
    "kecamatan_code_format": _(
        "A kecamatan code has the form 32.76.01; %(value)s does not."
    ),
    "kelurahan_code_format": _(
        "A kelurahan code has the form 32.76.01.1001; %(value)s does not."
    ),
}


def _validator(check):
    def validate(value):
        code = check(value)
        if code is not None:
            raise ValidationError(MESSAGES[code], code=code, params={"value": value})

    # Migrations refer to validators by module and qualified name.
    name = f"validate_{check.__name__.removeprefix('check_')}"
    validate.__name__ = validate.__qualname__ = name
    return validate


validate_npsn = _validator(identifiers.check_npsn)
validate_nisn = _validator(identifiers.check_nisn)
validate_nik = _validator(identifiers.check_nik)
validate_kk = _validator(identifiers.check_kk)
validate_kecamatan_code = _validator(identifiers.check_kecamatan_code)
validate_kelurahan_code = _validator(identifiers.check_kelurahan_code)
