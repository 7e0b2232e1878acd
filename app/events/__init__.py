"""The event: its facts, its content pages, and loading them from the content folder."""
