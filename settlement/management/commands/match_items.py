"""``python manage.py match_items INPUT.json``: print the suggestions, as the API answers them."""

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from settlement.matching import MatchingError, match_json


class Command(BaseCommand):
    help = "Match the statement items and open items of a JSON file and print the suggestions."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("input", type=Path, help="JSON with statement_items and open_items")
        parser.add_argument("--indent", type=int, default=2, help="JSON indentation (0: compact)")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["input"]
        try:
            document = path.read_bytes()
        except OSError as error:
            raise CommandError(f"{path}: {error.strerror}") from None
        try:
            result = match_json(document)
        except MatchingError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(json.dumps(result, indent=options["indent"] or None, ensure_ascii=False))
