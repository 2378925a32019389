# mount_fstypes.py [PID]: the filesystem type of every mount in the mount namespace of PID
# (default: our own), one a line, from listmount(2)/statmount(2) (Linux 6.8). Unlike mountinfo
# (and listmount from the caller's root) it climbs to the namespace's root mount first, so it
# also lists the mounts a chroot or a mount stacked on "/" has put out of reach.
import ctypes, os, struct, sys
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
if len(sys.argv) > 1:
    fd = os.open(f"/proc/{sys.argv[1]}/ns/mnt", os.O_RDONLY)
    if libc.setns(fd, 0x00020000) != 0:
        sys.exit("setns: " + os.strerror(ctypes.get_errno()))
SYS_statmount, SYS_listmount, LSMT_ROOT = 457, 458, 0xFFFFFFFFFFFFFFFF
STATMOUNT_MNT_BASIC, STATMOUNT_FS_TYPE = 0x2, 0x20


def req(mnt_id, param):
    return ctypes.create_string_buffer(struct.pack("IIQQ", 24, 0, mnt_id, param), 24)


def listmount(mnt_id):
    ids = (ctypes.c_uint64 * 8192)()
    n = libc.syscall(SYS_listmount, req(mnt_id, 0), ids, 8192, 0)
    if n < 0:
        sys.exit("listmount: " + os.strerror(ctypes.get_errno()))
    return list(ids[:n])


def statmount(mnt_id):
    """(fs type, parent mount id), or None if there is no such mount."""
    buf = ctypes.create_string_buffer(65536)
    if libc.syscall(SYS_statmount, req(mnt_id, STATMOUNT_MNT_BASIC | STATMOUNT_FS_TYPE), buf, 65536, 0) < 0:
        return None
    # struct statmount: fs_type (an offset into str[], which starts at byte 512) at 36,
    # mnt_parent_id at 48.
    fs_off, = struct.unpack_from("I", buf, 36)
    parent, = struct.unpack_from("Q", buf, 48)
    return buf.raw[512 + fs_off:].split(b"\0", 1)[0].decode(), parent


ids = listmount(LSMT_ROOT)
if not ids:
    sys.exit("listmount: no mounts")
top = ids[0]
while True:
    parent = statmount(top)[1]
    if parent == top or statmount(parent) is None:
        break
    top = parent
for mnt_id in [top] + listmount(top):
    print(statmount(mnt_id)[0])
