"""``omnibox demo``: a populated inbox a newcomer can click through (DESIGN.md §4).

- :mod:`api.demo.scenario` — the people, accounts and conversations, as data;
- :mod:`api.demo.payloads` — webhook bodies shaped exactly as the platforms send them;
- :mod:`api.demo.setup` — users, teams, demo accounts, canned replies and the example rules;
- :mod:`api.demo.fill` — drives it all through the real webhook path, worker and outbox;
- :mod:`api.demo.routing` — demo accounts' outbound goes to local fake platforms (serve too).

Demo accounts carry ``options["demo"] = True``; nothing below ``api`` knows about them.
"""
