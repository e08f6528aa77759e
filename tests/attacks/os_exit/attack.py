"""Hostile: exits halfway with os._exit(0)."""
first = 1
import os
os._exit(0)
after = 2
