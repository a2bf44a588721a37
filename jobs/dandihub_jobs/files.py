"""Walking user data safely: no symlink is followed, nothing outside the root is touched, and a
file or directory that disappears while we look is skipped, not an error."""
import json
import os
import stat
import time
from datetime import datetime, timezone


class Entry:
    __slots__ = ("path", "size", "mtime", "is_dir", "is_link")

    def __init__(self, path, size, mtime, is_dir, is_link):
        self.path = path
        self.size = size
        self.mtime = mtime
        self.is_dir = is_dir
        self.is_link = is_link


def walk(root, scandir=os.scandir):
    """Every entry below ``root`` (not root itself), children before their directory.

    Symlinks are reported as links (lstat), never followed. Entries that vanish mid-walk are
    skipped. ``scandir`` is injectable so tests can change the tree while it is being walked.
    """
    try:
        with scandir(root) as it:
            children = list(it)
    except (FileNotFoundError, NotADirectoryError, PermissionError):
        return
    for child in children:
        try:
            st = os.lstat(child.path)
        except FileNotFoundError:
            continue
        is_link = stat.S_ISLNK(st.st_mode)
        is_dir = stat.S_ISDIR(st.st_mode)
        if is_dir:
            yield from walk(child.path, scandir)
        yield Entry(child.path, st.st_size, st.st_mtime, is_dir, is_link)


def inside(root, path):
    """Whether ``path`` is lexically inside ``root`` (no symlink resolution needed: we never follow)."""
    root = os.path.abspath(root)
    path = os.path.abspath(path)
    return os.path.commonpath([root, path]) == root and path != root


def tree_size(path, scandir=os.scandir):
    return sum(e.size for e in walk(path, scandir) if not e.is_dir)


def now():
    return time.time()


def iso(ts):
    return datetime.fromtimestamp(ts, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def report_line(*fields):
    """A TSV line; the path (last field) is JSON-quoted so spaces, tabs and newlines survive."""
    *plain, path = fields
    return "\t".join([*(str(f) for f in plain), json.dumps(path)]) + "\n"


def write_report(report_dir, name, header, lines, stamp):
    """Writes ``<report_dir>/<name>-<stamp>.tsv`` atomically (temp file, then rename)."""
    os.makedirs(report_dir, exist_ok=True)
    final = os.path.join(report_dir, f"{name}-{stamp}.tsv")
    tmp = final + ".partial"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(header)
        f.writelines(lines)
    os.replace(tmp, final)
    return final
