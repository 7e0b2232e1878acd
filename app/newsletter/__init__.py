"""«Stay informed»: the newsletter sign-up, with double opt-in and an unsubscribe link in every message."""
