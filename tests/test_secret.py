"""The grading secret: public for `grader check`, private (kept outside the rubric) for `grader run`."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

from grader import api
from grader.cli import main
from grader.context import derive_seed
from grader.rubric import load_rubric, parse_rubric
from grader.secret import SecretError, default_path, for_run, with_secret

LAB6 = load_rubric("lab6")
RUBRIC_TEXT = Path(LAB6.path).read_text()


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh XDG data folder, with no secret file named by the environment."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.delenv("LABGRADE_SECRET_FILE", raising=False)
    return tmp_path / "data"


def test_default_path_follows_xdg(tmp_path: Path) -> None:
    assert default_path({"XDG_DATA_HOME": str(tmp_path)}) == tmp_path / "labgrade" / "secret"
    fallback = Path.home() / ".local" / "share" / "labgrade" / "secret"
    assert default_path({}) == fallback
    assert default_path({"XDG_DATA_HOME": "relative/dir"}) == fallback  # the spec: ignored


def test_run_creates_a_private_secret_once_and_keeps_it(home: Path) -> None:
    first = for_run(LAB6)
    path = home / "labgrade" / "secret"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert any("created" in notice and str(path) in notice for notice in first.notices)
    secret = path.read_text().strip()
    assert first.rubric.secret == secret and len(secret) == 64
    assert first.rubric.secret != LAB6.secret and first.rubric.secret_private
    again = for_run(LAB6)
    assert again.rubric.secret == secret and again.notices == ()
    assert again.rubric.secret_id == first.rubric.secret_id != LAB6.secret_id


def test_public_secret_only_when_asked_and_with_a_warning(home: Path) -> None:
    choice = for_run(LAB6, public=True)
    assert choice.rubric is LAB6 and not choice.rubric.secret_private
    assert len(choice.notices) == 1 and "public" in choice.notices[0]
    assert "lab6.toml" in choice.notices[0]
    assert not (home / "labgrade" / "secret").exists()


def test_a_named_secret_file_must_exist(home: Path, tmp_path: Path) -> None:
    missing = tmp_path / "course-secret"
    with pytest.raises(SecretError, match="no such secret file.*token_hex"):
        for_run(LAB6, missing)
    assert not missing.exists() and not (home / "labgrade" / "secret").exists()


def test_rubric_secret_file_is_relative_to_the_rubric(tmp_path: Path, home: Path) -> None:
    text = RUBRIC_TEXT.replace('secret = "lab6-public-default"',
                               'secret = "lab6-public-default"\nsecret_file = "staff/secret"')
    rubric = parse_rubric(text, str(tmp_path / "course" / "lab6.toml"))
    assert rubric.secret_file == str(tmp_path / "course" / "staff" / "secret")
    shared = Path(rubric.secret_file)
    shared.parent.mkdir(parents=True)
    shared.write_text("course-wide-secret-0123456789\n")
    shared.chmod(0o640)
    choice = for_run(rubric)
    assert choice.rubric.secret == "course-wide-secret-0123456789"
    assert any("can be read by other users" in notice for notice in choice.notices)
    other = tmp_path / "explicit"
    other.write_text("explicit-secret-wins-0123456\n")
    other.chmod(0o600)
    assert for_run(rubric, other).rubric.secret == "explicit-secret-wins-0123456"


@pytest.mark.parametrize("content", ["", "short\n", "\n\n"])
def test_a_file_without_a_real_secret_is_refused(tmp_path: Path, content: str) -> None:
    path = tmp_path / "secret"
    path.write_text(content)
    with pytest.raises(SecretError, match="no secret of at least 16 characters"):
        for_run(LAB6, path)


def test_seeds_follow_the_secret_and_only_the_secret() -> None:
    private = with_secret(LAB6, "another-secret-0123456789")
    assert derive_seed(LAB6.secret, "d", "heldout:accuracy") == \
        derive_seed(LAB6.secret, "d", "heldout:accuracy")
    assert derive_seed(private.secret, "d", "heldout:accuracy") != \
        derive_seed(LAB6.secret, "d", "heldout:accuracy")
    assert private.digest == LAB6.digest and private.secret_id != LAB6.secret_id


def test_a_result_graded_with_another_secret_is_not_current(tmp_path: Path) -> None:
    (tmp_path / "result.json").write_text(json.dumps({"rubric": {"secret_id": LAB6.secret_id}}))
    assert api._same_secret(tmp_path, LAB6)
    assert not api._same_secret(tmp_path, with_secret(LAB6, "another-secret-0123456789"))
    (tmp_path / "result.json").write_text(json.dumps({"rubric": {}}))  # graded before secrets
    assert not api._same_secret(tmp_path, LAB6)


# --- the commands: what each grades with (grade_paths replaced, nothing runs) ------------------

@pytest.fixture
def graded(monkeypatch: pytest.MonkeyPatch) -> list:
    seen: list = []

    def grade_paths(paths, rubric, *_args, **_options):  # type: ignore[no-untyped-def]
        seen.append(rubric)
        yield from ()

    monkeypatch.setattr(api, "grade_paths", grade_paths)
    return seen


def test_grader_run_uses_the_private_secret(tmp_path: Path, home: Path, graded: list) -> None:
    (tmp_path / "work.py").write_text("x = 1\n")
    result = CliRunner().invoke(main, ["run", str(tmp_path / "work.py"), "--out",
                                       str(tmp_path / "out"), "--cold"])
    assert result.exit_code == 0, result.output
    secret = (home / "labgrade" / "secret").read_text().strip()
    assert graded[0].secret == secret and graded[0].secret_private
    assert "created this user's private grading secret" in result.output
    assert "warning" not in result.output


def test_grader_run_public_secret_warns(tmp_path: Path, home: Path, graded: list) -> None:
    (tmp_path / "work.py").write_text("x = 1\n")
    result = CliRunner().invoke(main, ["run", str(tmp_path / "work.py"), "--out",
                                       str(tmp_path / "out"), "--cold", "--public-secret"])
    assert result.exit_code == 0, result.output
    assert graded[0].secret == LAB6.secret and not graded[0].secret_private
    assert "warning: grading with the rubric's own secret, which is public" in result.output


def test_grader_run_secret_file_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                     graded: list) -> None:
    (tmp_path / "work.py").write_text("x = 1\n")
    shared = tmp_path / "shared-secret"
    shared.write_text("shared-by-the-course-0123456789\n")
    shared.chmod(0o600)
    monkeypatch.setenv("LABGRADE_SECRET_FILE", str(shared))
    result = CliRunner().invoke(main, ["run", str(tmp_path / "work.py"), "--out",
                                       str(tmp_path / "out"), "--cold"])
    assert result.exit_code == 0, result.output
    assert graded[0].secret == "shared-by-the-course-0123456789"


def test_grader_run_refuses_a_missing_secret_file(tmp_path: Path, graded: list) -> None:
    (tmp_path / "work.py").write_text("x = 1\n")
    result = CliRunner().invoke(main, ["run", str(tmp_path / "work.py"), "--secret-file",
                                       str(tmp_path / "nope")])
    assert result.exit_code == 2, result.output
    assert "no such secret file" in result.output and not graded


def test_grader_check_keeps_the_public_secret(tmp_path: Path, home: Path, graded: list) -> None:
    (tmp_path / "work.py").write_text("x = 1\n")
    result = CliRunner().invoke(main, ["check", str(tmp_path / "work.py"), "--out",
                                       str(tmp_path / "out")])
    assert graded[0].secret == LAB6.secret and not graded[0].secret_private, result.output
    assert "self-check uses the rubric's public secret" in result.output
    assert not (home / "labgrade" / "secret").exists()


# --- the lookup-table attack works against the public secret, the reason for all this -------

def test_lookup_table_beats_the_public_secret(tmp_path_factory: pytest.TempPathFactory,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """tests/attacks/lookup_table scores 100% held-out accuracy when the rubric's secret is in
    force (tests/test_attacks.py shows it failing under a private one)."""
    from grader.isolation import Support

    monkeypatch.setenv("LABGRADE_CACHE", str(tmp_path_factory.getbasetemp() / "cli-cache"))
    bare = Support(bwrap=None, setpriv=None, cgroup_version=None, reason="test: bare")
    attack = Path(__file__).parent / "attacks" / "lookup_table"
    [(_, result)] = list(api.grade_paths([attack], LAB6, None, support=bare))
    accuracy = next(c for t in result.tasks if t.id == "moons" for c in t.checks
                    if c.id == "accuracy")
    assert accuracy.status == "passed" and "100%" in accuracy.message, accuracy.message
    assert result.rubric["secret"] == "public"
