"""The sign-off pack: built from a certification run, reviewed by the account manager."""

#: what every page and the HTML say when a pack was not made against Amazon
NOT_FROM_AMAZON = "NOT FROM AMAZON — not valid for sign-off"
