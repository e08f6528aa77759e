"""Hostile: opens a perf event (perf_event_open), a large kernel surface a lab never needs."""
import ctypes, os, platform, struct
NUMBERS = {"x86_64": 298, "aarch64": 241}
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
# struct perf_event_attr: type PERF_TYPE_SOFTWARE, size 128, config PERF_COUNT_SW_CPU_CLOCK,
# no sample period, type or read format, then the flags: exclude_kernel | exclude_hv (bits 5
# and 6), so even perf_event_paranoid 2 allows it
attr = struct.pack("=IIQQQQQ", 1, 128, 0, 0, 0, 0, (1 << 5) | (1 << 6)).ljust(128, b"\0")
buffer = ctypes.create_string_buffer(attr, len(attr))
fd = libc.syscall(NUMBERS[platform.machine()], buffer, ctypes.c_int(0), ctypes.c_int(-1),
                  ctypes.c_int(-1), ctypes.c_ulong(0))
print("PERF", f"ok {fd}" if fd >= 0 else os.strerror(ctypes.get_errno()), flush=True)
x = 1
