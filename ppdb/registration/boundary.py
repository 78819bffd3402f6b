"""
Test whether a home lies inside the city's boundary polygon.

No Django import. A polygon is a sequence of ``(latitude, longitude)``
vertices in decimal degrees, in order around the city, and the last vertex
is joined back to the first. Edges are straight lines in latitude and
longitude. Across a city, such a line differs from the great-circle edge by
far less than the error of a drawn boundary, so the ray-casting test on
plain degrees is enough.
"""

import math

# Below this many degrees (about a centimetre) a point counts as lying on an
# edge, and a point on the boundary counts as inside.
EDGE_TOLERANCE_DEGREES = 1e-7


def parse_polygon(vertices):
    """
    Return ``vertices`` as a tuple of ``(latitude, longitude)`` float pairs.

    Raise ``ValueError`` naming the first invalid vertex, when there are
    fewer than three vertices, or when a coordinate is out of range.
    """
    polygon = []
    for index, vertex in enumerate(vertices):
        try:
            latitude, longitude = (float(value) for value in vertex)
        except (TypeError, ValueError) as error:
            raise ValueError(
                f"vertex {index} is {vertex!r}: expected [latitude, longitude]"
            ) from error
        if not (math.isfinite(latitude) and math.isfinite(longitude)):
            raise ValueError(f"vertex {index} is {vertex!r}: not a finite number")
        if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
            raise ValueError(
                f"vertex {index} is {vertex!r}: latitude must lie in -90..90 "
                "and longitude in -180..180"
            )
        polygon.append((latitude, longitude))
    if len(polygon) < 3:
        raise ValueError(f"a polygon needs at least 3 vertices, got {len(polygon)}")
    return tuple(polygon)


def contains(polygon, latitude, longitude):
    """
    Return whether the point lies inside ``polygon`` or on its boundary.

    Ray casting: a ray from the point towards growing longitude crosses the
    boundary an odd number of times exactly when the point is inside.
    """
    y, x = float(latitude), float(longitude)
    inside = False
    previous = polygon[-1]
    for current in polygon:
        (y1, x1), (y2, x2) = previous, current
        if _on_segment(y, x, y1, x1, y2, x2):
            return True
        # Count an edge only when it straddles the ray's latitude. The
        # half-open test counts a vertex on the ray once, not twice.
        if (y1 > y) != (y2 > y):
            crossing = x1 + (y - y1) * (x2 - x1) / (y2 - y1)
            if x < crossing:
                inside = not inside
        previous = current
    return inside


def _on_segment(y, x, y1, x1, y2, x2):
    cross = (x2 - x1) * (y - y1) - (y2 - y1) * (x - x1)
    length = math.hypot(x2 - x1, y2 - y1)
    if length == 0:
        return math.hypot(x - x1, y - y1) <= EDGE_TOLERANCE_DEGREES
    if abs(cross) / length > EDGE_TOLERANCE_DEGREES:
        return False
    within_x = min(x1, x2) - EDGE_TOLERANCE_DEGREES <= x
    within_x = within_x and x <= max(x1, x2) + EDGE_TOLERANCE_DEGREES
    within_y = min(y1, y2) - EDGE_TOLERANCE_DEGREES <= y
    within_y = within_y and y <= max(y1, y2) + EDGE_TOLERANCE_DEGREES
    return within_x and within_y
