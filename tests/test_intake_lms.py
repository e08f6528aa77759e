"""What instructors download, as ``grader run`` takes it (issue #14, item 2).

The fixtures are built here: Canvas and Moodle zips made with :mod:`zipfile` from tiny
submissions (names with spaces and accents, LATE, resubmissions, anonymous and blind ids,
Moodle 3.x folders, the flat form), hostile archives (zip-slip, a link entry, bombs), a
roster in each LMS's export format. Only the last test runs the sandbox (two one-line
scripts through ``grader run``).
"""

from __future__ import annotations

import csv
import io
import json
import stat
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from grader.intake import RosterError, archives, gather
from grader.intake.roster import read as read_roster
from grader.report.collect import collect
from grader.report.classpage import summarise, render
from grader.report.export import all_results, gradebook_csv
from grader.results import write_json_atomic

NOTEBOOK = json.dumps({"cells": [{"cell_type": "code", "metadata": {}, "outputs": [],
                                  "execution_count": None, "source": "x = 1\n"}],
                       "metadata": {}, "nbformat": 4, "nbformat_minor": 5})


def make_zip(path: Path, entries: dict[str, str | bytes], *, compression: int = zipfile.ZIP_DEFLATED
             ) -> Path:
    with zipfile.ZipFile(path, "w", compression) as handle:
        for name, data in entries.items():
            handle.writestr(name, data)
    return path


def canvas_zip(path: Path) -> Path:
    return make_zip(path, {
        "núñezjosé_123_9001_lab.ipynb": NOTEBOOK,
        "núñezjosé_123_9002_utils.py": "def f():\n    return 1\n",
        "ångströmzoë_LATE_456_9100_lab-1.ipynb": NOTEBOOK.replace("x = 1", "x = 'old'"),
        "ångströmzoë_LATE_456_9101_lab-2.ipynb": NOTEBOOK,
        "ångströmzoë_LATE_456_9099_lab.ipynb": NOTEBOOK.replace("x = 1", "x = 'first'"),
        "smithbob_789_text.html": "<p>see attached</p>",
        "anon_Xy7Qz_9200_lab.py": "x = 1\n",
        "LATE_anon_Pq3Rs_9201_main.py": "x = 2\n",
        "../../evil.py": "import os\n",
    })


def by_name(intake) -> dict:  # type: ignore[no-untyped-def]
    return {f.name: f for f in intake.found}


# -- Canvas ----------------------------------------------------------------------------

def test_canvas_zip_one_submission_per_student_latest_resubmission(tmp_path: Path) -> None:
    out = tmp_path / "out"
    intake = gather([canvas_zip(tmp_path / "cs101-lab6_submissions.zip")], out)
    found = by_name(intake)
    assert sorted(found) == ["anon_Pq3Rs", "anon_Xy7Qz", "núñezjosé", "smithbob", "ångströmzoë"]
    jose = found["núñezjosé"]
    assert sorted(p.name for p in jose.path.iterdir()) == ["lab.ipynb", "utils.py"]
    assert jose.info["student_id"] == "123"
    assert jose.info["intake"]["source"] == "canvas" and jose.info["intake"]["late"] is False
    zoe = found["ångströmzoë"]
    assert zoe.info["intake"]["late"] is True and zoe.student_id == "456"
    assert [p.name for p in zoe.path.iterdir()] == ["lab.ipynb"]
    assert (zoe.path / "lab.ipynb").read_text() == NOTEBOOK  # -2, the latest
    notes = zoe.info["intake"]["not_graded"]
    assert len(notes) == 2 and all("earlier version of lab.ipynb" in n for n in notes)
    assert any("lab-1.ipynb" in n for n in notes) and any("9099_lab.ipynb" in n for n in notes)
    anon = found["anon_Pq3Rs"]
    assert anon.student_id == "anon_Pq3Rs" and anon.info["intake"]["anonymous"] is True
    assert anon.info["intake"]["late"] is True
    bob = found["smithbob"]  # a text entry only: a folder? no: nothing unpacked for him
    assert bob.info["intake"]["not_graded"] == [
        "smithbob_789_text.html: a text entry, not code; not graded"]
    assert any("'../../evil.py' left out" in w and "outside" in w for w in intake.warnings)
    assert not (tmp_path / "evil.py").exists() and not (out.parent / "evil.py").exists()
    assert jose.path.is_relative_to(out / ".intake")


def test_canvas_zip_is_unpacked_once_into_a_stable_place(tmp_path: Path) -> None:
    download = canvas_zip(tmp_path / "subs.zip")
    first = gather([download], tmp_path / "out")
    again = gather([download], tmp_path / "out")
    assert [f.path for f in first.found] == [f.path for f in again.found]
    stages = [p for p in (tmp_path / "out" / ".intake").iterdir()]
    assert len(stages) == 1 and not stages[0].name.startswith("labgrade-")
    assert not (stages[0] / ".labgrade-owner").exists()
    no_out = gather([download], None)  # no results folder: a scratch folder, removed at close
    folder = no_out.found[0].path
    assert folder.is_dir()
    no_out.close()
    assert not folder.exists()


def test_an_unpacked_canvas_folder_is_read_the_same(tmp_path: Path) -> None:
    download = canvas_zip(tmp_path / "subs.zip")
    unpacked = tmp_path / "unpacked"
    unpacked.mkdir()
    with zipfile.ZipFile(download) as handle:
        for info in handle.infolist():
            if ".." not in info.filename:
                (unpacked / info.filename).write_bytes(handle.read(info))
    intake = gather([unpacked], tmp_path / "out")
    assert sorted(by_name(intake)) == ["anon_Pq3Rs", "anon_Xy7Qz", "núñezjosé", "smithbob",
                                       "ångströmzoë"]
    assert sorted(p.name for p in by_name(intake)["núñezjosé"].path.iterdir()) == [
        "lab.ipynb", "utils.py"]


# -- Moodle ----------------------------------------------------------------------------

def test_moodle_zip_folders_flat_form_trailing_underscore_and_blind(tmp_path: Path) -> None:
    download = make_zip(tmp_path / "CS101-Lab 6-42.zip", {
        "José Núñez_1234_assignsubmission_file/lab.ipynb": NOTEBOOK,
        "José Núñez_1234_assignsubmission_file/src/model.py": "W = 1\n",
        "José Núñez_1234_assignsubmission_onlinetext/onlinetext.html": "<p>hi</p>",
        "Zoë Ångström_1240_assignsubmission_file_/lab.py": "x = 1\n",  # Moodle 3.x
        "Ada Lovelace_1250_assignsubmission_file_lab.py": "x = 1\n",  # the flat form
        "Ada Lovelace_1250_assignsubmission_file_helpers.py": "y = 2\n",
        "Participant_1260_assignsubmission_file/lab.py": "x = 1\n",  # blind marking
        "Participant_1261_assignsubmission_file/lab.py": "x = 1\n",
    })
    intake = gather([download], tmp_path / "out")
    found = by_name(intake)
    assert sorted(found) == ["Ada Lovelace", "José Núñez", "Participant 1260", "Participant 1261",
                             "Zoë Ångström"]
    jose = found["José Núñez"]
    assert sorted(p.relative_to(jose.path).as_posix() for p in jose.path.rglob("*")
                  if p.is_file()) == ["lab.ipynb", "src/model.py"]
    assert jose.info["student_id"] == "1234" and jose.info["student_name"] == "José Núñez"
    assert jose.info["intake"]["participant_id"] == "1234"
    assert "onlinetext" in jose.info["intake"]["not_graded"][0]
    assert sorted(p.name for p in found["Ada Lovelace"].path.iterdir()) == ["helpers.py", "lab.py"]
    blind = found["Participant 1260"]
    assert blind.info["student_name"] is None and blind.info["intake"]["blind"] is True
    assert intake.warnings == []


def test_an_unpacked_moodle_folder(tmp_path: Path) -> None:
    root = tmp_path / "moodle"
    for name in ("José Núñez_1234_assignsubmission_file", "Zoë Ångström_1240_assignsubmission_file_"):
        (root / name).mkdir(parents=True)
        (root / name / "lab.py").write_text("x = 1\n")
    intake = gather([root], tmp_path / "out")
    assert sorted(by_name(intake)) == ["José Núñez", "Zoë Ångström"]
    assert by_name(intake)["Zoë Ångström"].student_id == "1240"


# -- hostile and broken archives -----------------------------------------------------------

def test_a_link_entry_and_zip_slip_are_left_out_the_rest_is_kept(tmp_path: Path) -> None:
    path = tmp_path / "class.zip"
    with zipfile.ZipFile(path, "w") as handle:
        handle.writestr("alice/lab.py", "x = 1\n")
        handle.writestr("bob/lab.py", "x = 1\n")
        link = zipfile.ZipInfo("bob/secrets.py")
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        handle.writestr(link, "/etc/passwd")
        handle.writestr("/abs/evil.py", "x = 1\n")
        handle.writestr("..\\..\\win.py", "x = 1\n")
    intake = gather([path], tmp_path / "out")
    assert sorted(f.name for f in intake.found) == ["alice", "bob"]
    bob = by_name(intake)["bob"].path
    assert sorted(p.name for p in bob.iterdir()) == ["lab.py"]
    text = "\n".join(intake.warnings)
    assert "'bob/secrets.py' left out: a symbolic link" in text
    assert "'/abs/evil.py' left out" in text and "win.py' left out" in text


def test_a_zip_bomb_is_refused_naming_the_zip_and_the_rest_is_graded(tmp_path: Path) -> None:
    bomb = make_zip(tmp_path / "bomb.zip", {"alice/lab.py": b"#" * (8 * 1024**2)})
    good = make_zip(tmp_path / "good.zip", {"carol/lab.py": "x = 1\n", "dan/lab.py": "x = 1\n"})
    broken = tmp_path / "broken.zip"
    broken.write_bytes(b"PK\x03\x04 not really a zip")
    intake = gather([bomb, broken, good], tmp_path / "out")
    assert sorted(f.name for f in intake.found) == ["carol", "dan"]
    assert any(w.startswith(f"{bomb}: refused as a zip bomb: 'alice/lab.py' is compressed")
               for w in intake.warnings), intake.warnings
    assert any(w.startswith(f"{broken}: not a readable zip archive") for w in intake.warnings)
    assert not any(p.name == "lab.py" and p.parent.name == "alice"
                   for p in (tmp_path / "out").rglob("*"))


def test_size_and_count_limits(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    many = make_zip(tmp_path / "many.zip", {f"s{i}/lab.py": "x = 1\n" for i in range(30)},
                    compression=zipfile.ZIP_STORED)
    with pytest.raises(archives.ArchiveError, match=r"many.zip: refused: 30 entries"):
        archives.list_entries(many, archives.ZipLimits(entries=20))
    with pytest.raises(archives.ArchiveError, match=r"many.zip: refused: it would unpack to"):
        archives.list_entries(many, archives.ZipLimits(total=100))
    monkeypatch.setattr(archives, "LIMITS", archives.ZipLimits(total=100))
    intake = gather([many], tmp_path / "out")
    assert intake.found == [] and "many.zip: refused" in intake.warnings[0]
    assert not (tmp_path / "out" / ".intake").exists() or not any(
        (tmp_path / "out" / ".intake").rglob("lab.py"))


def test_a_lying_header_never_writes_more_than_it_declares(tmp_path: Path) -> None:
    path = make_zip(tmp_path / "liar.zip", {"alice/lab.py": "x = 1\n" * 1000,
                                            "bob/lab.py": "x = 1\n"},
                    compression=zipfile.ZIP_STORED)
    data = bytearray(path.read_bytes())
    central = data.rfind(b"PK\x01\x02", 0, data.rfind(b"PK\x01\x02"))  # alice's central record
    data[central + 24:central + 28] = (10).to_bytes(4, "little")  # says 10 bytes unpacked
    path.write_bytes(bytes(data))
    intake = gather([path], tmp_path / "out")
    assert [f.name for f in intake.found] == ["bob"] or all(
        (f.path / "lab.py").stat().st_size <= 6000 for f in intake.found)
    assert any("alice/lab.py' left out: it cannot be read" in w for w in intake.warnings)


# -- roster -----------------------------------------------------------------------------

def test_roster_headers_of_canvas_moodle_github_and_plain(tmp_path: Path) -> None:
    canvas = tmp_path / "canvas.csv"
    canvas.write_text("\ufeffStudent,ID,SIS User ID,SIS Login ID,Section,Lab 6 (77)\n"
                      "    Points Possible,,,,,100\n"
                      "\"Núñez, José\",123,s1,jn,A,\n\"Ångström, Zoë\",456,s2,za,A,\n"
                      "\"Carter, Carol\",999,s3,cc,B,\n", encoding="utf-8")
    assert read_roster(canvas) == [{"id": "123", "name": "Núñez, José"},
                                   {"id": "456", "name": "Ångström, Zoë"},
                                   {"id": "999", "name": "Carter, Carol"}]
    moodle = tmp_path / "moodle.csv"
    moodle.write_text("Identifier;Full name;Email address;Status;Grade\n"
                      "Participant 1234;José Núñez;jn@x;Submitted;\n", encoding="utf-8")
    assert read_roster(moodle) == [{"id": "1234", "name": "José Núñez"}]
    github = tmp_path / "classroom_roster.csv"
    github.write_text("identifier,github_username,github_id,name\nalice@x,alice-smith,1,Alice\n")
    assert read_roster(github) == [{"id": "alice-smith", "name": "Alice"}]
    nbgrader = tmp_path / "students.csv"
    nbgrader.write_text("id,first_name,last_name,email\nalice,Alice,Smith,a@x\n")
    assert read_roster(nbgrader) == [{"id": "alice", "name": "Alice Smith"}]
    bad = tmp_path / "bad.csv"
    bad.write_text("who,score\nx,1\n")
    with pytest.raises(RosterError, match=r"bad.csv: no id column; expected one of"):
        read_roster(bad)
    with pytest.raises(RosterError, match=r"nope.csv: cannot be read"):
        read_roster(tmp_path / "nope.csv")


def test_roster_names_submissions_and_lists_who_sent_nothing(tmp_path: Path) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_text("Student,ID\n\"Núñez, José\",123\n\"Ångström, Zoë\",456\n\"Carter, Carol\",999\n")
    out = tmp_path / "out"
    intake = gather([canvas_zip(tmp_path / "subs.zip")], out, roster)
    found = by_name(intake)
    assert found["núñezjosé"].info["student_name"] == "Núñez, José"
    assert intake.missing == [{"id": "999", "name": "Carter, Carol"}]
    assert any("student id 789 is not on the roster" in w for w in intake.warnings)
    assert json.loads((out / "roster.json").read_text())["students"][2]["id"] == "999"


def test_class_page_and_exports_show_ids_and_no_submission_rows(tmp_path: Path) -> None:
    from built_results import xor_only_result

    out = tmp_path / "out"
    data = xor_only_result(name="núñezjosé").to_dict()
    data["submission"].update({"student_id": "123", "student_name": "Núñez, José",
                               "intake": {"source": "canvas", "late": True}})
    write_json_atomic(out / "núñezjosé" / "result.json", data)
    old = xor_only_result(name="oldstyle").to_dict()  # a result from before intake: no id
    write_json_atomic(out / "oldstyle" / "result.json", old)
    rows = list(csv.DictReader(io.StringIO(gradebook_csv(collect(out)))))
    assert [(r["student"], r["id"], r["status"], r["late"]) for r in rows] == [
        ("Núñez, José", "123", "graded", "yes"), ("oldstyle", "", "graded", "")]
    html = render(summarise(collect(out), out))  # no roster: no "no submission" rows
    assert "no-submission" not in html and "id 123" in html and ">late<" in html
    write_json_atomic(out / "roster.json", {"roster": "r.csv", "students": [
        {"id": "123", "name": "Núñez, José"}, {"id": "999", "name": "Carter, Carol"}]})
    collection = collect(out)
    rows = list(csv.DictReader(io.StringIO(gradebook_csv(collection))))
    assert rows[-1]["student"] == "Carter, Carol" and rows[-1]["status"] == "no submission"
    assert rows[-1]["total"] == "" and rows[-1]["id"] == "999"
    assert all_results(collection)["no_submission"] == [{"id": "999", "name": "Carter, Carol"}]
    html = render(summarise(collection, out))
    assert 'class="no-submission"' in html and "Carter, Carol" in html
    (out / "roster.json").write_text("{not json")
    collection = collect(out)
    assert collection.no_submission() == [] and any(p.path == "roster.json"
                                                     for p in collection.problems)


# -- end to end -------------------------------------------------------------------------

def test_grader_run_on_a_canvas_zip_writes_ids_and_warns(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    from grader.cli import main

    monkeypatch.setenv("LABGRADE_CACHE", str(tmp_path / "cache"))
    download = make_zip(tmp_path / "cs101-lab6_submissions.zip", {
        "núñezjosé_123_9001_lab.py": "x = 1\n",
        "ångströmzoë_LATE_456_9100_lab-1.py": "x = 0\n",
        "ångströmzoë_LATE_456_9101_lab-2.py": "x = 2\n",
        "../../evil.py": "x = 1\n",
    })
    roster = tmp_path / "roster.csv"
    roster.write_text("Student,ID\n\"Núñez, José\",123\n\"Ångström, Zoë\",456\n\"Carter, Carol\",999\n")
    out = tmp_path / "out"
    args = ["run", str(download), "--out", str(out), "--jobs", "1", "--cold", "--roster", str(roster)]
    run = CliRunner().invoke(main, args)
    assert run.exit_code == 0, run.output
    assert "'../../evil.py' left out" in run.stderr
    assert "no submission: Carter, Carol (999, on the roster)" in run.stdout
    zoe = json.loads((out / "ångströmzoë" / "result.json").read_text())
    assert zoe["status"] == "graded"
    assert zoe["submission"]["student_id"] == "456"
    assert zoe["submission"]["student_name"] == "Ångström, Zoë"
    assert zoe["submission"]["intake"]["late"] is True
    assert [f["path"] for f in zoe["submission"]["files"]] == ["lab.py"]
    assert "lab-1.py" in zoe["submission"]["intake"]["not_graded"][0]
    again = CliRunner().invoke(main, args)  # a rerun: the same place, current results
    assert again.exit_code == 0 and again.stdout.count("(current, not regraded)") == 2
    report = CliRunner().invoke(main, ["export", str(out)])
    assert report.exit_code == 0, report.output
    rows = list(csv.DictReader((out / "gradebook.csv").open(encoding="utf-8")))
    assert [(r["student"], r["id"], r["status"]) for r in rows] == [
        ("Núñez, José", "123", "graded"), ("Ångström, Zoë", "456", "graded"),
        ("Carter, Carol", "999", "no submission")]
