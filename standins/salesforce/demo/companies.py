"""Made-up but plausible companies of five countries: names with their legal forms, addresses,
phone numbers and banks."""

import random
from dataclasses import dataclass


@dataclass(frozen=True)
class Bank:
    name: str
    code: str  # the national bank code in the IBAN
    bic: str


@dataclass(frozen=True)
class Country:
    code: str
    name: str
    phone_prefix: str
    currency: str
    weight: int
    family_names: tuple[str, ...]
    trades: tuple[str, ...]
    legal_forms: tuple[tuple[str, int], ...]
    cities: tuple[tuple[str, str], ...]  # (city, first digits of its postal codes)
    streets: tuple[str, ...]
    banks: tuple[Bank, ...]
    # How a name is put together: {family} {trade} {form}, or {trade} {family} {form}.
    trade_first: bool = False


COUNTRIES = (
    Country(
        code="DE",
        name="Germany",
        phone_prefix="+49",
        currency="EUR",
        weight=45,
        family_names=(
            "Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker",
            "Schulz", "Hoffmann", "Koch", "Richter", "Klein", "Wolf", "Schröder", "Neumann",
            "Schwarz", "Braun", "Hofmann", "Zimmermann", "Hartmann", "Krüger", "Lange", "Krause",
            "Brandt", "Vogel", "Friedrich", "Keller", "Günther", "Frank", "Berger", "Winkler",
        ),
        trades=(
            "Maschinenbau", "Logistik", "Elektrotechnik", "Metallbau", "Kunststofftechnik",
            "Verpackungen", "Lebensmittel", "Bauelemente", "Antriebstechnik", "Medizintechnik",
            "Holzbau", "Druckerei", "Feinmechanik", "Anlagenbau", "Handelsgesellschaft",
            "Haustechnik", "Industriebedarf", "Fahrzeugteile", "Glasbau", "Umwelttechnik",
        ),
        legal_forms=(
            ("GmbH", 55), ("GmbH & Co. KG", 15), ("AG", 8), ("KG", 10), ("e.K.", 5), ("OHG", 7),
        ),
        cities=(
            ("München", "80"), ("Hamburg", "20"), ("Berlin", "10"), ("Köln", "50"),
            ("Frankfurt am Main", "60"), ("Stuttgart", "70"), ("Düsseldorf", "40"),
            ("Nürnberg", "90"), ("Leipzig", "04"), ("Hannover", "30"), ("Bremen", "28"),
            ("Dortmund", "44"), ("Augsburg", "86"), ("Freiburg im Breisgau", "79"),
            ("Regensburg", "93"), ("Bielefeld", "33"),
        ),
        streets=(
            "Hauptstraße", "Industriestraße", "Bahnhofstraße", "Gewerbering", "Am Hafen",
            "Lindenallee", "Schillerstraße", "Gutenbergstraße", "Robert-Bosch-Straße",
            "Max-Planck-Straße", "Im Gewerbepark", "Siemensstraße",
        ),
        banks=(
            Bank("Stadtsparkasse Nordufer", "37050198", "NORSDE33XXX"),
            Bank("Volksbank Mittelland", "70090100", "GENODEF1MLD"),
            Bank("Handelsbank Süd", "76010085", "HBSUDEMMXXX"),
            Bank("Rheinische Gewerbebank", "30020900", "RGEBDEDDXXX"),
        ),
    ),
    Country(
        code="AT",
        name="Austria",
        phone_prefix="+43",
        currency="EUR",
        weight=15,
        family_names=(
            "Gruber", "Huber", "Bauer", "Wagner", "Pichler", "Steiner", "Moser", "Mayer",
            "Hofer", "Leitner", "Berger", "Fuchs", "Eder", "Fischer", "Schmid", "Winkler",
        ),
        trades=(
            "Holzindustrie", "Stahlbau", "Elektro", "Transporte", "Bauunternehmung",
            "Handelsgesellschaft", "Kältetechnik", "Maschinen", "Sanitär", "Getränke",
        ),
        legal_forms=(("GmbH", 65), ("AG", 10), ("KG", 12), ("OG", 8), ("e.U.", 5)),
        cities=(
            ("Wien", "1"), ("Graz", "80"), ("Linz", "40"), ("Salzburg", "50"),
            ("Innsbruck", "60"), ("Klagenfurt", "90"), ("St. Pölten", "31"),
        ),
        streets=(
            "Hauptplatz", "Mariahilfer Straße", "Industriezeile", "Landstraße", "Gewerbepark",
            "Bahnhofgürtel", "Wiener Straße",
        ),
        banks=(
            Bank("Alpenländische Sparkasse", "20111", "ALSPATWWXXX"),
            Bank("Raiffeisen Donautal", "34000", "RDTLAT2LXXX"),
            Bank("Tiroler Handelsbank", "16000", "TIHBAT2IXXX"),
        ),
    ),
    Country(
        code="CH",
        name="Switzerland",
        phone_prefix="+41",
        currency="CHF",
        weight=12,
        family_names=(
            "Meier", "Keller", "Brunner", "Baumann", "Frei", "Zimmermann", "Gerber", "Widmer",
            "Favre", "Rochat", "Bernasconi", "Rossi", "Suter", "Graf", "Kunz", "Lüthi",
        ),
        trades=(
            "Präzisionstechnik", "Uhrenkomponenten", "Pharma Logistik", "Informatik",
            "Maschinenfabrik", "Chocolatier", "Medtech", "Ingenieurbüro", "Textil", "Optik",
        ),
        legal_forms=(("AG", 50), ("GmbH", 35), ("SA", 10), ("Sàrl", 5)),
        cities=(
            ("Zürich", "80"), ("Basel", "40"), ("Bern", "30"), ("Genève", "12"),
            ("Lausanne", "10"), ("Luzern", "60"), ("St. Gallen", "90"), ("Winterthur", "84"),
        ),
        streets=(
            "Bahnhofstrasse", "Seestrasse", "Industriestrasse", "Rue du Rhône",
            "Dorfstrasse", "Rue de Lausanne", "Hauptstrasse",
        ),
        banks=(
            Bank("Zürcher Gewerbebank", "00700", "ZGWBCHZZXXX"),
            Bank("Banque Lémanique", "00767", "BLMNCHGGXXX"),
            Bank("Kantonalbank Mittelland", "00790", "KBMLCH22XXX"),
        ),
    ),
    Country(
        code="FR",
        name="France",
        phone_prefix="+33",
        currency="EUR",
        weight=15,
        family_names=(
            "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand",
            "Leroy", "Moreau", "Simon", "Laurent", "Lefèvre", "Michel", "Garnier", "Fournier",
        ),
        trades=(
            "Emballages", "Transports", "Distribution", "Mécanique", "Électricité",
            "Agroalimentaire", "Matériaux", "Industries", "Conseil", "Plastiques",
        ),
        legal_forms=(("SAS", 45), ("SARL", 35), ("SA", 12), ("EURL", 8)),
        cities=(
            ("Paris", "75"), ("Lyon", "69"), ("Marseille", "13"), ("Toulouse", "31"),
            ("Strasbourg", "67"), ("Lille", "59"), ("Nantes", "44"), ("Bordeaux", "33"),
            ("Mulhouse", "68"),
        ),
        streets=(
            "Rue de la République", "Avenue Jean Jaurès", "Rue Victor Hugo", "Boulevard Pasteur",
            "Rue du Commerce", "Zone Industrielle Nord", "Rue de l'Industrie",
        ),
        banks=(
            Bank("Crédit Régional de l'Est", "30003", "CRESFRPPXXX"),
            Bank("Banque du Rhône", "10278", "BDRHFRPPLYO"),
            Bank("Caisse Atlantique", "14505", "CATLFR2NXXX"),
        ),
        trade_first=True,
    ),
    Country(
        code="NL",
        name="Netherlands",
        phone_prefix="+31",
        currency="EUR",
        weight=13,
        family_names=(
            "de Jong", "Jansen", "de Vries", "van den Berg", "van Dijk", "Bakker", "Visser",
            "Smit", "Meijer", "de Boer", "Mulder", "de Groot", "Bos", "Vos", "Peters", "Hendriks",
        ),
        trades=(
            "Techniek", "Logistiek", "Installatietechniek", "Handelsonderneming", "Bouw",
            "Verpakkingen", "Metaalbewerking", "Transport", "Kunststoffen", "Groothandel",
        ),
        legal_forms=(("B.V.", 75), ("N.V.", 8), ("V.O.F.", 17)),
        cities=(
            ("Amsterdam", "10"), ("Rotterdam", "30"), ("Utrecht", "35"), ("Eindhoven", "56"),
            ("Den Haag", "25"), ("Groningen", "97"), ("Tilburg", "50"), ("Arnhem", "68"),
        ),
        streets=(
            "Hoofdstraat", "Industrieweg", "Kerkstraat", "Havenweg", "Stationsplein",
            "Nijverheidsweg", "Dorpsstraat",
        ),
        banks=(
            Bank("Polderbank", "PLDB", "PLDBNL2AXXX"),
            Bank("Nederlandse Handelsbank", "NHBK", "NHBKNL2RXXX"),
            Bank("Coöperatieve Kustbank", "KUST", "KUSTNL2UXXX"),
        ),
    ),
)  # fmt: skip


@dataclass(frozen=True)
class Company:
    name: str
    country: Country
    street: str
    postal_code: str
    city: str
    phone: str


def _weighted(rng: random.Random, choices: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([value for value, _ in choices], [weight for _, weight in choices])[0]


def _postal_code(country: Country, prefix: str, rng: random.Random) -> str:
    if country.code == "NL":
        letters = "ABCDEFGHJKLMNPRSTVWXZ"
        return f"{prefix}{rng.randrange(10, 99)} {rng.choice(letters)}{rng.choice(letters)}"
    length = {"DE": 5, "FR": 5, "AT": 4, "CH": 4}[country.code]
    return prefix + "".join(str(rng.randrange(10)) for _ in range(length - len(prefix)))


def company(rng: random.Random, country: Country, taken: set[str]) -> Company:
    """A company of ``country`` whose name is not in ``taken`` (which it joins).

    The name parts run out after a few thousand companies per country; then a branch city, and if
    need be a number, tells namesakes apart, so large orgs never loop.
    """
    for _attempt in range(30):
        family = rng.choice(country.family_names)
        trade = rng.choice(country.trades)
        form = _weighted(rng, country.legal_forms)
        if country.trade_first:
            name = f"{trade} {family} {form}"
        elif rng.random() < 0.2:
            partner = rng.choice(country.family_names)
            name = f"{family} & {partner} {trade} {form}" if partner != family else ""
        else:
            name = f"{family} {trade} {form}"
        if name and name not in taken:
            break
    else:
        branch = f"{name or f'{family} {trade} {form}'} {rng.choice(country.cities)[0]}"
        name, number = branch, 2
        while name in taken:
            name, number = f"{branch} {number}", number + 1
    taken.add(name)
    city, prefix = rng.choice(country.cities)
    number = rng.randrange(1, 180)
    street = rng.choice(country.streets)
    address = f"{number} {street}" if country.code == "FR" else f"{street} {number}"
    return Company(
        name=name,
        country=country,
        street=address,
        postal_code=_postal_code(country, prefix, rng),
        city=city,
        phone=f"{country.phone_prefix} {rng.randrange(20, 99)} {rng.randrange(1000000, 9999999)}",
    )


def pick_country(rng: random.Random) -> Country:
    return rng.choices(COUNTRIES, [country.weight for country in COUNTRIES])[0]
