"""The Spanish translation.

- The catalogue (peelian/locale/es/LC_MESSAGES/django.po) is complete: every entry
  translated, nothing fuzzy, placeholders and HTML tags kept, and the compiled .mo matches it.
- It is current: every string the templates and the Python code mark for translation is in
  it (what ``makemessages`` would collect).
- The public pages, the staff pages and the error pages answer in Spanish under ``/es/``,
  with no English string of the catalogue left on them.
- The API answers in Spanish when the client asks for it with ``Accept-Language: es``.
"""

from __future__ import annotations

import ast
import gettext as gettext_module
import html
import os
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import translation
from django.utils.translation import trim_whitespace
from rest_framework import exceptions

from peelian.core.registry import registry
from peelian.core.strategies import STRATEGIES

PACKAGE_DIR = Path(__file__).resolve().parents[2]  # .../peelian (the package)
PO = PACKAGE_DIR / "locale" / "es" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")
MAKE_MESSAGES = "run `make messages` (or `cd peelian && ../.venv/bin/peelian compilemessages`)"


# --- reading the catalogue --------------------------------------------------------------------


@dataclass
class Entry:
    msgid: str
    context: str | None = None
    plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)

    @property
    def key(self) -> tuple[str | None, str, str | None]:
        return (self.context, self.msgid, self.plural)


_ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}


def _unquote(text: str) -> str:
    text = text.strip()
    assert text.startswith('"'), text
    assert text.endswith('"'), text
    return re.sub(r"\\(.)", lambda m: _ESCAPES[m.group(1)], text[1:-1])


def parse_po(text: str) -> list[Entry]:
    """The entries of a PO file (the header is the entry with an empty msgid)."""
    entries = []
    for block in re.split(r"\n[ \t]*\n", text.strip()):
        if not block.strip():
            continue
        entry = Entry(msgid="")
        target: tuple[str, int] = ("msgid", 0)
        for line in block.splitlines():
            if not line.strip():
                continue
            if line.startswith("#,"):
                entry.flags |= {f.strip() for f in line[2:].split(",") if f.strip()}
            elif line.startswith("#"):
                continue
            elif line.startswith("msgctxt "):
                target, entry.context = ("context", 0), _unquote(line[8:])
            elif line.startswith("msgid_plural "):
                target, entry.plural = ("plural", 0), _unquote(line[13:])
            elif line.startswith("msgid "):
                target, entry.msgid = ("msgid", 0), _unquote(line[6:])
            elif line.startswith("msgstr["):
                n = int(line[7 : line.index("]")])
                target = ("msgstr", n)
                entry.msgstr[n] = _unquote(line[line.index("]") + 1 :])
            elif line.startswith("msgstr "):
                target = ("msgstr", 0)
                entry.msgstr[0] = _unquote(line[7:])
            else:
                what, n = target
                if what == "msgstr":
                    entry.msgstr[n] += _unquote(line)
                else:
                    setattr(entry, what, getattr(entry, what) + _unquote(line))
        entries.append(entry)
    return entries


def catalogue() -> tuple[Entry, list[Entry]]:
    entries = parse_po(PO.read_text(encoding="utf-8"))
    header = [e for e in entries if e.msgid == "" and e.context is None]
    assert len(header) == 1, "the catalogue has no header entry"
    return header[0], [e for e in entries if e is not header[0]]


NAMED_PLACEHOLDER = re.compile(r"%\([^)]+\)[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]")
HTML_TAG = re.compile(r"</?[a-zA-Z][^>]*>")


# --- 1. complete -------------------------------------------------------------------------------


def test_msgfmt_counts_no_untranslated_and_no_fuzzy_entries():
    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        pytest.skip("msgfmt (GNU gettext) is not installed: apt-get install gettext")
    result = subprocess.run(  # noqa: S603  # a fixed command on the project's own file
        [msgfmt, "--check", "--statistics", "-o", os.devnull, str(PO)],
        capture_output=True,
        text=True,
        env={**os.environ, "LC_ALL": "C", "LANGUAGE": ""},
        check=False,
    )
    assert result.returncode == 0, result.stderr
    counts = {
        kind: int(m.group(1)) if (m := re.search(rf"(\d+) {kind}", result.stderr)) else 0
        for kind in ("translated", "fuzzy", "untranslated")
    }
    assert counts["translated"] > 0, result.stderr
    assert counts["fuzzy"] == 0, result.stderr
    assert counts["untranslated"] == 0, result.stderr


def test_header_declares_spanish_plurals_and_utf8():
    header, entries = catalogue()
    fields = dict(line.split(": ", 1) for line in header.msgstr[0].splitlines() if line)
    assert fields["Language"] == "es"
    assert fields["Plural-Forms"] == "nplurals=2; plural=(n != 1);"
    assert fields["Content-Type"] == "text/plain; charset=UTF-8"
    assert "fuzzy" not in header.flags
    assert len(entries) > 300  # every app's strings, not a stub


def test_every_entry_is_translated_and_keeps_placeholders_and_tags():
    _header, entries = catalogue()
    problems = []
    for e in entries:
        label = f"{e.context + ' | ' if e.context else ''}{e.msgid[:70]!r}"
        if "fuzzy" in e.flags:
            problems.append(f"{label}: fuzzy")
        expected_forms = [0, 1] if e.plural is not None else [0]
        if sorted(e.msgstr) != expected_forms:
            problems.append(f"{label}: forms {sorted(e.msgstr)}, expected {expected_forms}")
            continue
        for n, text in e.msgstr.items():
            source = e.plural if (n > 0 and e.plural is not None) else e.msgid
            if not text.strip():
                problems.append(f"{label}: empty msgstr[{n}]")
                continue
            if "python-format" in e.flags:
                want = set(NAMED_PLACEHOLDER.findall(source))
                got = set(NAMED_PLACEHOLDER.findall(text))
                # The singular may leave out the count ("this code" for n = 1).
                if got != want and not (n == 0 and e.plural is not None and got < want):
                    problems.append(f"{label}: placeholders {sorted(got)} != {sorted(want)}")
            if sorted(HTML_TAG.findall(text)) != sorted(HTML_TAG.findall(source)):
                problems.append(f"{label}: HTML tags differ")
    assert not problems, "\n".join(problems)


def test_terms_follow_the_glossary():
    """The agreed Spanish for the recurring terms (a wrong or drifting term here would
    confuse readers across pages)."""
    _header, entries = catalogue()
    es = {(e.context, e.msgid): e.msgstr[0] for e in entries}
    glossary = {
        "beat": "sector",
        "district": "distrito",
        "officer": "agente",
        "Audit log": "Registro de auditoría",
        "Open data": "Datos abiertos",
        "Recovery codes": "Códigos de recuperación",
        "Two-factor check": "Verificación en dos pasos",
        "Asian / Pacific Islander": "Asiático / isleño del Pacífico",
        "Black": "Negro",
        "Hispanic": "Hispano",
        "White": "Blanco",
        "Other": "Otro",
        "Unknown": "Desconocido",
    }
    for msgid, spanish in glossary.items():
        assert es[(None, msgid)] == spanish, msgid
    assert "junta de revisión civil" in es[(None, "Civilian review board member")]
    assert es[(None, "Sign-in locked")] == "Inicio de sesión bloqueado"
    assert es[("switch the page language", "Change")] == "Cambiar"
    for (_ctx, msgid), spanish in es.items():
        assert "dos factores" not in spanish.lower(), msgid  # verificación en dos pasos


def assert_compiled_catalogue_is_current() -> None:
    assert MO.is_file(), f"{MO} is missing: {MAKE_MESSAGES}"
    with MO.open("rb") as f:
        compiled = gettext_module.GNUTranslations(f)._catalog  # type: ignore[attr-defined]
    _header, entries = catalogue()
    stale = []
    for e in entries:
        msgid = f"{e.context}\x04{e.msgid}" if e.context is not None else e.msgid
        if e.plural is None:
            ok = compiled.get(msgid) == e.msgstr[0]
        else:
            ok = all(compiled.get((msgid, n)) == text for n, text in e.msgstr.items())
        if not ok:
            stale.append(e.msgid[:70])
    assert not stale, f"the .mo is older than the .po ({MAKE_MESSAGES}): {stale[:10]}"


def test_the_compiled_catalogue_matches_the_po_file():
    assert_compiled_catalogue_is_current()


# --- 2. current --------------------------------------------------------------------------------

TRANSLATE_TAG = re.compile(
    r"""{%-?\s*(?:translate|trans)\s+(?P<q>["'])(?P<msg>.*?)(?P=q)(?P<rest>[^%]*?)-?%}""",
    re.DOTALL,
)
UNDERSCORE_LITERAL = re.compile(r"""\b_\((?P<q>["'])(?P<msg>.*?)(?P=q)\)""")
BLOCK_TAG = re.compile(
    r"{%\s*blocktrans(?:late)?\b(?P<args>.*?)%}(?P<body>.*?){%\s*endblocktrans(?:late)?\s*%}",
    re.DOTALL,
)
PLURAL_TAG = re.compile(r"{%\s*plural\s*%}")
CONTEXT_ARG = re.compile(r"""\bcontext\s+(?P<q>["'])(?P<ctx>.*?)(?P=q)""")
TEMPLATE_VAR = re.compile(r"{{\s*(\w+)\s*}}")


def template_messages() -> set[tuple[str | None, str, str | None]]:
    """(context, msgid, plural) of every literal translatable string in the templates,
    computed the way Django's makemessages does (``%`` doubled, ``{{ x }}`` as
    ``%(x)s``)."""
    found: set[tuple[str | None, str, str | None]] = set()
    templates = [p for p in PACKAGE_DIR.glob("**/templates/**/*.html") if "tests" not in p.parts]
    assert templates
    for path in templates:
        source = path.read_text(encoding="utf-8")
        for m in TRANSLATE_TAG.finditer(source):
            ctx = CONTEXT_ARG.search(m.group("rest"))
            found.add((ctx.group("ctx") if ctx else None, m.group("msg").replace("%", "%%"), None))
        for m in UNDERSCORE_LITERAL.finditer(source):
            found.add((None, m.group("msg").replace("%", "%%"), None))
        for m in BLOCK_TAG.finditer(source):
            args = m.group("args")
            ctx = CONTEXT_ARG.search(args)
            parts = []
            for part in PLURAL_TAG.split(m.group("body")):
                text = TEMPLATE_VAR.sub(r"%(\1)s", part.replace("%", "%%"))
                parts.append(trim_whitespace(text) if "trimmed" in args.split() else text)
            plural = parts[1] if len(parts) > 1 else None
            found.add((ctx.group("ctx") if ctx else None, parts[0], plural))
    return found


def test_every_template_string_is_in_the_catalogue():
    _header, entries = catalogue()
    known = {e.key for e in entries}
    wanted = template_messages()
    assert len(wanted) > 100
    missing = sorted(wanted - known, key=str)
    assert not missing, (
        "strings in the templates that the catalogue lacks (run makemessages, then translate "
        f"them): {missing[:15]}"
    )


SOURCE_SUFFIXES = (".py", ".html", ".txt")  # what makemessages reads for the django domain


def _copy_sources(target: Path) -> None:
    """The package's translatable sources, without its tests and without any ``locale``
    folder: makemessages writes into every ``locale`` folder it walks past, and the
    project's catalogue must not be touched by a test."""

    def ignore(directory: str, names: list[str]) -> set[str]:
        skipped = set()
        for name in names:
            path = Path(directory) / name
            if path.is_dir():
                if name in ("locale", "tests", "__pycache__", "static"):
                    skipped.add(name)
            elif not name.endswith(SOURCE_SUFFIXES):
                skipped.add(name)
        return skipped

    shutil.copytree(PACKAGE_DIR, target, ignore=ignore)


def test_the_catalogue_has_everything_makemessages_collects(tmp_path, monkeypatch):
    """Run ``makemessages`` over a copy of the package's sources into a scratch locale
    folder and compare: the strings of the Python code are checked too."""
    if shutil.which("xgettext") is None or shutil.which("msguniq") is None:
        pytest.skip("xgettext (GNU gettext) is not installed: apt-get install gettext")
    _copy_sources(tmp_path / "peelian")
    scratch_locale = tmp_path / "locale"
    scratch_locale.mkdir()
    before = PO.read_bytes()
    monkeypatch.chdir(tmp_path)
    with override_settings(LOCALE_PATHS=[str(scratch_locale)]):
        call_command("makemessages", locale=["es"], no_obsolete=True, verbosity=0)
    assert PO.read_bytes() == before
    fresh = scratch_locale / "es" / "LC_MESSAGES" / "django.po"
    collected = {e.key for e in parse_po(fresh.read_text(encoding="utf-8")) if e.msgid}
    assert len(collected) > 300
    _header, entries = catalogue()
    missing = sorted(collected - {e.key for e in entries}, key=str)
    assert not missing, (
        "marked strings that the Spanish catalogue lacks (run `makemessages -l es "
        f"--no-obsolete --ignore 'tests/*' --ignore '*/tests/*'`, then translate): {missing[:15]}"
    )


GETTEXT_NAMES = frozenset(
    {"_", "gettext", "gettext_lazy", "ngettext", "ngettext_lazy", "pgettext", "pgettext_lazy"}
)


def test_no_gettext_call_hides_inside_an_f_string():
    """xgettext does not read inside f-strings, so a string marked only in
    ``f"{_('x')}"`` is never collected and stays English: call gettext outside the f-string
    (one that is also marked elsewhere is in the catalogue and works)."""
    _header, entries = catalogue()
    known = {e.msgid for e in entries}
    hidden = []
    for path in PACKAGE_DIR.glob("**/*.py"):
        if {"tests", "migrations"} & set(path.parts):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if not isinstance(node, ast.JoinedStr):
                continue
            for inner in ast.walk(node):
                if (
                    isinstance(inner, ast.Call)
                    and isinstance(inner.func, ast.Name)
                    and inner.func.id in GETTEXT_NAMES
                    and inner.args
                    and isinstance(inner.args[0], ast.Constant)
                    and inner.args[0].value not in known
                ):
                    where = f"{path.relative_to(PACKAGE_DIR)}:{inner.lineno}"
                    hidden.append(f"{where} {inner.args[0].value!r}")
    assert not hidden, f"strings marked only inside f-strings: {sorted(set(hidden))}"


# --- 3. the pages in Spanish -------------------------------------------------------------------


class _Text(HTMLParser):
    """The text a person meets on a page: text nodes and the attributes that are read out."""

    SPOKEN = frozenset({"aria-label", "title", "alt", "placeholder", "data-menu-label"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.chunks: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self.skip += 1
        self.chunks.extend(v for k, v in attrs if k in self.SPOKEN and v)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self.skip -= 1

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.chunks.append(data)


def page_text(content: str) -> str:
    parser = _Text()
    parser.feed(content)
    return re.sub(r"\s+", " ", html.unescape(" ".join(parser.chunks)))


def english_leftovers(text: str) -> list[str]:
    """English strings of the catalogue, with a different Spanish translation, that appear
    on the page: a string rendered before the language was chosen (``gettext`` at import
    time instead of ``gettext_lazy``), or one not marked for translation at all."""
    _header, entries = catalogue()
    leftovers = []
    for e in entries:
        for n, english in enumerate([e.msgid, e.plural]):
            if not english or " " not in english.strip() or "%" in english or "<" in english:
                continue
            spanish = e.msgstr.get(n, e.msgstr[0])
            if spanish != english and re.sub(r"\s+", " ", english) in text:
                leftovers.append(english)
    return leftovers


FRAME_SPANISH = [
    "Saltar al contenido principal",
    "Confianza pública, con transparencia",
    "Idioma",
    "Cambiar",
    "Datos abiertos",
    "Estadísticas",
    "Participación comunitaria",
    "Transparencia y rendición de cuentas",
    "Escuchar a la comunidad",
    "Paquete de datos (JSON)",
    "Documentación de la API",
    "Inicio de sesión del personal",
    "Hecho con Peelian, software de código abierto",
]
FRAME_ENGLISH = [
    "Skip to main content",
    "Public trust, in the open",
    "Open data",
    "Statistics",
    "Community engagement",
    "Staff sign-in",
    "Built with Peelian",
]


@pytest.fixture
def spanish_catalogue() -> None:
    """The page tests need the compiled catalogue, and the one that matches the .po."""
    assert_compiled_catalogue_is_current()


@pytest.fixture
def small_city(db):
    """One district with two beats and a street, so /districts/ shows its map and table and
    can look up an address."""
    from peelian.agency.geo import invalidate_beat_index, normalise_street
    from peelian.agency.tests.factories import (
        AgencyFactory,
        BeatFactory,
        DistrictFactory,
        StreetSegmentFactory,
        rectangle,
    )

    invalidate_beat_index()
    agency = AgencyFactory(name="Test City Police", slug="test-city")
    district = DistrictFactory(
        agency=agency, code="1", name="West", boundary=rectangle(-98.04, 38.48, -98.0, 38.52)
    )
    BeatFactory(
        district=district,
        code="11",
        name="Southwest",
        boundary=rectangle(-98.04, 38.48, -98.0, 38.5),
        population=1200,
        population_by_race={"black": 600, "white": 600},
    )
    BeatFactory(
        district=district,
        code="12",
        name="Northwest",
        boundary=rectangle(-98.04, 38.5, -98.0, 38.52),
    )
    StreetSegmentFactory(
        agency=agency,
        street="N Oak Ave",
        street_key=normalise_street("N Oak Ave"),
        from_number=100,
        to_number=198,
        start_lat=38.501,
        start_lng=-98.01,
        end_lat=38.506,
        end_lng=-98.01,
    )
    yield agency
    invalidate_beat_index()


def _get_spanish(client, path: str, status: int = 200) -> tuple[str, str]:
    response = client.get(path)
    assert response.status_code == status, (path, response.status_code)
    content = response.content.decode()
    assert '<html lang="es"' in content, path
    return content, page_text(content)


PUBLIC_PAGES = {
    "/es/": ["Ganarse la confianza del público, con transparencia", "Lo que estamos haciendo"],
    "/es/open-data/": [
        "Los archivos CSV están en UTF-8",
        "Regla de privacidad",
        "Distritos y sectores",
        "Diccionario de datos (",
    ],
    "/es/statistics/": [
        "Cada cifra que publicamos",
        "¿El personal policial refleja a la población de la ciudad?",
        "Método",
        "Incertidumbre",
    ],
    "/es/districts/": [
        "Distritos y sectores",
        "La ciudad tiene 1 distrito policial,",
        "con un total de 2 sectores de patrullaje.",
        "Buscar mi sector",
        "Sectores por distrito",
        "Distrito 1: West",
        # Spanish groups thousands with a no-break space (a plain space in page_text).
        "Sector 11 (Southwest), distrito 1: 1,200 residentes",
    ],
    "/es/staff/login/": [
        "Inicio de sesión del personal",
        "Continuar",
        "Nombre de usuario",
        "Contraseña",
    ],
}


@pytest.mark.usefixtures("spanish_catalogue", "small_city")
@pytest.mark.parametrize("path", list(PUBLIC_PAGES))
def test_public_pages_are_in_spanish(client, path):
    _content, text = _get_spanish(client, path)
    for spanish in FRAME_SPANISH + PUBLIC_PAGES[path]:
        assert spanish in text, (path, spanish)
    for english in FRAME_ENGLISH:
        assert english not in text, (path, english)
    assert english_leftovers(text) == [], path


@pytest.mark.usefixtures("spanish_catalogue", "small_city")
def test_every_strategy_and_statistic_page_is_in_spanish(client):
    paths = [f"/es/strategies/{s.slug}/" for s in STRATEGIES]
    paths += [f"/es/statistics/{slug}/" for slug in registry.statistics]
    assert len(paths) > len(STRATEGIES)
    for path in paths:
        _content, text = _get_spanish(client, path)
        assert "Saltar al contenido principal" in text, path
        assert english_leftovers(text) == [], path
    _content, text = _get_spanish(client, "/es/strategies/transparency/")
    assert "Estrategia 2 de 8" in text
    assert "Lo que puede hacer y ver" in text


@pytest.mark.usefixtures("spanish_catalogue", "small_city")
def test_find_my_beat_answers_in_spanish(client):
    _content, text = _get_spanish(client, "/es/districts/?address=150+N+Oak+Ave")
    assert "está en el sector 12 (Northwest), distrito 1 (West)." in text
    assert "Coincide con los números 100 a 198 de N Oak Ave" in text
    # A message from the Python code (agency/geo.py), in the form's language.
    _content, text = _get_spanish(client, "/es/districts/?address=Oak")
    assert "Empiece la dirección con el número de casa, por ejemplo: 1234 N Oak Ave." in text
    assert english_leftovers(text) == []


@pytest.mark.usefixtures("spanish_catalogue")
def test_the_error_page_is_in_spanish(client):
    _content, text = _get_spanish(client, "/es/no-such-page/", status=404)
    assert "Página no encontrada" in text
    assert "Ir a la página de inicio" in text
    assert "Page not found" not in text
    assert english_leftovers(text) == []


@pytest.mark.usefixtures("spanish_catalogue", "small_city")
def test_staff_pages_are_in_spanish(client, make_user, login):
    login(client, make_user("supervisor", username="sarge"))
    _content, text = _get_spanish(client, "/es/staff/")
    assert "Espacio de trabajo del personal" in text
    assert "Sesión iniciada como sarge." in text
    assert "Supervisor(a)" in text
    assert "Cerrar sesión (sarge)" in text
    assert english_leftovers(text) == []
    _content, text = _get_spanish(client, "/es/staff/security/")
    for spanish in ("Su seguridad", "Códigos de recuperación", "Token de API", "Contraseña actual"):
        assert spanish in text
    assert english_leftovers(text) == []


# --- 4. the API ----------------------------------------------------------------------------


@pytest.mark.usefixtures("spanish_catalogue")
def test_api_errors_follow_accept_language(api_client):
    with translation.override("es"):
        spanish = str(exceptions.NotAuthenticated.default_detail)
    with translation.override("en"):
        english = str(exceptions.NotAuthenticated.default_detail)
    assert spanish != english  # Django REST framework ships a Spanish catalogue

    response = api_client.get("/api/v1/me/", HTTP_ACCEPT_LANGUAGE="es-MX,es;q=0.9,en;q=0.5")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"
    assert response.json()["error"]["message"] == spanish
    assert response["Content-Language"] == "es"
    assert "Accept-Language" in response["Vary"]

    response = api_client.get("/api/v1/me/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.json()["error"]["message"] == english
    # No preference, or a language the site does not offer: English.
    assert api_client.get("/api/v1/me/").json()["error"]["message"] == english
    response = api_client.get("/api/v1/me/", HTTP_ACCEPT_LANGUAGE="fr")
    assert response.json()["error"]["message"] == english


@pytest.mark.usefixtures("spanish_catalogue", "small_city")
def test_api_messages_of_our_own_are_in_spanish(api_client):
    es = {"HTTP_ACCEPT_LANGUAGE": "es"}
    body = api_client.get("/api/v1/no-such-endpoint/", **es).json()
    assert body["error"]["message"] == "No existe ese punto de acceso de la API."
    body = api_client.get("/api/v1/catalogue/statistics/no-such-statistic/", **es).json()
    assert body["error"]["message"] == "No hay ninguna estadística con ese nombre."
    body = api_client.get("/api/v1/agency/locate/", {"address": "Oak"}, **es).json()
    assert body["error"]["code"] == "address_unparseable"
    assert body["error"]["message"].startswith("Empiece la dirección con el número de casa")
    results = api_client.get("/api/v1/catalogue/statistics/", **es).json()["results"]
    assert "¿El personal policial refleja a la población de la ciudad?" in [
        s["title"] for s in results
    ]
