"""Background work of the account pages."""

import logging

from django.core.mail import send_mail
from django_tasks import task

logger = logging.getLogger(__name__)


@task()
def send_account_mail(subject, body, from_email, recipient):
    """
    Send one plain-text account mail, such as a password reset link.

    It runs as a task so that the password reset page responds as fast for
    an unknown address as for a known one.
    """
    send_mail(subject, body, from_email, [recipient])
    logger.info("account mail sent subject=%r", subject)
