"""Hostile: sleeps forever."""
import time
x = 1
time.sleep(10_000)
