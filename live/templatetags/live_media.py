"""Template tags of the slide and media panels of the live class page."""

from django import template

from .. import signalling, slides
from ..models import SessionState

register = template.Library()


@register.inclusion_tag("live/includes/slides.html")
def slide_panel(session, role):
    """Render the current slide, and the teacher's slide controls."""
    position = slides.current_position(session.pk)
    deck = slides.describe_deck(position.deck) if position else None
    page = position.page if deck else None
    can_present = role == "teacher" and session.state != SessionState.ENDED
    return {
        "session": session,
        "deck": deck,
        "page": page,
        "version": position.version if position else 0,
        "image": slides.image_url(session.pk, deck, page),
        "can_present": can_present,
        "course_pdfs": slides.course_pdfs(session) if can_present else [],
    }


@register.inclusion_tag("live/includes/media.html")
def media_panel(session):
    """Render the audio and video controls, with the peer-to-peer limit."""
    return {
        "session": session,
        "max_peers": signalling.p2p_max_participants(),
        "ice_servers": signalling.ice_servers(),
    }
