# Calls that std.base refuses, made directly (denials.test): keyctl (EPERM, recorded), many
# times over, and clone3 (ENOSYS, the kernel's).
import ctypes

libc = ctypes.CDLL(None, use_errno=True)
SYS_keyctl, SYS_clone3 = 250, 435


def refused(nr, *args):
    ctypes.set_errno(0)
    result = libc.syscall(nr, *args)
    return result, ctypes.get_errno()


print("keyctl errno", refused(SYS_keyctl, 0, 0, 0, 0)[1])
count = 1
for _ in range(2999):
    count += refused(SYS_keyctl, 0, 0, 0, 0)[0] == -1
print(count, "keyctl calls refused")
print("clone3 errno", refused(SYS_clone3, 0, 0)[1])
