"""The hosts' console (`/LANG/hosts/…`): accounts and sign-in, the dashboard, the registrations,
the audit log. Above the domains it manages; only the application imports it."""
