"""Finding the submissions in a class folder as it arrives (issue #14, item 2): the rule.

No sandbox here: :func:`grader.intake.gather` only (fast). The rule is in
:mod:`grader.intake.folders`: a folder with two or more folders of code is never one
submission; sections at any depth; ``student/assignment/``; loose files, empty folders and
links are warned about, never merged into a student's submission.
"""

from __future__ import annotations

from pathlib import Path

from grader.api import expand_submissions
from grader.intake import Intake, gather


def write(path: Path, text: str = "x = 1\n") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def found(intake: Intake, root: Path) -> dict[str, str]:
    return {f.path.relative_to(root).as_posix(): f.name for f in intake.found}


def test_loose_code_beside_student_folders_is_warned_about_not_merged(tmp_path: Path) -> None:
    klass = tmp_path / "class"
    write(klass / "alice" / "lab.ipynb", "{}")
    write(klass / "bob" / "lab.py")
    write(klass / "util.py")
    write(klass / "README.txt", "instructions")
    intake = gather([klass], None)
    assert found(intake, klass) == {"alice": "alice", "bob": "bob"}
    assert any("util.py: code beside the student folders" in w for w in intake.warnings)
    assert any("README.txt: a file beside the student folders" in w for w in intake.warnings)
    assert expand_submissions([klass]) == [klass / "alice", klass / "bob"]


def test_sections_at_depth_are_never_one_submission(tmp_path: Path) -> None:
    klass = tmp_path / "class"
    write(klass / "section1" / "alice" / "lab.ipynb", "{}")
    write(klass / "section1" / "dave" / "lab.py")
    write(klass / "section2" / "carol" / "lab.py")  # a section of one: a section too (siblings)
    write(klass / "year" / "section3" / "erin" / "lab.py")
    write(klass / "year" / "section3" / "fred" / "lab.py")
    intake = gather([klass], None)
    assert found(intake, klass) == {"section1/alice": "alice", "section1/dave": "dave",
                                    "section2/carol": "carol", "year/section3/erin": "erin",
                                    "year/section3/fred": "fred"}
    alice = next(f for f in intake.found if f.name == "alice")
    assert alice.info["intake"] == {"source": "folder", "path": "section1/alice",
                                    "section": "section1"}
    assert alice.student_id == "alice"
    assert intake.warnings == []


def test_a_single_section_given_as_the_class_is_expanded(tmp_path: Path) -> None:
    write(tmp_path / "class" / "section1" / "alice" / "lab.py")
    write(tmp_path / "class" / "section1" / "dave" / "lab.py")
    assert found(gather([tmp_path / "class"], None), tmp_path / "class") == {
        "section1/alice": "alice", "section1/dave": "dave"}


def test_a_student_folder_with_its_own_helpers_stays_one_submission(tmp_path: Path) -> None:
    alice = tmp_path / "alice"
    write(alice / "lab.ipynb", "{}")
    write(alice / "helpers" / "plots.py")  # one folder of code beside its own: the same student
    write(alice / "mylib" / "__init__.py", "")  # packages are the folder's own code
    write(alice / "mylib" / "net.py")
    assert found(gather([alice], None), tmp_path) == {"alice": "alice"}
    klass = tmp_path / "class"
    write(klass / "bob" / "main.py")
    write(klass / "bob" / "models" / "__init__.py", "")
    write(klass / "bob" / "models" / "mlp.py")
    write(klass / "carol" / "lab.ipynb", "{}")
    write(klass / "carol" / "src" / "train.py")
    assert found(gather([klass], None), klass) == {"bob": "bob", "carol": "carol"}


def test_student_assignment_folders_are_named_after_the_student(tmp_path: Path) -> None:
    klass = tmp_path / "class"
    write(klass / "alice" / "lab6" / "lab.ipynb", "{}")
    write(klass / "bob" / "lab6" / "solution" / "lab.py")
    intake = gather([klass], None)
    assert found(intake, klass) == {"alice": "alice", "bob": "bob"}


def test_empty_folders_and_folders_without_code(tmp_path: Path) -> None:
    klass = tmp_path / "class"
    write(klass / "alice" / "lab.py")
    write(klass / "bob" / "lab.py")
    (klass / "empty" / "deeper").mkdir(parents=True)
    write(klass / "frank" / "report.pdf", "%PDF")  # handed in no code: graded as an error
    write(klass / ".ipynb_checkpoints" / "x.py")
    write(klass / "__MACOSX" / "alice" / "._lab.py")
    intake = gather([klass], None)
    assert found(intake, klass) == {"alice": "alice", "bob": "bob", "frank": "frank"}
    assert [w for w in intake.warnings if "empty" in w] == [f"{klass / 'empty'}: an empty folder; not graded"]
    assert len(intake.warnings) == 1


def test_links_are_never_followed_and_are_reported(tmp_path: Path) -> None:
    klass = tmp_path / "class"
    write(klass / "victim" / "lab.py")
    write(klass / "other" / "lab.py")
    (klass / "mallory").symlink_to("victim", target_is_directory=True)
    (klass / "notes.md").symlink_to(klass / "victim" / "lab.py")
    section = klass / "section"
    write(section / "erin" / "lab.py")
    write(section / "fred" / "lab.py")
    (section / "root").symlink_to("/", target_is_directory=True)
    intake = gather([klass], None)
    names = found(intake, klass)
    assert names == {"victim": "victim", "other": "other", "mallory": "mallory",
                     "section/erin": "erin", "section/fred": "fred", "section/root": "root"}
    links = [f for f in intake.found if f.info["intake"]["source"] == "link"]
    assert sorted(f.name for f in links) == ["mallory", "root"]
    assert any("mallory: a symbolic link (to victim), not followed" in w for w in intake.warnings)
    assert any("notes.md: a symbolic link" in w and "not graded" in w for w in intake.warnings)


def test_a_single_submission_given_is_itself(tmp_path: Path) -> None:
    script = write(tmp_path / "hw" / "lab.py")
    assert [(f.path, f.name) for f in gather([script], None).found] == [(script, "lab")]
    folder = tmp_path / "hw"
    assert [(f.path, f.name) for f in gather([folder], None).found] == [(folder, "hw")]
    empty = tmp_path / "nothing"
    empty.mkdir()
    assert [f.path for f in gather([empty], None).found] == [empty]  # an error result says why


def test_github_classroom_clones(tmp_path: Path) -> None:
    clones = tmp_path / "lab6-submissions"
    for user in ("alice-smith", "bob", "zoe99"):
        repo = clones / f"lab6-backprop-{user}"
        write(repo / ".git" / "HEAD", "ref: refs/heads/main\n")
        write(repo / ".git" / "hooks" / "pre-commit.py")  # never code of the submission
        write(repo / "lab.ipynb", "{}")
        write(repo / "src" / "a.py")
        write(repo / "tests" / "test_a.py")  # two folders of code: still one clone
    intake = gather([clones], None)
    assert found(intake, clones) == {"lab6-backprop-alice-smith": "alice-smith",
                                     "lab6-backprop-bob": "bob", "lab6-backprop-zoe99": "zoe99"}
    alice = intake.found[0]
    assert alice.student_id == "alice-smith"
    assert alice.info["intake"] == {"source": "github-classroom", "github_username": "alice-smith",
                                    "repository": "lab6-backprop-alice-smith",
                                    "path": "lab6-backprop-alice-smith"}
    assert intake.warnings == []


def test_nbgrader_submitted_tree(tmp_path: Path) -> None:
    submitted = tmp_path / "course" / "submitted"
    for student in ("alice", "bob"):
        write(submitted / student / "lab6" / "lab6.ipynb", "{}")
        write(submitted / student / "lab6" / "timestamp.txt", "2026-11-02 10:15:00.123456 UTC\n")
    write(submitted / "bob" / "lab7" / "lab7.ipynb", "{}")
    write(submitted / "bob" / "lab7" / "timestamp.txt", "2026-11-09 09:00:00 UTC\n")
    write(submitted / "bob" / "stray.txt", "?")
    intake = gather([submitted], None)
    assert found(intake, submitted) == {"alice/lab6": "alice", "bob/lab6": "bob-lab6",
                                        "bob/lab7": "bob-lab7"}
    alice = intake.found[0]
    assert alice.student_id == "alice"
    assert alice.info["intake"] == {"source": "nbgrader", "nbgrader_student": "alice",
                                    "assignment": "lab6",
                                    "timestamp": "2026-11-02 10:15:00.123456 UTC",
                                    "path": "alice/lab6"}
    assert [w for w in intake.warnings if "stray.txt" in w]
