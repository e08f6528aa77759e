"""Hostile: many small files in the working directory (bounded to ~150 MB)."""
import os
x = 1
os.makedirs("junk", exist_ok=True)
block = b"\1" * (512 * 1024)
for i in range(300):
    with open(f"junk/{i}.bin", "wb") as handle:
        handle.write(block)
y = 2
