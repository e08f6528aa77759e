"""Hostile: stores a "trained model" in the kernel keyrings of its uid, for a later run.

The user keyring (and the persistent one) outlive a process: another submission run as the
same uid could read it back (keyring_2_read). tests/test_attacks.py grades a copy with
DESCRIPTION set per run, so concurrent test runs never see each other's keys.
"""
import ctypes, os, platform
DESCRIPTION = "labgrade-LGMARK-model"  # set by tests/test_attacks.py
PAYLOAD = b"LGMARK-KEYRING-MODEL-5e1d"
NUMBERS = {"x86_64": {"add_key": 248, "keyctl": 250}, "aarch64": {"add_key": 217, "keyctl": 219}}
KEY_SPEC_USER_KEYRING, KEYCTL_GET_PERSISTENT = -4, 22
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
nr = NUMBERS[platform.machine()]


def call(*args):
    result = libc.syscall(*args)
    return f"ok {result}" if result >= 0 else os.strerror(ctypes.get_errno())


def add(keyring):
    return call(nr["add_key"], b"user", DESCRIPTION.encode(), PAYLOAD, ctypes.c_size_t(len(PAYLOAD)),
                ctypes.c_int(keyring))


print("KEYRING add_key user:", add(KEY_SPEC_USER_KEYRING), flush=True)
persistent = libc.syscall(nr["keyctl"], KEYCTL_GET_PERSISTENT, ctypes.c_int(-1),
                          ctypes.c_int(KEY_SPEC_USER_KEYRING))
print("KEYRING get_persistent:", f"ok {persistent}" if persistent >= 0
      else os.strerror(ctypes.get_errno()), flush=True)
if persistent >= 0:
    print("KEYRING add_key persistent:", add(persistent), flush=True)
x = 1
