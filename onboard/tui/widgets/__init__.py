"""Widgets the screens share: the step tree, the step's card and evidence form, the label preview."""
