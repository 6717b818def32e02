"""onboard: from "we want to ship with Amazon Shipping" to a signed-off test label."""

__version__ = "0.1.0"
