"""Hostile: one huge file in the working directory."""
x = 1
with open("big.bin", "wb") as handle:
    block = b"\0" * (1024 * 1024)
    for _ in range(1024):  # 1 GiB
        handle.write(block)
y = 2
