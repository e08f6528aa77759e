"""Hostile: allocates far more memory than allowed."""
x = 1
chunks = []
for _ in range(30):
    chunks.append(bytearray(1024**3))  # 30 GB in total
y = 2
grow = []
while True:
    grow.append(" " * 10_000_000)
