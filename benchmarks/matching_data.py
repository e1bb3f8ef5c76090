"""Seeded, realistic matching data with ground truth.

`generate_dataset` builds a month of bank statement items for a European company together with
its open receivables and payables, and records for every statement item which open items it
really pays (`GroundTruth`). Each statement item belongs to one *case* (exact reference, noisy
reference, name only, combined payment, return, void and reissue, ...), so accuracy can be
reported per case. The same seed gives the same data.

Counterparties are German, Austrian, Swiss, French and Dutch companies with legal forms and
valid IBANs; banks mangle their names (upper case, umlauts spelt out, cut at 27 or 35
characters, card-processor descriptors) and remittance texts (OCR confusions, leading zeros
dropped, separators changed, cut at 140 characters).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import TypedDict

from settlement.matching.model import OpenItem, StatementItem
from settlement.matching.references import creditor_reference_for, qr_check_digit

BOOKING_START = date(2024, 3, 1)
BOOKING_DAYS = 31


def _words(text: str) -> list[str]:
    return text.split()


_SURNAMES = {
    "DE": _words(
        "Müller Schmidt Schneider Fischer Weber Meyer Wagner Becker Schulz Hoffmann Schäfer "
        "Koch Bauer Richter Klein Wolf Schröder Neumann Schwarz Zimmermann Braun Krüger "
        "Hofmann Hartmann Lange Schmitt Werner Schmitz Krause Meier Lehmann Schmid Schulze "
        "Maier Köhler Herrmann König Walter Mayer Huber Kaiser Fuchs Peters Lang Scholz "
        "Möller Weiß Jung Hahn Schubert Vogel Friedrich Keller Günther Frank Berger Winkler "
        "Roth Beck Lorenz Baumann Franke Albrecht Schuster Simon Ludwig Böhm Winter Kraus "
        "Schumacher Krämer Vogt Stein Jäger Otto Sommer Groß Seidel Heinrich Brandt Haas "
        "Schreiber Graf Schulte Dietrich Ziegler Kuhn Kühn Pohl Engel Horn Busch Bergmann "
        "Voigt Sauer Arnold Wolff Pfeiffer"
    ),
    "AT": _words(
        "Gruber Huber Bauer Wagner Müller Pichler Steiner Moser Mayer Hofer Leitner Berger "
        "Fuchs Eder Fischer Schmid Winkler Weber Schwarz Maier Schneider Reiter Mayr Schmidt "
        "Wimmer Egger Brunner Lang Baumgartner Auer Binder Lechner Wolf Wallner Aigner Ebner "
        "Koller Lehner Haas Schuster Holzer Stadler Strasser Kern Wieser Lackner Hütter"
    ),
    "CH": _words(
        "Müller Meier Schmid Keller Weber Huber Schneider Meyer Steiner Fischer Gerber "
        "Brunner Baumann Frei Zimmermann Moser Widmer Wyss Graf Roth Suter Baumgartner "
        "Bachmann Studer Bühler Kälin Zürcher Hess Marti Sutter Lüthi Kunz Bieri Egli Vogel "
        "Ammann"
    ),
    "FR": _words(
        "Martin Bernard Dubois Thomas Robert Richard Petit Durand Leroy Moreau Simon Laurent "
        "Lefèvre Michel Garcia David Bertrand Roux Vincent Fournier Morel Girard André "
        "Mercier Dupont Lambert Bonnet François Martinez Legrand Garnier Faure Rousseau Blanc "
        "Guérin Muller Henry Roussel Nicolas Perrin Morin Mathieu Clément Gauthier Dumont "
        "Lopez"
    ),
    "NL": [
        "de Jong",
        "Jansen",
        "de Vries",
        "van den Berg",
        "van Dijk",
        "Bakker",
        "Janssen",
        "Visser",
        "Smit",
        "Meijer",
        "de Boer",
        "Mulder",
        "de Groot",
        "Bos",
        "Vos",
        "Peters",
        "Hendriks",
        "van Leeuwen",
        "Dekker",
        "Brouwer",
        "de Wit",
        "Dijkstra",
        "Smits",
        "de Graaf",
        "van der Meer",
        "van der Linden",
        "Kok",
        "Jacobs",
        "de Haan",
        "Vermeulen",
        "van den Heuvel",
        "van der Veen",
        "van den Broek",
        "de Bruijn",
        "Schouten",
        "Willems",
    ],
}
_TRADES = {
    "DE": _words(
        "Bau Bautechnik Metallbau Elektro Elektrotechnik Haustechnik Logistik Spedition "
        "Maschinenbau Holzbau Dachdeckerei Sanitär Heizungsbau Gartenbau Druckerei Verpackung "
        "Kunststofftechnik Feinmechanik Automation Software Systemhaus Handel Großhandel "
        "Autohaus Reisen Immobilien Consulting Beratung Medizintechnik Optik Bäckerei "
        "Brauerei Weinhandel Möbelwerkstatt Transporte Umwelttechnik Energietechnik "
        "Solartechnik Werkzeugbau Stahlbau Glasbau Fensterbau Landtechnik Agrarhandel "
        "Büroservice Gebäudereinigung Sicherheitstechnik Fahrzeugbau"
    ),
    "FR": _words(
        "Transports Bâtiment Électricité Menuiserie Boulangerie Informatique Conseil "
        "Distribution Logistique Plomberie Charpente Imprimerie Négoce Services Industries "
        "Couverture Maçonnerie Peinture Chauffage Emballages Textiles Agencement"
    ),
    "NL": _words(
        "Bouw Techniek Transport Logistiek Installatietechniek Handel Groothandel Metaal "
        "Elektro Advies Automatisering Schilderwerken Hoveniers Verpakkingen Machinebouw"
    ),
}
_TRADES["AT"] = _TRADES["DE"]
_TRADES["CH"] = _TRADES["DE"]
_CITIES = {
    "DE": _words(
        "Berlin Hamburg München Köln Frankfurt Stuttgart Düsseldorf Leipzig Dortmund Essen "
        "Bremen Dresden Hannover Nürnberg Duisburg Bochum Wuppertal Bielefeld Bonn Münster"
    ),
    "AT": _words("Wien Graz Linz Salzburg Innsbruck Klagenfurt Villach Wels Dornbirn Steyr"),
    "CH": _words("Zürich Genf Basel Bern Lausanne Winterthur Luzern St.Gallen Lugano Biel"),
    "FR": _words("Paris Lyon Marseille Toulouse Nice Nantes Strasbourg Montpellier Bordeaux Lille"),
    "NL": _words("Amsterdam Rotterdam Utrecht Eindhoven Groningen Tilburg Almere Breda Nijmegen"),
}
_LEGAL_FORMS = {
    "DE": [
        "GmbH",
        "GmbH",
        "GmbH",
        "GmbH & Co. KG",
        "AG",
        "KG",
        "OHG",
        "e.K.",
        "UG (haftungsbeschränkt)",
    ],
    "AT": ["GmbH", "Gesellschaft m.b.H.", "GesmbH", "KG", "AG", "OG"],
    "CH": ["AG", "AG", "GmbH", "SA", "Sàrl"],
    "FR": ["SARL", "SAS", "SA", "EURL", "SASU"],
    "NL": ["B.V.", "B.V.", "N.V.", "V.O.F."],
}
_COUNTRY_WEIGHTS = {"DE": 45, "AT": 15, "CH": 12, "FR": 15, "NL": 13}
_IBAN_SHAPES = {"DE": (8, 10), "AT": (5, 11), "CH": (5, 12), "FR": (10, 13), "NL": (0, 10)}

CASE_WEIGHTS: dict[str, float] = {
    "exact_reference": 12,
    "noisy_reference": 12,
    "truncated_reference": 3,
    "rf_reference": 5,
    "qr_reference": 3,
    "name_only": 7,
    "iban_only": 7,
    "combined": 7,
    "partial": 4,
    "overpayment": 3,
    "fee_deducted": 4,
    "cash_discount": 4,
    "transposed_digits": 2,
    "credit_note_netting": 3,
    "direct_debit": 6,
    "payable_payment": 5,
    "return_pair": 2,
    "lone_return": 1,
    "same_amount_two_accounts": 2,
    "same_account_twice": 2,
    "duplicate_payment": 1,
    "fee_or_interest": 3,
    "unknown_payer": 2,
    "void_and_reissue": 2,
    "void_reissue_removed": 1,
    "prior_period": 2,
    "weekend_due_date": 2,
}


@dataclass(frozen=True, slots=True)
class GroundTruth:
    """What a statement item really pays (empty: nothing) and which case it was made for."""

    statement_item_id: str
    open_item_ids: frozenset[str]
    case: str


@dataclass(frozen=True, slots=True)
class Dataset:
    """Generated items with the truth about every statement item."""

    statement_items: tuple[StatementItem, ...]
    open_items: tuple[OpenItem, ...]
    truth: Mapping[str, GroundTruth]


def iban_check_digits(country: str, bban: str) -> str:
    """Return the two ISO 13616 check digits of an IBAN for `country` and `bban`."""
    digits = "".join(str(int(character, 36)) for character in bban + country + "00")
    return f"{98 - int(digits) % 97:02d}"


class _Payer(TypedDict):
    """How the payer shows up on the statement: name and IBAN, either may be missing."""

    name: str
    iban: str


@dataclass(slots=True)
class _Account:
    key: str
    country: str
    name: str
    number: str
    ibans: tuple[str, ...]
    is_supplier: bool
    mandate: str = ""
    items: list[int] = field(default_factory=list)


class _Generator:
    def __init__(self, seed: int, difficulty: float) -> None:
        self.random = random.Random(seed)
        self.difficulty = difficulty
        self.accounts: list[_Account] = []
        self.names: set[str] = set()
        self.open_items: list[OpenItem] = []
        self.paid: set[int] = set()
        self.dropped: set[int] = set()
        self.statements: list[StatementItem] = []
        self.truth: dict[str, GroundTruth] = {}
        self.sequence = 0
        self.supplier_sequence = 0
        self.end_to_end = 0

    # --- parties -----------------------------------------------------------------------------

    def _company_name(self, country: str) -> str:
        chance = self.random
        for attempt in range(50):
            surname = chance.choice(_SURNAMES[country])
            trade = chance.choice(_TRADES[country])
            form = chance.choice(_LEGAL_FORMS[country])
            shape = chance.random()
            if country == "FR":
                core = f"{trade} {surname}" if shape < 0.6 else f"{surname} et Fils"
            elif country == "NL":
                core = f"{surname} {trade}" if shape < 0.7 else f"{trade}bedrijf {surname}"
            elif shape < 0.55:
                core = f"{surname} {trade}"
            elif shape < 0.8:
                core = f"{trade} {surname}"
            else:
                core = f"{surname} & {chance.choice(_SURNAMES[country])}"
            if attempt > 3 or chance.random() < 0.15:
                core = f"{core} {chance.choice(_CITIES[country])}"
            if attempt > 10:
                core = f"{core} {chance.randint(2, 999)}"
            name = f"{core} {form}"
            if name not in self.names:
                self.names.add(name)
                return name
        raise RuntimeError("could not find a new company name")

    def _iban(self, country: str) -> str:
        bank_length, account_length = _IBAN_SHAPES[country]
        if country == "NL":
            bban = "".join(self.random.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ") for _ in range(4))
        else:
            bban = "".join(self.random.choice("0123456789") for _ in range(bank_length))
        bban += "".join(self.random.choice("0123456789") for _ in range(account_length))
        return f"{country}{iban_check_digits(country, bban)}{bban}"

    def make_accounts(self, count: int) -> None:
        countries = list(_COUNTRY_WEIGHTS)
        weights = list(_COUNTRY_WEIGHTS.values())
        for position in range(count):
            country = self.random.choices(countries, weights)[0]
            is_supplier = self.random.random() < 0.2
            ibans: tuple[str, ...] = (self._iban(country),)
            if self.random.random() < 0.1:
                ibans = (*ibans, self._iban(country))
            number = f"{'L' if is_supplier else 'K'}{100000 + position}"
            account = _Account(
                f"ACC-{position:07d}",
                country,
                self._company_name(country),
                number,
                ibans,
                is_supplier,
            )
            if not is_supplier and self.random.random() < 0.3:
                account.mandate = f"MNDT-{position:07d}"
            self.accounts.append(account)
        self.customers = [account for account in self.accounts if not account.is_supplier]
        self.suppliers = [account for account in self.accounts if account.is_supplier]

    # --- open items --------------------------------------------------------------------------

    def _amount(self) -> Decimal:
        # Log-uniform between 20 and 25,000: many small invoices, a few large ones.
        units = int(2000 * (1250 ** self.random.random()))
        return Decimal(units).scaleb(-2)

    def _document_number(self, account: _Account, year: int, *, credit: bool = False) -> str:
        if account.is_supplier:
            self.supplier_sequence += 1
            number = self.supplier_sequence
            shape = int(account.key[-3:]) % 4
            return (
                f"INV-{number:07d}",
                f"F{year}{number:07d}",
                f"{year}/{number}",
                f"{8_000_000 + number}",
            )[shape]
        self.sequence += 1
        return f"{'GS' if credit else 'RE'}-{year}-{self.sequence:07d}"

    def add_open_item(
        self,
        account: _Account,
        *,
        amount: Decimal | None = None,
        document_date: date | None = None,
        credit: bool = False,
        description: str = "",
        payment_reference: str = "",
        end_to_end_id: str = "",
        mandate_id: str = "",
    ) -> int:
        amount = amount if amount is not None else self._amount()
        if document_date is None:
            document_date = BOOKING_START - timedelta(days=self.random.randint(5, 75))
        terms = self.random.choice((10, 14, 14, 30, 30, 30, 45, 60))
        due_date = document_date + timedelta(days=terms)
        sign = -1 if account.is_supplier != credit else 1
        position = len(self.open_items)
        currency = "CHF" if account.country == "CH" and self.random.random() < 0.5 else "EUR"
        if account.items:
            currency = self.open_items[account.items[0]].currency
        self.open_items.append(
            OpenItem(
                id=f"OI-{position:08d}",
                open_amount=sign * amount,
                currency=currency,
                document_number=self._document_number(account, document_date.year, credit=credit),
                document_date=document_date,
                due_date=due_date,
                account_id=account.key,
                account_name=account.name,
                account_number=account.number,
                account_ibans=account.ibans,
                description=description,
                payment_reference=payment_reference,
                end_to_end_id=end_to_end_id,
                mandate_id=mandate_id,
            )
        )
        account.items.append(position)
        return position

    def replace(self, position: int, **changes: object) -> None:
        from dataclasses import replace

        self.open_items[position] = replace(self.open_items[position], **changes)  # type: ignore[arg-type]

    # --- how banks mangle things ---------------------------------------------------------------

    def bank_name(self, name: str) -> str:
        chance = self.random
        hard = self.difficulty
        text = name
        if chance.random() < 0.6:
            spelt = chance.random() < 0.7
            for umlaut, plain in (
                ("ä", "ae"),
                ("ö", "oe"),
                ("ü", "ue"),
                ("Ä", "AE"),
                ("Ö", "OE"),
                ("Ü", "UE"),
            ):
                text = text.replace(umlaut, plain if spelt else plain[0])
            text = text.replace("ß", "ss").replace("é", "e").replace("è", "e").replace("à", "a")
            text = text.replace("É", "E").replace("â", "a").replace("ç", "c").replace("ê", "e")
            text = text.upper()
        if chance.random() < 0.3:
            text = (
                text.replace(" & Co. KG", " + CO. KG").replace("GmbH", "GMBH").replace("B.V.", "BV")
            )
        if chance.random() < 0.25 * hard and " " in text:
            words = text.split()
            cut = chance.randint(1, len(words) - 1)
            text = " ".join(words[cut:] + words[:cut])
        if chance.random() < 0.1 * hard and len(text) > 8:
            position = chance.randint(2, len(text) - 3)
            text = text[:position] + text[position + 1 :]
        for limit in (27, 35):
            if len(text) > limit and chance.random() < 0.5:
                text = text[:limit]
                break
        return text

    def descriptor(self, name: str) -> str:
        words = [word for word in name.split() if word.isalpha()]
        core = "".join(words[:2])
        core = (
            core.upper()
            .replace("Ä", "AE")
            .replace("Ö", "OE")
            .replace("Ü", "UE")
            .replace("ß", "SS")
            .replace("É", "E")
            .replace("&", "")
        )
        processor = self.random.choice(("PAYPAL *", "SUMUP *", "SQ *", "STRIPE* "))
        return f"{processor}{core[:14]}"

    def noisy_reference(self, number: str) -> str:
        chance = self.random
        pieces = number.replace("/", "-").split("-")
        variant = chance.randint(0, 6)
        if variant == 0 and len(pieces) > 1:
            text = "-".join(pieces[1:])
        elif variant == 1:
            text = "-".join(piece.lstrip("0") if piece.isdigit() else piece for piece in pieces)
        elif variant == 2:
            text = chance.choice((" ", "/", ".", "")).join(pieces)
        elif variant == 3:
            text = number.replace("0", "O", chance.randint(1, 3))
        elif variant == 4:
            text = number.lower().replace("1", "l", 1)
        elif (
            variant == 5
            and len(pieces) > 1
            and pieces[-1].lstrip("0")
            and len(pieces[-1].lstrip("0")) >= 5
        ):
            text = pieces[-1].lstrip("0")
        else:
            text = number.replace("-", " ")
        return text

    def remittance(self, references: list[str], account: _Account, *, noisy: bool = False) -> str:
        chance = self.random
        written = [
            self.noisy_reference(reference) if noisy else reference for reference in references
        ]
        joined = ", ".join(written)
        country = account.country
        templates = {
            "DE": [
                "RE {refs}",
                "Rechnung {refs}",
                "Rg.-Nr. {refs} Kd-Nr. {customer}",
                "{refs} vielen Dank",
                "SVWZ+{refs}",
            ],
            "AT": ["Rechnung {refs}", "Re.Nr. {refs}", "{refs} Danke"],
            "CH": ["Rechnung {refs}", "Zahlung {refs}", "{refs}"],
            "FR": ["Facture {refs}", "Règlement facture {refs}", "Fact. {refs} client {customer}"],
            "NL": ["Factuur {refs}", "Betaling factuur {refs}", "{refs}"],
        }[country]
        text = chance.choice(templates).format(refs=joined, customer=account.number)
        if chance.random() < 0.3:
            text += chance.choice(
                (" vom 12.02.2024", " Betrag 1.234,56", " Danke", " merci", " Auftrag 77")
            )
        return text

    # --- statement items -----------------------------------------------------------------------

    def booking_date(self) -> date:
        day = BOOKING_START + timedelta(days=self.random.randrange(BOOKING_DAYS))
        while day.weekday() >= 5:
            day += timedelta(days=1)
        return day

    def add_statement(
        self,
        case: str,
        paid: list[int],
        *,
        amount: Decimal,
        currency: str = "EUR",
        booking_date: date | None = None,
        name: str = "",
        iban: str = "",
        text: str = "",
        end_to_end_id: str = "",
        mandate_id: str = "",
        creditor_reference: str = "",
        code: str = "",
        is_reversal: bool = False,
    ) -> StatementItem:
        statement = StatementItem(
            id=f"S-{len(self.statements):07d}",
            amount=amount,
            currency=currency,
            booking_date=booking_date or self.booking_date(),
            counterparty_name=name,
            counterparty_iban=iban,
            remittance_information=text[:140],
            end_to_end_id=end_to_end_id,
            mandate_id=mandate_id,
            creditor_reference=creditor_reference,
            bank_transaction_code=code,
            is_reversal=is_reversal,
        )
        self.statements.append(statement)
        self.paid.update(paid)
        self.truth[statement.id] = GroundTruth(
            statement.id, frozenset(self.open_items[position].id for position in paid), case
        )
        return statement

    def payer(
        self, account: _Account, *, name_chance: float = 0.9, iban_chance: float = 0.85
    ) -> _Payer:
        return {
            "name": self.bank_name(account.name) if self.random.random() < name_chance else "",
            "iban": self.random.choice(account.ibans) if self.random.random() < iban_chance else "",
        }

    def customer(self) -> _Account:
        return self.random.choice(self.customers)

    def supplier(self) -> _Account:
        return self.random.choice(self.suppliers)

    def _signed(self, position: int) -> tuple[Decimal, str]:
        item = self.open_items[position]
        return item.open_amount, item.currency


def _case_functions() -> dict[str, Callable[[_Generator], None]]:
    def single_paid(
        generator: _Generator,
        case: str,
        *,
        amount_change: Callable[[Decimal], Decimal] | None = None,
        noisy: bool = False,
        **payer: float,
    ) -> None:
        account = generator.customer()
        position = generator.add_open_item(account)
        amount, currency = generator._signed(position)
        paid_amount = amount_change(amount) if amount_change else amount
        who = generator.payer(account, **payer)
        text = generator.remittance(
            [generator.open_items[position].document_number], account, noisy=noisy
        )
        generator.add_statement(
            case, [position], amount=paid_amount, currency=currency, text=text, **who
        )

    def exact_reference(generator: _Generator) -> None:
        single_paid(generator, "exact_reference")

    def noisy_reference(generator: _Generator) -> None:
        single_paid(generator, "noisy_reference", noisy=True)

    def truncated_reference(generator: _Generator) -> None:
        account = generator.customer()
        position = generator.add_open_item(account)
        amount, currency = generator._signed(position)
        number = generator.open_items[position].document_number
        filler = (
            "Zahlung gemaess Vereinbarung und Lieferschein vom Februar, Kundennummer "
            "unbekannt, bitte Zahlung zuordnen, besten Dank "
        )
        cut = generator.random.randint(2, 3)
        text = (filler * 2)[: 139 - len(number) + cut].rstrip() + " " + number
        who = generator.payer(account)
        generator.add_statement(
            "truncated_reference",
            [position],
            amount=amount,
            currency=currency,
            text=text[:140],
            **who,
        )

    def rf_reference(generator: _Generator) -> None:
        account = generator.customer()
        body = f"{generator.random.randint(10**8, 10**12)}"
        reference = creditor_reference_for(body)
        position = generator.add_open_item(account, payment_reference=reference)
        amount, currency = generator._signed(position)
        spaced = " ".join(reference[index : index + 4] for index in range(0, len(reference), 4))
        who = generator.payer(account, name_chance=0.7, iban_chance=0.5)
        if generator.random.random() < 0.5:
            generator.add_statement(
                "rf_reference",
                [position],
                amount=amount,
                currency=currency,
                creditor_reference=reference,
                **who,
            )
        else:
            generator.add_statement(
                "rf_reference",
                [position],
                amount=amount,
                currency=currency,
                text=f"Zahlung {spaced}",
                **who,
            )

    def qr_reference(generator: _Generator) -> None:
        account = generator.customer()
        position = generator.add_open_item(account)
        item = generator.open_items[position]
        digits = "".join(character for character in item.document_number if character.isdigit())
        body = digits.rjust(26, "0")
        reference = body + str(qr_check_digit(body))
        generator.replace(position, payment_reference=reference)
        amount, currency = generator._signed(position)
        who = generator.payer(account, name_chance=0.8, iban_chance=0.6)
        if generator.random.random() < 0.5:
            generator.add_statement(
                "qr_reference",
                [position],
                amount=amount,
                currency=currency,
                creditor_reference=reference,
                **who,
            )
        else:
            grouped = (
                reference[:2]
                + " "
                + " ".join(reference[index : index + 5] for index in range(2, 27, 5))
            )
            generator.add_statement(
                "qr_reference", [position], amount=amount, currency=currency, text=grouped, **who
            )

    def name_only(generator: _Generator) -> None:
        account = generator.customer()
        position = generator.add_open_item(account)
        amount, currency = generator._signed(position)
        name = (
            generator.descriptor(account.name)
            if generator.random.random() < 0.2
            else generator.bank_name(account.name)
        )
        text = generator.random.choice(("", "Zahlung", "Danke", "Überweisung", "paiement"))
        generator.add_statement(
            "name_only", [position], amount=amount, currency=currency, name=name, text=text
        )

    def iban_only(generator: _Generator) -> None:
        account = generator.customer()
        position = generator.add_open_item(account)
        amount, currency = generator._signed(position)
        text = generator.random.choice(("", "Zahlung", "Ueberweisung Maerz", "Begleichung"))
        generator.add_statement(
            "iban_only",
            [position],
            amount=amount,
            currency=currency,
            iban=account.ibans[0],
            text=text,
        )

    def combined(generator: _Generator) -> None:
        account = generator.customer()
        count = generator.random.randint(2, 8)
        first = BOOKING_START - timedelta(days=generator.random.randint(20, 50))
        positions = [
            generator.add_open_item(
                account, document_date=first + timedelta(days=generator.random.randint(0, 12))
            )
            for _ in range(count)
        ]
        total = sum(
            (generator.open_items[position].open_amount for position in positions), Decimal(0)
        )
        currency = generator.open_items[positions[0]].currency
        numbers = [generator.open_items[position].document_number for position in positions]
        text = "RE " + " ".join(numbers)
        who = generator.payer(account, iban_chance=0.9)
        generator.add_statement(
            "combined", positions, amount=total, currency=currency, text=text, **who
        )

    def partial(generator: _Generator) -> None:
        fraction = Decimal(generator.random.randint(20, 80)) / 100
        single_paid(
            generator,
            "partial",
            amount_change=lambda amount: (amount * fraction).quantize(Decimal("0.01")),
        )

    def overpayment(generator: _Generator) -> None:
        extra = Decimal(generator.random.randint(1000, 20000)).scaleb(-2)
        single_paid(generator, "overpayment", amount_change=lambda amount: amount + extra)

    def fee_deducted(generator: _Generator) -> None:
        fee = Decimal(generator.random.choice(("5.00", "7.50", "10.00", "12.50", "15.00", "3.85")))
        account = generator.customer()
        position = generator.add_open_item(account, amount=generator._amount() + Decimal(400))
        amount, currency = generator._signed(position)
        who = generator.payer(account)
        text = generator.remittance([generator.open_items[position].document_number], account)
        generator.add_statement(
            "fee_deducted", [position], amount=amount - fee, currency=currency, text=text, **who
        )

    def cash_discount(generator: _Generator) -> None:
        account = generator.customer()
        document_date = BOOKING_START - timedelta(days=generator.random.randint(0, 8))
        position = generator.add_open_item(account, document_date=document_date)
        amount, currency = generator._signed(position)
        percent = generator.random.choice((2, 3))
        discounted = amount - (amount * percent / 100).quantize(Decimal("0.01"))
        who = generator.payer(account)
        text = (
            generator.remittance([generator.open_items[position].document_number], account)
            + f" abzgl. {percent}% Skonto"
        )
        generator.add_statement(
            "cash_discount",
            [position],
            amount=discounted,
            currency=currency,
            booking_date=BOOKING_START + timedelta(days=generator.random.randint(0, 5)),
            text=text,
            **who,
        )

    def transposed_digits(generator: _Generator) -> None:
        account = generator.customer()
        while True:
            position = generator.add_open_item(account)
            digits = str(int(generator.open_items[position].open_amount * 100))
            swap = [
                index
                for index in range(len(digits) - 1)
                if digits[index] != digits[index + 1] and (index > 0 or digits[index + 1] != "0")
            ]
            if swap:
                break
        index = generator.random.choice(swap)
        swapped = digits[:index] + digits[index + 1] + digits[index] + digits[index + 2 :]
        currency = generator.open_items[position].currency
        who = generator.payer(account)
        text = generator.remittance([generator.open_items[position].document_number], account)
        generator.add_statement(
            "transposed_digits",
            [position],
            amount=Decimal(int(swapped)).scaleb(-2),
            currency=currency,
            text=text,
            **who,
        )

    def credit_note_netting(generator: _Generator) -> None:
        account = generator.customer()
        invoice = generator.add_open_item(account, amount=generator._amount() + Decimal(500))
        amount, currency = generator._signed(invoice)
        credit_amount = (amount * Decimal(generator.random.randint(5, 40)) / 100).quantize(
            Decimal("0.01")
        )
        credit = generator.add_open_item(
            account,
            amount=credit_amount,
            credit=True,
            description=f"Gutschrift zu {generator.open_items[invoice].document_number}",
        )
        numbers = [generator.open_items[invoice].document_number]
        if generator.random.random() < 0.6:
            numbers.append(generator.open_items[credit].document_number)
        who = generator.payer(account)
        text = generator.remittance(numbers, account)
        generator.add_statement(
            "credit_note_netting",
            [invoice, credit],
            amount=amount - credit_amount,
            currency=currency,
            text=text,
            **who,
        )

    def _end_to_end(generator: _Generator, prefix: str) -> str:
        generator.end_to_end += 1
        return f"{prefix}{generator.end_to_end:010d}"

    def direct_debit(generator: _Generator) -> None:
        account = generator.customer()
        if not account.mandate:
            account.mandate = f"MNDT-X{generator.end_to_end:07d}"
        end_to_end_id = _end_to_end(generator, "LLDD")
        position = generator.add_open_item(
            account, end_to_end_id=end_to_end_id, mandate_id=account.mandate
        )
        amount, currency = generator._signed(position)
        generator.add_statement(
            "direct_debit",
            [position],
            amount=amount,
            currency=currency,
            name=generator.bank_name(account.name),
            iban=account.ibans[0],
            end_to_end_id=end_to_end_id,
            mandate_id=account.mandate,
            text=f"Lastschrift {generator.open_items[position].document_number}"
            if generator.random.random() < 0.5
            else "SEPA-Lastschrift",
            code="PMNT-RDDT-ESDD",
        )

    def payable_payment(generator: _Generator) -> None:
        account = generator.supplier()
        end_to_end_id = _end_to_end(generator, "LLPAY")
        position = generator.add_open_item(account, end_to_end_id=end_to_end_id)
        amount, currency = generator._signed(position)
        generator.add_statement(
            "payable_payment",
            [position],
            amount=amount,
            currency=currency,
            name=account.name.upper()[:35],
            iban=account.ibans[0],
            end_to_end_id=end_to_end_id,
            text=generator.open_items[position].document_number,
            code="PMNT-ICDT-ESCT",
        )

    def return_pair(generator: _Generator) -> None:
        account = generator.customer()
        mandate = account.mandate or f"MNDT-R{generator.end_to_end:07d}"
        end_to_end_id = _end_to_end(generator, "LLDD")
        position = generator.add_open_item(account, end_to_end_id=end_to_end_id, mandate_id=mandate)
        amount, currency = generator._signed(position)
        collected = generator.booking_date()
        generator.add_statement(
            "return_pair",
            [],
            amount=amount,
            currency=currency,
            booking_date=min(collected, BOOKING_START + timedelta(days=20)),
            name=generator.bank_name(account.name),
            iban=account.ibans[0],
            end_to_end_id=end_to_end_id,
            mandate_id=mandate,
            text=f"Lastschrift {generator.open_items[position].document_number}",
            code="PMNT-RDDT-ESDD",
        )
        fee = Decimal("3.00") if generator.random.random() < 0.5 else Decimal(0)
        style = generator.random.randint(0, 2)
        generator.add_statement(
            "return_pair",
            [],
            amount=-amount - fee,
            currency=currency,
            booking_date=min(collected, BOOKING_START + timedelta(days=20)) + timedelta(days=3),
            name=generator.bank_name(account.name),
            iban=account.ibans[0],
            end_to_end_id=end_to_end_id,
            mandate_id=mandate,
            text=f"RUECKLASTSCHRIFT MD06 {generator.open_items[position].document_number}"
            if style == 0
            else f"Rueckgabe {generator.open_items[position].document_number}",
            code="PMNT-RDDT-UPDD" if style == 1 else "",
            is_reversal=style == 2,
        )

    def lone_return(generator: _Generator) -> None:
        account = generator.customer()
        end_to_end_id = _end_to_end(generator, "LLDD")
        position = generator.add_open_item(account, end_to_end_id=end_to_end_id)
        amount, currency = generator._signed(position)
        generator.add_statement(
            "lone_return",
            [],
            amount=-amount,
            currency=currency,
            name=generator.bank_name(account.name),
            iban=account.ibans[0],
            end_to_end_id=end_to_end_id,
            text=f"RETOURE AC04 {generator.open_items[position].document_number}",
            code="PMNT-RDDT-UPDD",
        )

    def same_amount_two_accounts(generator: _Generator) -> None:
        amount = generator._amount()
        day = generator.booking_date()
        first, second = generator.random.sample(generator.customers, 2)
        for account in (first, second):
            position = generator.add_open_item(account, amount=amount)
            item_amount, currency = generator._signed(position)
            who: _Payer = {
                "name": generator.bank_name(account.name),
                "iban": account.ibans[0] if generator.random.random() < 0.5 else "",
            }
            generator.add_statement(
                "same_amount_two_accounts",
                [position],
                amount=item_amount,
                currency=currency,
                booking_date=day,
                text="Zahlung",
                **who,
            )

    def same_account_twice(generator: _Generator) -> None:
        account = generator.customer()
        amount = generator._amount()
        positions = [generator.add_open_item(account, amount=amount) for _ in range(2)]
        for position in positions:
            item_amount, currency = generator._signed(position)
            text = generator.remittance(
                [generator.open_items[position].document_number],
                account,
                noisy=generator.random.random() < 0.5,
            )
            generator.add_statement(
                "same_account_twice",
                [position],
                amount=item_amount,
                currency=currency,
                text=text,
                **generator.payer(account),
            )

    def duplicate_payment(generator: _Generator) -> None:
        account = generator.customer()
        position = generator.add_open_item(account)
        amount, currency = generator._signed(position)
        text = generator.remittance([generator.open_items[position].document_number], account)
        who = generator.payer(account)
        day = generator.booking_date()
        generator.add_statement(
            "duplicate_payment",
            [position],
            amount=amount,
            currency=currency,
            booking_date=day,
            text=text,
            **who,
        )
        generator.add_statement(
            "duplicate_payment",
            [],
            amount=amount,
            currency=currency,
            booking_date=day + timedelta(days=1),
            text=text,
            **who,
        )

    def fee_or_interest(generator: _Generator) -> None:
        chance = generator.random
        kind = chance.randint(0, 2)
        if kind == 0:
            amount = -Decimal(chance.choice(("4.90", "9.90", "12.50", "15.00", "29.90")))
            text = chance.choice(
                (
                    "Entgelt Kontoführung 03/2024",
                    "Kontofuehrungsgebuehr",
                    "Frais de tenue de compte",
                )
            )
        elif kind == 1:
            amount = Decimal(chance.randint(1, 5000)).scaleb(-2)
            text = chance.choice(("Habenzinsen Q1/2024", "Zinsen", "Intérêts créditeurs"))
        else:
            amount = -Decimal(chance.randint(100, 3000)).scaleb(-2)
            text = "Entgelt Auslandsueberweisung"
        generator.add_statement(
            "fee_or_interest",
            [],
            amount=amount,
            text=text,
            code="ACMT-MDOP-CHRG" if amount < 0 else "ACMT-MDOP-INTR",
        )

    def unknown_payer(generator: _Generator) -> None:
        country = generator.random.choice(list(_COUNTRY_WEIGHTS))
        name = generator._company_name(country)
        amount = generator._amount()
        generator.add_statement(
            "unknown_payer",
            [],
            amount=amount,
            name=generator.bank_name(name),
            iban=generator._iban(country),
            text=generator.random.choice(("Anzahlung Auftrag", "Spende", "Erstattung", "Kaution")),
        )

    def void_and_reissue(generator: _Generator, *, removed: bool = False) -> None:
        account = generator.customer()
        amount = generator._amount()
        voided = generator.add_open_item(account, amount=amount)
        voided_number = generator.open_items[voided].document_number
        later = (generator.open_items[voided].document_date or BOOKING_START) + timedelta(days=3)
        description = (
            f"Neuausstellung zu {voided_number}" if generator.random.random() < 0.6 else ""
        )
        reissue = generator.add_open_item(
            account, amount=amount, document_date=later, description=description
        )
        if removed:
            generator.dropped.add(voided)
        else:
            generator.add_open_item(
                account,
                amount=amount,
                credit=True,
                document_date=later,
                description=f"Storno zu {voided_number}",
            )
        item_amount, currency = generator._signed(reissue)
        text = generator.remittance([voided_number], account)
        generator.add_statement(
            "void_reissue_removed" if removed else "void_and_reissue",
            [reissue],
            amount=item_amount,
            currency=currency,
            text=text,
            **generator.payer(account, iban_chance=0.95),
        )

    def void_reissue_removed(generator: _Generator) -> None:
        void_and_reissue(generator, removed=True)

    def prior_period(generator: _Generator) -> None:
        account = generator.customer()
        position = generator.add_open_item(
            account,
            document_date=date(
                2023, generator.random.randint(1, 11), generator.random.randint(1, 28)
            ),
        )
        amount, currency = generator._signed(position)
        text = generator.remittance(
            [generator.open_items[position].document_number], account, noisy=True
        )
        generator.add_statement(
            "prior_period",
            [position],
            amount=amount,
            currency=currency,
            text=text,
            **generator.payer(account),
        )

    def weekend_due_date(generator: _Generator) -> None:
        account = generator.customer()
        booking = generator.booking_date()
        while booking.weekday() != 0:
            booking += timedelta(days=1)
        position = generator.add_open_item(account, document_date=booking - timedelta(days=32))
        generator.replace(position, due_date=booking - timedelta(days=2))
        amount, currency = generator._signed(position)
        generator.add_statement(
            "weekend_due_date",
            [position],
            amount=amount,
            currency=currency,
            booking_date=booking,
            name=generator.bank_name(account.name),
            iban=account.ibans[0],
            text="Zahlung",
        )

    return {
        "exact_reference": exact_reference,
        "noisy_reference": noisy_reference,
        "truncated_reference": truncated_reference,
        "rf_reference": rf_reference,
        "qr_reference": qr_reference,
        "name_only": name_only,
        "iban_only": iban_only,
        "combined": combined,
        "partial": partial,
        "overpayment": overpayment,
        "fee_deducted": fee_deducted,
        "cash_discount": cash_discount,
        "transposed_digits": transposed_digits,
        "credit_note_netting": credit_note_netting,
        "direct_debit": direct_debit,
        "payable_payment": payable_payment,
        "return_pair": return_pair,
        "lone_return": lone_return,
        "same_amount_two_accounts": same_amount_two_accounts,
        "same_account_twice": same_account_twice,
        "duplicate_payment": duplicate_payment,
        "fee_or_interest": fee_or_interest,
        "unknown_payer": unknown_payer,
        "void_and_reissue": void_and_reissue,
        "void_reissue_removed": void_reissue_removed,
        "prior_period": prior_period,
        "weekend_due_date": weekend_due_date,
    }


CASES = _case_functions()


def generate_dataset(
    *,
    statement_items: int = 1000,
    open_items: int = 1300,
    seed: int = 20240301,
    difficulty: float = 0.5,
    mix: Mapping[str, float] | None = None,
) -> Dataset:
    """Generate about `statement_items` statement items and `open_items` open items.

    `difficulty` (0..1) raises name mangling and noise; `mix` weights the cases (see
    `CASE_WEIGHTS`; unknown names raise `KeyError`). Open items not paid by any statement item
    are added to reach `open_items` (the never-paid background every ledger has); when the
    cases alone need more, there are more. The same arguments give the same data.
    """
    weights = dict(mix if mix is not None else CASE_WEIGHTS)
    for case in weights:
        if case not in CASES:
            raise KeyError(f"unknown case {case!r}")
    generator = _Generator(seed, difficulty)
    generator.make_accounts(max(60, open_items // 8))
    names = sorted(case for case, weight in weights.items() if weight > 0)
    case_weights = [weights[name] for name in names]
    while len(generator.statements) < statement_items:
        CASES[generator.random.choices(names, case_weights)[0]](generator)
    while len(generator.open_items) - len(generator.dropped) < open_items:
        account = generator.random.choice(generator.accounts)
        generator.add_open_item(account)
    # Cancelled invoices that the ledger no longer lists as open are left out.
    kept = tuple(
        item
        for position, item in enumerate(generator.open_items)
        if position not in generator.dropped
    )
    return Dataset(tuple(generator.statements), kept, dict(generator.truth))
