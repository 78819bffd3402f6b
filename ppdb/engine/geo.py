"""Straight-line distances between a home and a school."""

import math

# Mean Earth radius of the IUGG, in metres, as the admission rules state it.
EARTH_RADIUS_M = 6_371_000
EARTH_DIAMETER_M = 2 * EARTH_RADIUS_M


class Point:
    """A location in degrees, with the radian values the formula reuses."""

    __slots__ = ("latitude", "longitude", "phi", "lam", "cos_phi")

    def __init__(self, latitude, longitude):
        self.latitude = latitude
        self.longitude = longitude
        self.phi = math.radians(latitude)
        self.lam = math.radians(longitude)
        self.cos_phi = math.cos(self.phi)


def distance_m(a, b):
    """
    Return the haversine distance between points ``a`` and ``b`` in metres.

    The result is rounded to the nearest whole metre, halves up.
    """
    # selection._rank inlines these lines; keep both in step.
    half_dphi = math.sin((b.phi - a.phi) * 0.5)
    half_dlam = math.sin((b.lam - a.lam) * 0.5)
    h = half_dphi * half_dphi + a.cos_phi * b.cos_phi * half_dlam * half_dlam
    return int(EARTH_DIAMETER_M * math.asin(math.sqrt(h if h < 1.0 else 1.0)) + 0.5)
