"""The secret mixed into the seeds of the grader's held-out data and probes.

A rubric's own ``secret`` is public (students can read the rubric), so anyone can recompute
the points a check will use. ``grader check`` keeps it: a self-check has nothing to hide.
``grader run`` grades with a private secret kept outside the rubric instead, read from the
first of:

1. ``--secret-file PATH`` (or the ``LABGRADE_SECRET_FILE`` environment variable);
2. the rubric's ``secret_file`` key (a course sharing one secret across machines);
3. this user's own secret, ``$XDG_DATA_HOME/labgrade/secret`` (``~/.local/share/...``),
   created with mode 0600 on first use.

A file named explicitly (1, 2) must exist: a typo must not grade with a new secret. The
rubric's public secret is used only when asked for (``--public-secret``), with a warning.
"""

from __future__ import annotations

import dataclasses
import os
import secrets
import stat
from dataclasses import dataclass
from pathlib import Path

from grader.rubric import Rubric

ENV_SECRET_FILE = "LABGRADE_SECRET_FILE"
SECRET_BYTES = 32
MAX_SECRET_BYTES = 4096
CREATE_HINT = ("create one with: python3 -c \"import secrets; print(secrets.token_hex(32))\" "
               "> {path} && chmod 600 {path}")
PUBLIC_WARNING = ("warning: grading with the rubric's own secret, which is public ({where}): a "
                  "submission can recompute the held-out points and the probes and answer them "
                  "from a table. Official grading should use a private secret (the default of "
                  "`grader run`; see README, \"Secrets\").")
CHECK_NOTE = ("note: a self-check uses the rubric's public secret; official grading draws its "
              "held-out points and probes with a private one.")


class SecretError(Exception):
    """A secret file that cannot be used; the message names the file and the problem."""


@dataclass(frozen=True)
class SecretChoice:
    """The rubric to grade with (its secret replaced) and what to tell the user about it."""

    rubric: Rubric
    notices: tuple[str, ...]


def default_path(environ: dict[str, str] | None = None) -> Path:
    """This user's secret: ``$XDG_DATA_HOME/labgrade/secret`` (``~/.local/share`` by default)."""
    env = os.environ if environ is None else environ
    base = env.get("XDG_DATA_HOME") or ""
    root = Path(base) if Path(base).is_absolute() else Path.home() / ".local" / "share"
    return root / "labgrade" / "secret"


def read_secret(path: Path) -> str:
    """The secret held in ``path`` (its first line, stripped); SecretError if unusable."""
    try:
        with open(path, "rb") as handle:
            raw = handle.read(MAX_SECRET_BYTES + 1)
    except FileNotFoundError:
        raise SecretError(f"{path}: no such secret file; "
                          + CREATE_HINT.format(path=path)) from None
    except OSError as exc:
        raise SecretError(f"{path}: cannot be read: {exc.strerror or exc}") from None
    if len(raw) > MAX_SECRET_BYTES:
        raise SecretError(f"{path}: longer than {MAX_SECRET_BYTES} bytes: not a secret file")
    try:
        text = raw.decode("utf-8").strip().splitlines()
    except UnicodeDecodeError:
        raise SecretError(f"{path}: not UTF-8 text") from None
    if not text or len(text[0].strip()) < 16:
        raise SecretError(f"{path}: holds no secret of at least 16 characters; "
                          + CREATE_HINT.format(path=path))
    return text[0].strip()


def create_secret(path: Path) -> bool:
    """Write a new random secret to ``path`` (mode 0600) unless it exists; True if written."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return False  # another grader created it first: use that one
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(secrets.token_hex(SECRET_BYTES) + "\n")
    return True


def _exposure(path: Path) -> str | None:
    """A warning when others may read the secret file."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return None
    if mode & (stat.S_IRGRP | stat.S_IROTH):
        return (f"warning: the secret file {path} can be read by other users (mode "
                f"{stat.S_IMODE(mode):o}); if students share this machine: chmod 600 {path}")
    return None


def with_secret(rubric: Rubric, secret: str) -> Rubric:
    """The rubric grading with a private ``secret`` (e.g. a test's fixed one)."""
    return dataclasses.replace(rubric, secret=secret, secret_private=True)


def for_run(rubric: Rubric, secret_file: Path | None = None, *,
            public: bool = False) -> SecretChoice:
    """The rubric with the secret official grading uses (see the module docstring)."""
    if public:
        where = f"`secret` in {rubric.path}" if rubric.secret else f"{rubric.path} sets none"
        return SecretChoice(rubric, (PUBLIC_WARNING.format(where=where),))
    notices: list[str] = []
    path = secret_file or (Path(rubric.secret_file) if rubric.secret_file else None)
    if path is None:
        path = default_path()
        try:
            if create_secret(path):
                notices.append(f"created this user's private grading secret: {path} (keep it: "
                               "results graded with another secret differ)")
        except OSError as exc:
            raise SecretError(f"{path}: cannot create the private secret: "
                              f"{exc.strerror or exc}; name one with --secret-file") from None
    secret = read_secret(path)
    exposure = _exposure(path)
    if exposure:
        notices.append(exposure)
    return SecretChoice(with_secret(rubric, secret), tuple(notices))
