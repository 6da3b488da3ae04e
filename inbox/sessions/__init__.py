"""Server-side web sessions: revocable sign-ins for the web inbox."""
