"""``omnibox rules import`` / ``export``: the rule set as one YAML file, all or nothing."""

from __future__ import annotations

from pathlib import Path

from tests.support.cli import Cli

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "rules.example.yaml"


def test_import_then_export_round_trips_the_example(cli: Cli, tmp_path: Path) -> None:
    cli.query("INSERT INTO teams (name) VALUES ('Delivery')")
    done = cli("rules", "import", str(EXAMPLE))
    assert done.returncode == 0, done.stderr
    assert "imported 4 rule(s)" in done.stdout
    names = [
        r[0]
        for r in cli.query("SELECT json_extract(definition, '$.name') FROM rules ORDER BY position")
    ]
    assert names[0] == "Greet new Telegram users"
    assert len(names) == 4

    out = tmp_path / "exported.yaml"
    assert cli("rules", "export", str(out)).returncode == 0
    text = out.read_text(encoding="utf-8")
    assert "доставка" in text  # Unicode kept readable, not escaped
    again = cli("rules", "import", str(out))
    assert again.returncode == 0, again.stderr
    assert cli("rules", "export").stdout == text


def test_a_file_with_an_error_changes_nothing_and_says_where(cli: Cli, tmp_path: Path) -> None:
    cli.query("INSERT INTO teams (name) VALUES ('Delivery')")
    assert cli("rules", "import", str(EXAMPLE)).returncode == 0
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "rules:\n  - name: Route\n    when: message_received\n"
        "    then:\n      - assign_team: {team: Nobody}\n",
        encoding="utf-8",
    )
    failed = cli("rules", "import", str(bad))
    assert failed.returncode != 0
    assert "Nobody" in failed.stderr
    assert cli.query("SELECT count(*) FROM rules") == [(4,)]
    assert cli("rules", "import", str(tmp_path / "missing.yaml")).returncode != 0
