"""What the grader keeps of a run is bounded by its own limits, whatever the child sends.

The reader takes one frame at a time, only when the session asks, so a child that floods
blocks on its pipe; texts are cut with a marker; the grader's own failures say so. (The
attacks in tests/attacks/ forge frames through a real sandbox: see tests/test_attacks.py.)
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest

from grader import protocol
from grader.isolation import Support
from grader.launcher import GraderFault, SandboxSession, _FrameReader, cut
from grader.loading import load_submission


def test_cut_keeps_short_texts_and_marks_what_it_cut():
    assert cut("short", 10) == "short"
    assert cut("a" * 30, 10) == "a" * 10 + "… [20 characters cut by the grader]"
    assert cut("x" * 25 + "end", 3, keep_end=True) == "[25 characters cut by the grader]\nend"
    assert cut("abc", 0, keep_end=True) == "[3 characters cut by the grader]\n"


def test_the_reader_reads_a_frame_only_when_asked_so_a_flooding_child_blocks():
    read_end, write_end = os.pipe()
    frame = protocol.encode_message({"type": "figure", "png": "A" * 30_000})
    written = []

    def flood() -> None:
        try:
            for _ in range(1_000):  # 30 MB if nothing held it back
                os.write(write_end, frame)
                written.append(1)
        except OSError:
            pass  # the reader closed its end

    writer = threading.Thread(target=flood, daemon=True)
    writer.start()
    reader = _FrameReader(os.fdopen(read_end, "rb", buffering=0))
    reader.start()
    try:
        time.sleep(0.5)
        held = len(written)
        assert held <= 4 and reader.queue.empty()  # a pipe's buffer: 64 KiB, two frames
        for _ in range(3):
            reader.ask()
            assert reader.queue.get(timeout=5).message["type"] == "figure"
        time.sleep(0.3)
        assert len(written) <= held + 3 + 1
        assert reader.budget.bytes == reader.budget.total_bytes - 3 * (len(frame) - 4)
    finally:
        reader.stop()
        os.close(write_end)
        reader.join(timeout=5)
    assert not reader.is_alive()


def test_the_reader_hands_over_the_error_that_ends_the_channel():
    read_end, write_end = os.pipe()
    os.write(write_end, protocol.HEADER.pack(protocol.MAX_FRAME_BYTES + 1))
    reader = _FrameReader(os.fdopen(read_end, "rb", buffering=0))
    reader.start()
    reader.ask()
    problem = reader.queue.get(timeout=5)
    assert isinstance(problem, protocol.ProtocolError) and "exceeds the limit" in str(problem)
    reader.join(timeout=5)
    assert not reader.is_alive()  # it stopped, and closed its end of the pipe
    with pytest.raises(BrokenPipeError):
        os.write(write_end, b"x")
    os.close(write_end)


def test_a_message_the_grader_cannot_send_is_the_graders_fault(tmp_path: Path):
    (tmp_path / "lab.py").write_text("x = 1\n")
    session = SandboxSession(load_submission(tmp_path), seed=0,
                             support=Support(bwrap=None, setpriv=None, cgroup_version=None,
                                             reason="test"))
    try:
        session._requests = open(os.devnull, "wb", buffering=0)  # noqa: SIM115
        assert session._send({"type": "probe", "X": [1.0]}) is True
        with pytest.raises(GraderFault, match="could not send its probe message to the sandbox "
                                              r"\(.*\): a limit of the grader's, not a fault"):
            session._send({"type": "probe", "X": [float("nan")]})
    finally:
        session._requests.close()
        session.close()
