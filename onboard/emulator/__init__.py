"""An emulator of Login with Amazon and the Amazon Shipping v2 API, served on loopback.

It plays Amazon's dynamic sandbox: stateful, request-driven, with Amazon's error bodies, real labels
and injectable faults. It uses ``onboard.models`` but never the client, so each side tests the other.
"""

import logging

# the emulator's warnings (a client that hung up mid-body, a body too large) are for whoever serves it:
# 'onboard sandbox' configures logging and shows them; embedded in certify or the TUI, Python's last-resort
# handler would print them into the person's terminal (an interrupted certify said its client hung up)
logging.getLogger("onboard.emulator").addHandler(logging.NullHandler())
