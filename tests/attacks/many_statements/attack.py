"""Hostile: a script of 40,000 one-line statements (160 KB, far below the 2 MiB limit).

Each statement used to become a cell padded with one newline per line above it: 4.6 GB in
the grader before any sandbox started (the 2 MiB limit allowed ~130 GB). The statements are
written in place of the line below by tests/test_attacks.py, so this file stays small.
"""
x = 0  # 40,000 statements go here (tests/test_attacks.py)
loss_history = [1.0, 0.0]
