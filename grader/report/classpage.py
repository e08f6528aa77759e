"""The class report: one self-contained HTML page summarising a folder of results.

:func:`summarise` turns a :class:`~grader.report.collect.Collection` into plain data (score
distribution, per-task and per-check statistics, grouped failure reasons, one row per
student, the grading run's facts); :func:`render` fills ``templates/class.html.j2`` with it.
Everything except the "when" facts (file times, ``batch.json``) depends only on the
results' contents, in a fixed order.
"""

from __future__ import annotations

import os
import re
import statistics
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from urllib.parse import quote

from jinja2 import Environment, PackageLoader, select_autoescape

from grader import __version__
from grader.report.batch import read_batch
from grader.report.collect import RESULT_NAME, Collection, LoadedResult, collect
from grader.report.outputs import CLASS_PAGE

HISTOGRAM_BINS = 10
TOP_REASONS = 3
STUDENT_REPORT = "report.html"
_NUMBER = re.compile(r"[-+]?\d+(?:[.,]\d+)*(?:e[-+]?\d+)?", re.IGNORECASE)


class ClassPageError(ValueError):
    """The class page cannot be written where asked (the message names the path and why)."""


def points(value: float) -> str:
    """70.0 -> "70", 12.5 -> "12.5"."""
    return f"{value:.2f}".rstrip("0").rstrip(".") if value != int(value) else str(int(value))


def student_name(submission: dict[str, Any]) -> str:
    """The name to show: the roster's or the LMS's (``student_name``), else the submission's."""
    return str(submission.get("student_name") or submission["name"])


def first_sentence(message: str, limit: int = 300) -> str:
    """The message up to its first full stop (the reason; the rest is evidence), capped."""
    text = " ".join(message.split())
    match = re.search(r"[.!?](?=\s+[A-Z(])", text)
    head = text[:match.end()] if match else text
    return head if len(head) <= limit else head[:limit - 1] + "…"


def reason_key(message: str) -> str:
    """A failure reason with its numbers blanked, so the same reason groups across students."""
    return _NUMBER.sub("#", first_sentence(message))


@dataclass
class CheckStats:
    task_id: str
    check_id: str
    title: str
    visibility: str
    max_score: float
    counts: Counter[str] = field(default_factory=Counter)  # status -> n, where the task counted
    not_counted: int = 0  # results where this check's task was an alternative that scored lower
    not_attempted: int = 0  # results where its task counted but was not attempted (not "failed")
    reasons: Counter[str] = field(default_factory=Counter)  # reason_key -> n (failed / error)
    examples: dict[str, tuple[str, str]] = field(default_factory=dict)  # key -> (student, message)

    def top_reasons(self) -> list[dict[str, Any]]:
        ranked = sorted(self.reasons.items(), key=lambda item: (-item[1], item[0]))[:TOP_REASONS]
        return [{"count": n, "student": self.examples[key][0],
                 "reason": first_sentence(self.examples[key][1]), "message": self.examples[key][1]}
                for key, n in ranked]


@dataclass
class TaskStats:
    id: str
    title: str
    group: str | None
    optional: bool
    max_score: float
    scores: list[float] = field(default_factory=list)
    full: int = 0  # results where every check of the task passed
    not_attempted: int = 0  # results where nothing was found for the task
    counted: int = 0


def _flags(data: dict[str, Any]) -> list[str]:
    """Short words for what an instructor should look at: errors, limits, isolation."""
    flags: list[str] = []
    if data["status"] != "graded":
        flags.append("not graded")
    run = data.get("run") or {}
    ending = run.get("ending")
    if ending and ending != "finished":
        flags.append(str(ending).replace("_", " "))
    events = run.get("events") or []
    if events:
        flags.append(f"{len(events)} sandbox event{'s' if len(events) > 1 else ''}")
    failed_cells = sum(1 for c in data.get("cells") or [] if isinstance(c, dict) and c.get("status") != "ok")
    if failed_cells:
        flags.append(f"{failed_cells} cell error{'s' if failed_cells > 1 else ''}")
    if run.get("output_truncated"):
        flags.append("output cut")
    if run.get("missing_protections"):
        flags.append("degraded isolation")
    if data["submission"].get("problems"):
        flags.append("file problems")
    intake = data["submission"].get("intake")
    if isinstance(intake, dict) and intake.get("late"):
        flags.append("late")
    if any(c["status"] == "error" for t in data["tasks"] for c in t["checks"]):
        flags.append("grader error")
    return flags


def _link(result: LoadedResult, root: Path, out_dir: Path) -> str:
    """The student's report relative to the page; its result.json when it has no report."""
    folder = root.resolve() / result.folder
    target = folder / (STUDENT_REPORT if (folder / STUDENT_REPORT).is_file() else RESULT_NAME)
    return quote(Path(os.path.relpath(target, out_dir)).as_posix())


def _histogram(percents: list[float]) -> list[dict[str, Any]]:
    bins = [0] * HISTOGRAM_BINS
    for value in percents:
        bins[min(HISTOGRAM_BINS - 1, max(0, int(value // (100 / HISTOGRAM_BINS))))] += 1
    width = 100 // HISTOGRAM_BINS
    return [{"low": i * width, "high": (i + 1) * width, "count": n,
             "label": f"{i * width}–{(i + 1) * width}%" + ("" if i < HISTOGRAM_BINS - 1 else " incl.")}
            for i, n in enumerate(bins)]


def _svg_bars(histogram: list[dict[str, Any]], width: int = 560, height: int = 200) -> dict[str, Any]:
    """Geometry of the histogram's SVG bars (the template draws them)."""
    top = max([b["count"] for b in histogram] + [1])
    slot = (width - 40) / len(histogram)
    bars = []
    for i, b in enumerate(histogram):
        h = round((height - 40) * b["count"] / top, 1)
        bars.append({**b, "x": round(30 + i * slot + 2, 1), "w": round(slot - 4, 1),
                     "y": round(height - 20 - h, 1), "h": h})
    return {"width": width, "height": height, "bars": bars, "top": top}


def _iso(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")


def _when(collection: Collection) -> dict[str, Any]:
    """The last runs from ``batch.json``, else the span of the results' file times."""
    batch = read_batch(collection.root)
    runs = batch.get("runs", []) if batch else []
    times = [r.path.stat().st_mtime for r in collection.results]
    return {"runs": runs[-5:], "n_runs": len(runs),
            "first_written": _iso(min(times)) if times else None,
            "last_written": _iso(max(times)) if times else None}


def _facts(collection: Collection) -> dict[str, Any]:
    results = [r.data for r in collection.results]
    rubrics = Counter(f"{d['rubric'].get('id')} {d['rubric'].get('version')}" for d in results)
    digests = Counter(str(d["rubric"].get("digest", ""))[:12] for d in results)
    graders = Counter(str((d.get("environment") or {}).get("grader", "?")) for d in results)
    fingerprints = Counter(str((d.get("environment") or {}).get("fingerprint", "?")) for d in results)
    totals = [float((d.get("timing") or {}).get("total_seconds") or 0) for d in results]
    protections: Counter[str] = Counter()
    missing: Counter[str] = Counter()
    notes: Counter[str] = Counter()
    for d in results:
        run = d.get("run") or {}
        protections.update(k for k, v in (run.get("protections") or {}).items() if v)
        missing.update(run.get("missing_protections") or [])
        if run.get("isolation_note"):
            notes[str(run["isolation_note"])] += 1
    env = next((d.get("environment") for d in results if d.get("environment")), {}) or {}
    return {
        "rubrics": sorted(rubrics.items()), "digests": sorted(digests.items()),
        "graders": sorted(graders.items()), "fingerprints": sorted(fingerprints.items()),
        "python": env.get("python"), "libraries": sorted((env.get("libraries") or {}).items()),
        "seed": env.get("seed"), "threads": env.get("threads"),
        "grading_seconds": round(sum(totals), 1),
        "slowest": max(totals) if totals else 0.0,
        "protections": sorted(protections.items()), "missing": sorted(missing.items()),
        "notes": sorted(notes.items()), "fully_isolated": sum(
            1 for d in results if (d.get("run") or {}).get("protections")
            and not (d.get("run") or {}).get("missing_protections")),
        "report_grader": __version__,
        **_when(collection),
    }


def _tally(result: LoadedResult, tasks: dict[str, TaskStats],
           checks: dict[tuple[str, str], CheckStats]) -> dict[str, dict[str, Any]]:
    """Add one result to the task and check statistics; returns its per-task cells."""
    name = str(result.data["submission"]["name"])
    cells = {}
    for task in result.data["tasks"]:
        stats = tasks.setdefault(task["id"], TaskStats(
            id=task["id"], title=task["title"], group=task.get("group"),
            optional=bool(task.get("optional")), max_score=float(task["max_score"])))
        counted = bool(task.get("counted", True))
        attempted = bool(task.get("attempted", True))  # schema 1-2 results: always attempted
        stats.scores.append(float(task["score"]))
        stats.counted += counted
        stats.full += all(c["status"] == "passed" for c in task["checks"])
        stats.not_attempted += not attempted
        cells[task["id"]] = {"score": float(task["score"]), "counted": counted,
                             "text": points(float(task["score"])),
                             "not_attempted": "" if attempted else str(task.get("not_attempted", ""))}
        for check in task["checks"]:
            cs = checks.setdefault((task["id"], check["id"]), CheckStats(
                task_id=task["id"], check_id=check["id"], title=check["title"],
                visibility=check["visibility"], max_score=float(check["max_score"])))
            if not counted:
                cs.not_counted += 1
                continue
            if not attempted:  # counted apart, and no inventory dump among the reasons
                cs.not_attempted += 1
                continue
            cs.counts[check["status"]] += 1
            if check["status"] in ("failed", "error"):
                key = reason_key(check["message"])
                cs.reasons[key] += 1
                cs.examples.setdefault(key, (name, check["message"]))
    return cells


def _student_row(result: LoadedResult, cells: dict[str, dict[str, Any]], link: str) -> dict[str, Any]:
    data = result.data
    score, max_score = float(data["score"]), float(data["max_score"])
    return {
        "name": student_name(data["submission"]), "folder": result.folder,
        "id": str(data["submission"].get("student_id") or ""),
        "status": data["status"], "error": data.get("error"),
        "score": score, "max_score": max_score,
        "percent": round(100 * score / max_score, 1) if max_score else 0.0,
        "score_text": points(score), "max_text": points(max_score),
        "tasks": cells, "flags": _flags(data), "link": link,
        "events": [str(e) for e in (data.get("run") or {}).get("events") or []],
        "seconds": float((data.get("timing") or {}).get("total_seconds") or 0),
    }


def _task_row(t: TaskStats) -> dict[str, Any]:
    n = len(t.scores)
    return {"id": t.id, "title": t.title, "group": t.group, "optional": t.optional,
            "max_text": points(t.max_score), "n": n, "counted": t.counted, "full": t.full,
            "not_attempted": t.not_attempted, "failed": n - t.full - t.not_attempted,
            "mean": points(round(statistics.fmean(t.scores), 2)) if n else "–",
            "median": points(round(statistics.median(t.scores), 2)) if n else "–",
            "pass_rate": round(100 * t.full / n, 1) if n else 0.0}


def _check_row(c: CheckStats) -> dict[str, Any]:
    return {"task": c.task_id, "id": c.check_id, "title": c.title, "visibility": c.visibility,
            "max_text": points(c.max_score), "passed": c.counts["passed"],
            "failed": c.counts["failed"], "error": c.counts["error"],
            "skipped": c.counts["skipped"], "not_counted": c.not_counted,
            "not_attempted": c.not_attempted,
            "reasons": c.top_reasons(), "other_reasons": max(0, len(c.reasons) - TOP_REASONS)}


def _stat(function: Any, values: list[float]) -> str:
    return points(round(function(values), 2)) if values else "–"


def summarise(collection: Collection, out_dir: Path) -> dict[str, Any]:
    """Everything the class page shows, as plain data; links are relative to ``out_dir``."""
    tasks: dict[str, TaskStats] = {}
    checks: dict[tuple[str, str], CheckStats] = {}
    students = [_student_row(r, _tally(r, tasks, checks), _link(r, collection.root, out_dir))
                for r in collection.results]
    scores = [s["score"] for s in students]
    max_scores = Counter(s["max_score"] for s in students)
    histogram = _histogram([s["percent"] for s in students])
    return {
        "root": str(collection.root), "n": len(students),
        "n_graded": sum(1 for s in students if s["status"] == "graded"),
        "n_flagged": sum(1 for s in students if s["flags"]),
        "max_score": points(max_scores.most_common(1)[0][0]) if max_scores else "–",
        "mean": _stat(statistics.fmean, scores), "median": _stat(statistics.median, scores),
        "stdev": _stat(statistics.pstdev, scores),
        "lowest": _stat(min, scores), "highest": _stat(max, scores),
        "histogram": histogram, "svg": _svg_bars(histogram),
        "tasks": [_task_row(t) for t in tasks.values()],
        "checks": [_check_row(c) for c in checks.values()], "students": students,
        "no_submission": collection.no_submission(),
        "problems": [{"path": p.path, "reason": p.reason} for p in collection.problems],
        "facts": _facts(collection),
    }


def _environment() -> Environment:
    env = Environment(loader=PackageLoader("grader.report", "templates"),
                      autoescape=select_autoescape(["html", "j2"], default=True),
                      trim_blocks=True, lstrip_blocks=True)
    return env


def render(summary: dict[str, Any]) -> str:
    """The class page's HTML for a :func:`summarise` result."""
    return _environment().get_template("class.html.j2").render(s=summary)


def write_class_report(results_dir: Path, out: Path | None = None) -> tuple[Path, Collection]:
    """Read ``results_dir``, write the class page (default ``results_dir/class.html``).

    Raises :class:`ClassPageError` when ``out`` is a folder (such as a submission's results
    folder named ``class.html`` by a grader that did not keep the names apart).
    """
    collection = collect(results_dir)
    out = out or results_dir / CLASS_PAGE
    if out.is_dir():
        raise ClassPageError(f"{out}: is a folder, not a file the class page can replace; "
                             "write the class page elsewhere with -o FILE")
    html = render(summarise(collection, out.resolve().parent))
    out.parent.mkdir(parents=True, exist_ok=True)
    temporary = out.with_name(f".{out.name}.tmp")
    temporary.write_text(html, encoding="utf-8")
    os.replace(temporary, out)
    return out, collection
