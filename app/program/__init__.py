"""The program: sessions by day and time, and signing up for breakout sessions (seats, waitlists)."""
