"""Delegate registration: the form, its rules, the private link and the emails that carry it."""
