"""An emulator of Login with Amazon and the Amazon Shipping v2 API, served on loopback.

It plays Amazon's dynamic sandbox: stateful, request-driven, with Amazon's error bodies, real labels
and injectable faults. It uses ``onboard.models`` but never the client, so each side tests the other.
"""
