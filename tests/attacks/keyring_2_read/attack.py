"""Hostile: reads back what an earlier run (keyring_1_store) left in the uid's keyrings.

tests/test_attacks.py grades a copy with DESCRIPTION set per run, as for keyring_1_store.
"""
import ctypes, os, platform
DESCRIPTION = "labgrade-LGMARK-model"  # set by tests/test_attacks.py
NUMBERS = {"x86_64": {"request_key": 249, "keyctl": 250},
           "aarch64": {"request_key": 218, "keyctl": 219}}
KEY_SPEC_USER_KEYRING, KEYCTL_GET_PERSISTENT, KEYCTL_SEARCH, KEYCTL_READ = -4, 22, 10, 11
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
nr = NUMBERS[platform.machine()]


def outcome(result):
    return f"ok {result}" if result >= 0 else os.strerror(ctypes.get_errno())


def read(key):
    buffer = ctypes.create_string_buffer(4096)
    size = libc.syscall(nr["keyctl"], KEYCTL_READ, ctypes.c_int(key), buffer, ctypes.c_size_t(4096))
    return buffer.raw[:size].decode(errors="replace") if size >= 0 else os.strerror(ctypes.get_errno())


found = libc.syscall(nr["request_key"], b"user", DESCRIPTION.encode(), None, ctypes.c_int(0))
print("KEYRING request_key:", outcome(found), flush=True)
if found >= 0:
    print("KEYRING read request_key:", read(found), flush=True)
persistent = libc.syscall(nr["keyctl"], KEYCTL_GET_PERSISTENT, ctypes.c_int(-1),
                          ctypes.c_int(KEY_SPEC_USER_KEYRING))
print("KEYRING get_persistent:", outcome(persistent), flush=True)
for name, keyring in (("user", KEY_SPEC_USER_KEYRING), ("persistent", persistent)):
    if keyring == -1:
        continue
    key = libc.syscall(nr["keyctl"], KEYCTL_SEARCH, ctypes.c_int(keyring), b"user",
                       DESCRIPTION.encode(), ctypes.c_int(0))
    print(f"KEYRING search {name}:", outcome(key), flush=True)
    if key >= 0:
        print(f"KEYRING read {name}:", read(key), flush=True)
x = 1
