"""Walking and changing user data without ever following a symlink a user planted.

Users own everything on their volumes and can swap any file or directory for a symlink at any
moment, also between our looking and our acting. So nothing here opens, reads, writes or deletes
by path below a trusted root: every directory is opened relative to its parent's descriptor with
O_NOFOLLOW, and every change is made relative to a directory descriptor (``dir_fd``) on the name
itself (unlink and rmdir act on the entry, a rename replaces it). A symlink is then only ever a
name: it is reported, archived and removed as a link, and what it points to is never touched.
Entries that vanish while we look are skipped, not errors.
"""
import errno
import json
import os
import stat
import time
from contextlib import contextmanager
from datetime import datetime, timezone

DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
#: Refused symlinks (ELOOP), a file where a directory was (ENOTDIR), a name that is gone.
SWAPPED = (errno.ELOOP, errno.ENOTDIR, errno.ENOENT)


class Entry:
    __slots__ = ("path", "rel", "size", "mtime", "is_dir", "is_link")

    def __init__(self, path, rel, size, mtime, is_dir, is_link):
        self.path = path
        self.rel = rel
        self.size = size
        self.mtime = mtime
        self.is_dir = is_dir
        self.is_link = is_link


@contextmanager
def opened(path, dir_fd=None):
    """A directory descriptor for ``path`` (relative to ``dir_fd`` when given), refusing a symlink."""
    fd = os.open(path, DIR_FLAGS, dir_fd=dir_fd)
    try:
        yield fd
    finally:
        os.close(fd)


@contextmanager
def opened_below(root, rel):
    """The directory ``rel`` below the trusted ``root``, opened one component at a time with
    O_NOFOLLOW: a symlink anywhere on the way raises OSError (ELOOP or ENOTDIR)."""
    with opened(root) as fd, opened_at(fd, rel) as below:
        yield below


def _names(dir_fd):
    with os.scandir(dir_fd) as it:
        return sorted(e.name for e in it)


def scan(dir_fd, base="", prefix="", on_enter=None):
    """Every entry below the directory open as ``dir_fd`` (not the directory itself), children
    before their directory. ``path`` is ``base``/rel for reports, ``rel`` the path below it.

    Directories are entered relative to their parent with O_NOFOLLOW, so one swapped for a
    symlink after we listed it is not entered. ``on_enter(rel)`` runs before a directory is
    listed (tests change the tree there)."""
    if on_enter:
        on_enter(prefix)
    try:
        names = _names(dir_fd)
    except OSError as err:
        if err.errno in SWAPPED:
            return
        raise
    for name in names:
        rel = f"{prefix}/{name}" if prefix else name
        try:
            st = os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
        except FileNotFoundError:
            continue
        is_dir = stat.S_ISDIR(st.st_mode)
        if is_dir:
            try:
                with opened(name, dir_fd) as child:
                    yield from scan(child, base, rel, on_enter)
            except OSError as err:
                if err.errno not in SWAPPED:
                    raise
                continue
        yield Entry(os.path.join(base, rel), rel, st.st_size, st.st_mtime, is_dir, stat.S_ISLNK(st.st_mode))


def walk(root, on_enter=None):
    """``scan`` of the trusted directory ``root``; nothing when it is missing or not a directory."""
    try:
        with opened(root) as fd:
            yield from scan(fd, root, "", on_enter)
    except OSError as err:
        if err.errno not in SWAPPED + (errno.EACCES,):
            raise


def tree_size(path, on_enter=None):
    """Bytes of everything below ``path`` (links count as the link, never what they point to)."""
    return sum(e.size for e in walk(path, on_enter) if not e.is_dir)


def remove_entries(root_fd, entries):
    """Removes planned entries (children before their directory) below the directory open as
    ``root_fd``; returns (removed, errors). Each is removed by name in its parent, reached again
    component by component with O_NOFOLLOW: a parent swapped for a link is refused, a directory
    swapped for a link is not removed (rmdir refuses it), a file swapped for a link loses the link
    only. Nothing outside ``root_fd`` can be reached."""
    removed, errors = [], []
    for e in entries:
        parent, _, name = e.rel.rpartition("/")
        try:
            with opened_at(root_fd, parent) as pfd:
                if e.is_dir and not e.is_link:
                    os.rmdir(name, dir_fd=pfd)
                else:
                    st = os.stat(name, dir_fd=pfd, follow_symlinks=False)
                    if stat.S_ISDIR(st.st_mode):
                        raise OSError(errno.EISDIR, "became a directory", e.rel)
                    os.unlink(name, dir_fd=pfd)
            removed.append(e)
        except FileNotFoundError:
            continue  # someone else removed it: fine
        except OSError as err:
            errors.append((e, err.strerror or str(err)))
    return removed, errors


@contextmanager
def opened_at(root_fd, rel):
    """The directory ``rel`` below the directory open as ``root_fd`` (itself when ``rel`` is
    empty), reached one component at a time with O_NOFOLLOW; a ``..`` is refused."""
    parts = [p for p in rel.split("/") if p not in ("", ".")]
    if not parts:
        yield root_fd
        return
    fd = os.dup(root_fd)
    try:
        for part in parts:
            if part == "..":
                raise OSError(errno.EACCES, "refusing '..'", rel)
            nxt = os.open(part, DIR_FLAGS, dir_fd=fd)
            os.close(fd)
            fd = nxt
        yield fd
    finally:
        os.close(fd)


def empty_directory(dir_fd):
    """Removes everything inside the directory open as ``dir_fd`` but the directory itself."""
    for name in _names(dir_fd):
        try:
            st = os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
        except FileNotFoundError:
            continue
        if stat.S_ISDIR(st.st_mode):
            try:
                with opened(name, dir_fd) as child:
                    empty_directory(child)
            except OSError as err:
                if err.errno not in SWAPPED:
                    raise
            try:
                os.rmdir(name, dir_fd=dir_fd)
            except OSError as err:
                if err.errno != errno.ENOTDIR:
                    raise
                os.unlink(name, dir_fd=dir_fd)  # swapped for a link meanwhile: the link goes
        else:
            os.unlink(name, dir_fd=dir_fd)


def write_new_file(dir_fd, name, text, mode=0o644):
    """Writes ``name`` in the directory open as ``dir_fd``: into a fresh temporary file
    (O_CREAT|O_EXCL|O_NOFOLLOW, so nothing that exists, link or not, is opened), then renamed
    over ``name``. A symlink planted as ``name`` is replaced, never written through."""
    tmp = f".{name}.{os.getpid()}.tmp"
    try:
        os.unlink(tmp, dir_fd=dir_fd)
    except FileNotFoundError:
        pass
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, mode, dir_fd=dir_fd)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, name, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)


def open_regular_file(dir_fd, name):
    """A read descriptor for the regular file ``name``, or None if it is anything else now
    (a link, a directory, a pipe: O_NOFOLLOW|O_NONBLOCK, then checked with fstat)."""
    try:
        fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC, dir_fd=dir_fd)
    except OSError as err:
        if err.errno in SWAPPED:
            return None
        raise
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        return None
    return fd


def inside(root, path):
    """Whether ``path`` is lexically inside ``root`` (no symlink resolution needed: we never follow)."""
    root = os.path.abspath(root)
    path = os.path.abspath(path)
    return os.path.commonpath([root, path]) == root and path != root


def now():
    return time.time()


def iso(ts):
    return datetime.fromtimestamp(ts, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def report_line(*fields):
    """A TSV line; the path (last field) is JSON-quoted so spaces, tabs and newlines survive."""
    *plain, path = fields
    return "\t".join([*(str(f) for f in plain), json.dumps(path)]) + "\n"


def write_report(report_dir, name, header, lines, stamp):
    """Writes ``<report_dir>/<name>-<stamp>.tsv`` in one step (``write_new_file``)."""
    final = f"{name}-{stamp}.tsv"
    write_into(report_dir, final, header + "".join(lines))
    return os.path.join(report_dir, final)


def write_into(directory, name, text):
    """``write_new_file`` into ``directory`` (created if missing; refused if it is a link)."""
    os.makedirs(directory, exist_ok=True)
    with opened(directory) as fd:
        write_new_file(fd, name, text)
