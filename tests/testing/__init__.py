"""Helpers for the tests: what a person sees on a page, a visitor who walks the journey, answer
sets a person could give, the shipped rules with an edit, real servers on loopback, and the
browser's settings. Test modules import from here, never from one another.
"""
