"""Wire shapes of Amazon Shipping v2 and Login with Amazon, shared by the client and the emulator.

Field names are the JSON names, camelCase, exactly as in Amazon's Swagger model: these classes are
the contract, and a name that differs from the wire is a bug waiting to happen. Two families:

- ``requests``: what we send. Strict: unknown fields are refused, enums are closed, types exact.
- ``responses``: what we receive. Tolerant: unknown fields are kept, enums are open strings, numbers
  that arrive as strings (and tracking IDs that arrive as numbers) are coerced.
"""
