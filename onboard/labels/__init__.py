"""Shipping labels: what goes on one (content), and how it is drawn as PDF, PNG or ZPL."""
