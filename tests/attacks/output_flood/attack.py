"""Hostile: floods stdout and stderr."""
import sys
x = 1
line = "LGMARK_flood " * 50
while True:
    print(line)
    print(line, file=sys.stderr)
