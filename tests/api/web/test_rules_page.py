"""`/regler`: policy staff change a round's rules in the browser (role admin)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.rules_versions import MAX_NOTE
from tests.api.web.conftest import CASEWORKER_KEY, csrf_of, settings_for, sign_in

ADMIN_KEY = "admin-nokkel-0123456789abcdef"
KEYS = f"saksbehandler:caseworker:{CASEWORKER_KEY},regelansvarlig:admin:{ADMIN_KEY}"
K1 = "criteria/k1-hoye-mobbetall.yaml"
MARGIN = f"{K1}|parameters.margin"
ROLLBACK_NOTE_REQUIRED = "Skriv hvorfor denne versjonen skal tas i bruk."


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """Its own app (publishing changes the rules in force), the examples as cases."""
    folder = tmp_path_factory.mktemp("regler")
    app = create_app(settings_for(folder, api_keys=KEYS, seed_examples=True))
    with TestClient(app, base_url="https://testserver") as c:
        yield c


@pytest.fixture(scope="module")
def admin(client: TestClient) -> TestClient:
    client.cookies.clear()
    assert sign_in(client, ADMIN_KEY).status_code == 303  # type: ignore[attr-defined]
    return client


@pytest.fixture(scope="module")
def draft(admin: TestClient) -> str:
    """A new draft of pulje-5 («Ny utgave»); its address."""
    page = admin.get("/regler")
    r = admin.post(
        "/regler/pulje-5/utkast", data={"csrf_token": csrf_of(page.text)}, follow_redirects=False
    )
    assert r.status_code == 303, r.text
    location = str(r.headers["location"])
    assert re.fullmatch(r"/regler/utkast/[0-9a-f]+", location)
    return location


def _form(html: str) -> dict[str, str]:
    """Every input and text area of the draft's form, with its shown value."""
    form = html.split('class="card rules-form"', 1)[1].split("</form>", 1)[0]
    out = {"csrf_token": csrf_of(html)}
    for name, value in re.findall(r'<input[^>]* name="([^"]+)" value="([^"]*)"', form):
        out[name] = value
    for name, value in re.findall(r'<textarea[^>]* name="([^"]+)"[^>]*>([^<]*)</textarea>', form):
        out[name] = value
    out.pop("csrf_token_", None)
    return {k: _unescape(v) for k, v in out.items()}


def _unescape(text: str) -> str:
    for a, b in (("&lt;", "<"), ("&gt;", ">"), ("&#34;", '"'), ("&#39;", "'"), ("&amp;", "&")):
        text = text.replace(a, b)
    return text


def _field_block(html: str, name: str) -> str:
    start = html.index(f'data-field="{name}"')
    return html[start : html.index("</div>", start)]


def test_a_caseworker_is_refused_and_sees_no_link(client: TestClient) -> None:
    client.cookies.clear()
    sign_in(client, CASEWORKER_KEY)
    assert 'href="/regler"' not in client.get("/kriterier").text
    r = client.get("/regler")
    assert r.status_code == 403
    assert "krever rollen" in r.text
    r = client.post("/regler/pulje-5/utkast", data={}, follow_redirects=False)
    assert r.status_code == 403
    client.cookies.clear()


def test_the_rules_in_force_with_their_history(admin: TestClient) -> None:
    page = admin.get("/regler")
    assert page.status_code == 200
    assert 'href="/regler"' in page.text  # in the navigation for an admin
    assert "versjon 2020.1" in page.text
    assert 'data-version="2020.1"' in page.text
    assert "Ny utgave" in page.text


def test_a_form_without_its_csrf_token_is_refused(admin: TestClient, draft: str) -> None:
    r = admin.post(draft, data={MARGIN: "2,5"})
    assert r.status_code == 403
    assert "sikkerhetskode" in r.text


def test_the_draft_has_an_input_per_type(admin: TestClient, draft: str) -> None:
    html = admin.get(draft).text
    form = _form(html)
    assert form[MARGIN] == "3,0"
    assert form[f"{K1}|parameters.years"] == "2017, 2018, 2019"
    assert form["ruleset.yaml|counties.18.deadline"] == "2020-02-14"
    assert re.search(
        r'<input type="date" id="[^"]+" name="ruleset.yaml\|counties.18.deadline"', html
    )
    assert form["ruleset.yaml|survey.national_average.2017"] == "6,6"
    assert form[f"{K1}|title"] == "Høye mobbetall over tid"


def test_a_bad_value_shows_the_loaders_code_at_its_field(admin: TestClient, draft: str) -> None:
    form = _form(admin.get(draft).text) | {MARGIN: "mye"}
    r = admin.post(draft, data=form)
    assert r.status_code == 422
    block = _field_block(r.text, MARGIN)
    assert "BAD_TYPE" in block and "må være et tall" in block
    assert 'aria-invalid="true"' in block
    assert "BAD_TYPE" not in _field_block(r.text, f"{K1}|parameters.years")
    assert 'value="mye"' in block  # kept as typed


def test_a_decimal_comma_is_accepted_and_shows_scenarios_and_cases(
    admin: TestClient, draft: str
) -> None:
    form = _form(admin.get(draft).text) | {MARGIN: "2,5", "fylke": "18"}
    r = admin.post(draft, data=form)
    assert r.status_code == 200, r.text
    assert _form(r.text)[MARGIN] == "2,5"
    assert "scenarioer feiler" in r.text
    assert "Endre de valgte scenarioene" in r.text
    assert "Fylke 18 Nordland" in r.text and "Rangering med utkastet" in r.text
    changes = r.text.split('class="data changes"', 1)[1].split("</table>", 1)[0]
    # K1 at 2,5 over the national average makes one more school of Sortland's need met
    assert re.findall(r'data-case="([^"]+)"', changes) == ["pulje-5:1870"]
    assert 'href="/saker/pulje-5:1870"' in changes and "6 → 9" in changes


def test_publishing_needs_a_new_version_and_a_note(admin: TestClient, draft: str) -> None:
    html = admin.get(draft).text
    r = admin.post(
        draft + "/ta-i-bruk",
        data={"csrf_token": csrf_of(html), "version": "2020.1", "note": ""},
    )
    assert r.status_code == 422
    assert "VERSION_EXISTS" in r.text and "NOTE_REQUIRED" in r.text
    assert 'id="p-version-feil"' in r.text and 'id="p-note-feil"' in r.text
    assert "versjon 2020.1" in admin.get("/kriterier").text  # nothing changed


def test_a_publish_whose_gate_crashes_shows_why_and_publishes_nothing(
    admin: TestClient, draft: str, crashing_gate_process: pytest.MonkeyPatch
) -> None:
    html = admin.get(draft).text
    r = admin.post(
        draft + "/ta-i-bruk",
        data={"csrf_token": csrf_of(html), "version": "2020.2", "note": "Ny utgave."},
    )
    assert r.status_code == 422
    assert "RULES_CRASHED" in r.text and "signal 11 (SIGSEGV)" in r.text
    assert "versjon 2020.1" in admin.get("/kriterier").text  # nothing changed
    assert 'data-version="2020.2"' not in admin.get("/regler").text


def test_a_failing_scenarios_expected_value_is_changed_in_the_draft(
    admin: TestClient, draft: str
) -> None:
    html = admin.get(draft).text
    token = csrf_of(html)
    feature = "features/k1-hoye-mobbetall.feature"
    versions = admin.app.state.services.versions  # type: ignore[attr-defined]
    draft_id = draft.rsplit("/", 1)[1]
    before = versions.draft(draft_id).files[feature]
    line = before.splitlines().index("    Så er K1 for «Nordby skole» «oppfylt»") + 1
    r = admin.post(
        draft + "/scenario",
        data={
            "csrf_token": token,
            "endre": "1",
            "file-1": f"features/pulje-5/{feature[9:]}",
            "line-1": str(line),
            "value-1": "ikke oppfylt",
            "example-1": "{}",
        },
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    after = versions.draft(draft_id).files[feature]
    changed = [
        (a, b) for a, b in zip(before.splitlines(), after.splitlines(), strict=True) if a != b
    ]
    assert changed == [
        (before.splitlines()[line - 1], "    Så er K1 for «Nordby skole» «ikke oppfylt»")
    ]
    assert len(after) == len(before) + len("ikke ")
    r = admin.post(
        draft + "/scenario",
        data={"csrf_token": token, "endre": "1", "file-1": feature, "line-1": "1", "value-1": "x"},
    )
    assert r.status_code == 422 and "SCENARIO_NOT_CHANGED" in r.text


def test_a_versions_page_shows_who_when_and_the_diff(admin: TestClient) -> None:
    r = admin.get("/regler/pulje-5/versjoner/2020.1")
    assert r.status_code == 200
    assert "pulje-5 versjon 2020.1" in r.text and "startpunktet" in r.text
    assert admin.get("/regler/pulje-5/versjoner/9.9").status_code == 404


def test_a_rollback_needs_a_note(admin: TestClient) -> None:
    page = admin.get("/regler")
    r = admin.post(
        "/regler/pulje-5/tilbake",
        data={"csrf_token": csrf_of(page.text), "version": "2020.1", "note": " "},
    )
    assert r.status_code == 422
    assert "NOTE_REQUIRED" in r.text
    assert "versjon 2020.1" in admin.get("/kriterier").text


@pytest.fixture
def published(tmp_path: Path, passing_publish_gate: None) -> Iterator[TestClient]:
    """An admin on its own app where 2020.2 and then 2020.3 were published on the page.

    Its own app, so the versions published here do not change the rules in force for the
    other tests of this module; 2020.1 (the files) and 2020.2 are then earlier versions,
    each with its own rollback form.
    """
    app = create_app(settings_for(tmp_path, api_keys=KEYS))
    with TestClient(app, base_url="https://testserver") as c:
        assert sign_in(c, ADMIN_KEY).status_code == 303  # type: ignore[attr-defined]
        for version in ("2020.2", "2020.3"):
            page = c.get("/regler")
            made = c.post(
                "/regler/pulje-5/utkast",
                data={"csrf_token": csrf_of(page.text)},
                follow_redirects=False,
            )
            assert made.status_code == 303, made.text
            draft = str(made.headers["location"])
            r = c.post(
                draft + "/ta-i-bruk",
                data={
                    "csrf_token": csrf_of(c.get(draft).text),
                    "version": version,
                    "note": f"Utgave {version} for testen.",
                },
                follow_redirects=False,
            )
            assert r.status_code == 303, r.text
        yield c


def _version_row(html: str, version: str) -> str:
    """The row of one version in the rules page's table of versions."""
    start = html.index(f'<tr data-version="{version}"')
    return html[start : html.index("</tr>", start)]


def test_a_refused_rollback_shows_its_error_at_that_versions_row_and_changes_nothing(
    published: TestClient,
) -> None:
    versions = published.app.state.services.versions  # type: ignore[attr-defined]
    activations = versions.activations("pulje-5")
    page = published.get("/regler")
    assert "versjon 2020.3" in page.text
    for earlier in ("2020.1", "2020.2"):
        assert "Ta i bruk versjon " + earlier in _version_row(page.text, earlier)
    r = published.post(
        "/regler/pulje-5/tilbake",
        data={"csrf_token": csrf_of(page.text), "version": "2020.2", "note": "   "},
    )
    assert r.status_code == 422
    row = _version_row(r.text, "2020.2")
    assert (
        f'<p class="field-error" id="tilbake-pulje-5-2020.2-feil">{ROLLBACK_NOTE_REQUIRED}</p>'
        in row
    )
    assert 'aria-invalid="true" aria-describedby="tilbake-pulje-5-2020.2-feil"' in row
    # the summary names the code and links to that row's note field, and nothing else has it
    summary = r.text.split('class="error-summary"', 1)[1].split("</div>", 1)[0]
    assert "NOTE_REQUIRED" in summary
    assert f'<a href="#tilbake-pulje-5-2020.2">{ROLLBACK_NOTE_REQUIRED}</a>' in summary
    assert r.text.count(ROLLBACK_NOTE_REQUIRED) == 2
    for other in ("2020.1", "2020.3"):
        other_row = _version_row(r.text, other)
        assert "field-error" not in other_row and 'aria-invalid="true"' not in other_row
    # nothing changed: the same version in force, no new activation
    assert 'class="in-force"' in _version_row(r.text, "2020.3")
    assert "versjon 2020.3" in published.get("/kriterier").text
    assert versions.activations("pulje-5") == activations


def test_a_rollback_note_is_bounded_as_a_publishing_note(published: TestClient) -> None:
    versions = published.app.state.services.versions  # type: ignore[attr-defined]
    activations = versions.activations("pulje-5")
    page = published.get("/regler")
    assert f'name="note" maxlength="{MAX_NOTE}"' in _version_row(page.text, "2020.2")
    r = published.post(
        "/regler/pulje-5/tilbake",
        data={"csrf_token": csrf_of(page.text), "version": "2020.2", "note": "x" * (MAX_NOTE + 1)},
    )
    assert r.status_code == 422
    too_long = f"Notatet kan ha høyst {MAX_NOTE} tegn, men har {MAX_NOTE + 1}."
    assert too_long in _version_row(r.text, "2020.2") and "NOTE_TOO_LONG" in r.text
    assert versions.activations("pulje-5") == activations


def test_an_accepted_rollback_puts_the_earlier_version_in_force_with_its_note(
    published: TestClient,
) -> None:
    versions = published.app.state.services.versions  # type: ignore[attr-defined]
    page = published.get("/regler")
    note = "Tilbake til 2020.2: feil i utgave 2020.3."
    r = published.post(
        "/regler/pulje-5/tilbake",
        data={"csrf_token": csrf_of(page.text), "version": "2020.2", "note": note},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    shown = published.get(str(r.headers["location"]))
    assert "Versjon 2020.2 av pulje-5 er i bruk igjen." in shown.text
    assert 'class="in-force"' in _version_row(shown.text, "2020.2")
    assert "(i bruk)" not in _version_row(shown.text, "2020.3")
    assert "Ta i bruk versjon 2020.3" in _version_row(shown.text, "2020.3")  # forward again
    assert "versjon 2020.2" in published.get("/kriterier").text
    last = versions.activations("pulje-5")[-1]
    assert (last.version, last.kind, last.note, last.created_by) == (
        "2020.2",
        "activate",
        note,
        "regelansvarlig",
    )
