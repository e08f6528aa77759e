"""Hostile: talks to the host over TCP, UDP and a unix socket the test created."""
import socket
results = {}
try:
    s = socket.create_connection(("127.0.0.1", 47613), timeout=2)
    s.sendall(b"LGMARK_net tcp")
    s.close()
    results["tcp"] = "ok"
except OSError as exc:
    results["tcp"] = f"fail {exc}"
try:
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.sendto(b"LGMARK_net udp", ("127.0.0.1", 47614))
    results["udp"] = "sent"
except OSError as exc:
    results["udp"] = f"fail {exc}"
try:
    x = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    x.settimeout(2)
    x.connect("/tmp/labgrade-attack-LGMARK.sock")
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
