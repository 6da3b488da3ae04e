"""The web inbox: server-rendered pages, session sign-in, CSRF, translations."""
