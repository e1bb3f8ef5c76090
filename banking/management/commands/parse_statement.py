"""``python manage.py parse_statement FILE``: print a statement file as the API's JSON."""

import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from banking.formats import FormatError, parse_statement_file, statements_to_json


class Command(BaseCommand):
    help = "Read a camt.052/053/054 or MT940/MT942 file and print it as JSON."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="the statement file")
        parser.add_argument("--indent", type=int, default=2, help="JSON indentation (0: compact)")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        try:
            result = parse_statement_file(path, max_bytes=settings.BANK_FILE_MAX_BYTES)
        except FormatError as error:
            # One line, never a traceback: the message says what and where.
            raise CommandError(f"{path}: {error}") from None
        except OSError as error:
            raise CommandError(f"{path}: {error.strerror}") from None
        indent = options["indent"] or None
        self.stdout.write(json.dumps(statements_to_json(result), indent=indent, ensure_ascii=False))
