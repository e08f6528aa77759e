"""Hostile: exits halfway with sys.exit(0)."""
first = 1
import sys
sys.exit(0)
after = 2
