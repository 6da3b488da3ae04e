"""``omnibox demo``: a populated inbox a newcomer can click through.

- :mod:`demo.scenario` — the people, accounts and conversations, as data;
- :mod:`demo.payloads` — webhook bodies shaped exactly as the platforms send them;
- :mod:`demo.setup` — users, teams, demo accounts, canned replies and the example rules;
- :mod:`demo.fill` — drives it all through the real webhook path, worker and outbox;
- :mod:`demo.routing` — demo accounts' outbound goes to local fake platforms (serve too);
- :mod:`demo.plugin` — how the service finds all this: the ``omnibox.plugins`` entry point.

Demo accounts carry ``options["demo"] = True``. The service never imports this package (an
import-linter contract says so): it loads :mod:`demo.plugin` by its entry point, to run
``omnibox demo`` or when a process that sends finds demo accounts. The production image leaves
this package and :mod:`fakes` out.
"""
