"""Hostile: talks to the host over TCP, UDP and a unix socket the test created.

tests/test_attacks.py grades a copy with TCP_PORT, UDP_PORT and UNIX_SOCK set to its own
listeners (ports the OS chose), so concurrent test runs never collide.
"""
import socket
TCP_PORT, UDP_PORT, UNIX_SOCK = 0, 0, ""  # set by tests/test_attacks.py
results = {}
try:
    s = socket.create_connection(("127.0.0.1", TCP_PORT), timeout=2)
    s.sendall(b"LGMARK_net tcp")
    s.close()
    results["tcp"] = "ok"
except OSError as exc:
    results["tcp"] = f"fail {exc}"
try:
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.sendto(b"LGMARK_net udp", ("127.0.0.1", UDP_PORT))
    results["udp"] = "sent"
except OSError as exc:
    results["udp"] = f"fail {exc}"
try:
    x = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    x.settimeout(2)
    x.connect(UNIX_SOCK)
    x.sendall(b"LGMARK_net unix")
    x.close()
    results["unix"] = "ok"
except OSError as exc:
    results["unix"] = f"fail {exc}"
try:
    socket.getaddrinfo("example.com", 80)
    results["dns"] = "ok"
except OSError as exc:
    results["dns"] = f"fail {exc}"
print("NETRESULTS", results, flush=True)
