"""The sign-off pack: built from a certification run, reviewed by the account manager."""

#: what every page and the HTML say when a pack was not made against Amazon (the run record's owner says it)
from onboard.certify.record import NOT_FROM_AMAZON

__all__ = ["NOT_FROM_AMAZON"]
