"""Pure checks: plain data a sandbox returned in, one :class:`~grader.verdict.Verdict` out."""
