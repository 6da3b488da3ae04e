"""The rules engine: rules as data, compiled once, evaluated per message. Pure: no I/O.

- ``rules.schema``: ``Rule`` (pydantic), ``load_yaml`` / ``dump_yaml`` / ``parse_rules``
- ``rules.compile``: ``validate`` (raw data → rules, or ``RuleError``), ``compile_rules``
- ``rules.facts``: the input (``Facts`` and its parts); ``rules.calendar``: business hours
- ``rules.evaluate``: ``evaluate`` → ``Evaluation`` (actions and trace); ``rules.actions``
"""
