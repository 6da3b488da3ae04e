"""``omnibox campaign send`` / ``status`` on the database, as an operator runs them."""

from __future__ import annotations

from tests.support.cli import Cli, cli  # noqa: F401 - the fixture


def test_send_starts_it_and_status_shows_progress(cli: Cli) -> None:  # noqa: F811
    cli.query(
        "INSERT INTO accounts (channel, name, external_id, token, webhook_secret, secret, "
        "confirmation_code, options, is_active, created_at) VALUES ('telegram', 'Bot', '7', "
        "'7:x', 's', '', '', '{}', 1, '2026-01-01 00:00:00')"
    )
    cli.query(
        "INSERT INTO campaigns (name, account_id, text, buttons, tag, status, created_at, "
        "updated_at) VALUES ('News', 1, 'Hi', '[]', 'useful', 'draft', "
        "'2026-01-01 00:00:00', '2026-01-01 00:00:00')"
    )
    done = cli("campaign", "send", "1", "--no-wait")  # no service runs here to send it
    assert done.returncode == 0, done.stderr
    assert "started for 0 recipient(s)" in done.stdout
    status = cli("campaign", "status", "1")
    assert status.returncode == 0, status.stderr
    assert "campaign 1 sending" in status.stdout
    assert "0/0 sent" in status.stdout
    again = cli("campaign", "send", "1")
    assert again.returncode != 0
    assert "cannot become sending" in again.stderr
