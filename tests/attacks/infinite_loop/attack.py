"""Hostile: spins forever."""
import numpy as np
x = 1
while True:
    pass
