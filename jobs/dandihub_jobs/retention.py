"""The inactive-home policy and the weekly usage audit of one group volume.

    python3 -m dandihub_jobs.retention --homes /homes --volume dandi --bucket <bucket> \
        --hub-api http://hub.jupyterhub.svc:8081/hub/api --warn-after 2592000 \
        --reset-after 3888000 --report-dir /homes/_reports [--apply]

For every home directory (top-level directory not starting with "_"):

- keep: its user was active (JupyterHub's last_activity) within --warn-after;
- warn: inactive longer: a notice file in the home says when it will be archived and reset;
- reset: inactive longer than --reset-after: the home is archived to
  s3://<bucket>/home-archives/<user>/<date>.tar.gz, the archive is checked, and only then
  emptied (the directory stays, so the quota and ownership do);
- unknown: no such hub user, or no recorded activity: left alone, reported.

Dry run unless --apply. If the hub cannot be asked, nothing happens. Every run also writes the
usage audit: bytes per directory, as a report and as Prometheus text (usage.prom).
"""
import argparse
import os
import stat
import sys
import tarfile
import threading
from datetime import datetime, timezone

from .files import empty_directory, iso, now, open_regular_file, opened, opened_at, opened_below, report_line, scan, tree_size, write_into, write_new_file, write_report
from .hub_api import list_all
from .prom import exposition

NOTICE = "INACTIVE-HOME-NOTICE.txt"
KEEP, WARN, RESET, UNKNOWN = "keep", "warn", "reset", "unknown"


def parse_time(text):
    if not text:
        return None
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def hub_activity(api_url, token, fetch=None):
    """{username: last activity (epoch seconds) or None}, from the hub's paginated users API."""
    return {u["name"].lower(): parse_time(u.get("last_activity")) for u in list_all(api_url, "/users", token, fetch, extra="state=&")}


def homes(root):
    """Home directories under ``root``: real directories (not links) not starting with "_"."""
    try:
        with opened(root) as fd:
            names = sorted(e.name for e in os.scandir(fd))
            found = []
            for n in names:
                if n.startswith("_"):
                    continue
                try:
                    if stat.S_ISDIR(os.stat(n, dir_fd=fd, follow_symlinks=False).st_mode):
                        found.append(n)
                except FileNotFoundError:
                    continue
            return found
    except FileNotFoundError:
        return []


def plan(root, activity, at, warn_after, reset_after):
    """[(user, action, inactive seconds or None)] for every home under root."""
    result = []
    for user in homes(root):
        last = activity.get(user.lower())
        if user.lower() not in activity or last is None:
            result.append((user, UNKNOWN, None))
            continue
        idle = at - last
        action = RESET if idle >= reset_after else WARN if idle >= warn_after else KEEP
        result.append((user, action, idle))
    return result


def notice_text(user, reset_on):
    return (
        f"Hello {user},\n\n"
        "You have not used the hub for a while. Unless you log in again, this home directory will be\n"
        f"archived (kept, but no longer here) and emptied on or after {reset_on}.\n"
        "Logging in once is enough to keep it. Ask the hub's administrators to restore an archive.\n"
    )


class _Counting:
    """A write-only file that counts the bytes passing through it."""

    def __init__(self, f):
        self.f = f
        self.count = 0

    def write(self, data):
        self.count += len(data)
        return self.f.write(data)

    def flush(self):
        self.f.flush()


def add_tree(tar, dir_fd, arcname, on_enter=None):
    """Adds the directory open as ``dir_fd`` to ``tar`` as ``arcname``: directories and regular
    files opened relative to their parent with O_NOFOLLOW, symlinks stored as links (never what
    they point to), anything else skipped. An entry swapped meanwhile is skipped or stored as
    what it now is, never followed."""
    st = os.fstat(dir_fd)
    tar.addfile(_info(arcname, st, tarfile.DIRTYPE))
    entries = list(scan(dir_fd, "", "", on_enter))
    # Parents first in the archive (scan yields children first).
    for e in _parents_first(entries):
        name = f"{arcname}/{e.rel}"
        parent, _, leaf = e.rel.rpartition("/")
        try:
            with opened_at(dir_fd, parent) as pfd:
                est = os.stat(leaf, dir_fd=pfd, follow_symlinks=False)
                if stat.S_ISDIR(est.st_mode):
                    tar.addfile(_info(name, est, tarfile.DIRTYPE))
                elif stat.S_ISLNK(est.st_mode):
                    info = _info(name, est, tarfile.SYMTYPE)
                    info.linkname = os.readlink(leaf, dir_fd=pfd)
                    tar.addfile(info)
                elif stat.S_ISREG(est.st_mode):
                    fd = open_regular_file(pfd, leaf)
                    if fd is None:
                        continue
                    with os.fdopen(fd, "rb") as f:
                        fst = os.fstat(f.fileno())
                        tar.addfile(_info(name, fst, tarfile.REGTYPE), f)
        except OSError:
            continue  # vanished or swapped for something we do not follow


def _parents_first(entries):
    """scan's order reversed per level: a directory before what it holds."""
    return sorted(entries, key=lambda e: e.rel.split("/"))


def _info(name, st, kind):
    info = tarfile.TarInfo(name)
    info.type = kind
    info.mode = stat.S_IMODE(st.st_mode)
    info.mtime = int(st.st_mtime)
    info.uid, info.gid = st.st_uid, st.st_gid
    info.size = st.st_size if kind == tarfile.REGTYPE else 0
    return info


def archive_home(home_fd, name, upload, on_enter=None):
    """Streams a tar.gz of the home open as ``home_fd`` (stored as ``name``/...) into
    ``upload(fileobj) -> stored size`` through a pipe, so a home of any size needs neither
    memory nor disk here. Returns the size; raises unless storage holds exactly what was written."""
    read_fd, write_fd = os.pipe()
    written = {}

    def produce():
        try:
            with os.fdopen(write_fd, "wb") as out:
                counting = _Counting(out)
                with tarfile.open(fileobj=counting, mode="w|gz") as tar:
                    add_tree(tar, home_fd, name, on_enter)
                written["size"] = counting.count
        except BaseException as err:  # reported below, after the reader is done
            written["error"] = err

    producer = threading.Thread(target=produce, daemon=True)
    producer.start()
    with os.fdopen(read_fd, "rb") as source:
        stored = upload(source)
    producer.join()
    if "error" in written:
        raise RuntimeError(f"archiving failed: {written['error']}")
    if stored != written["size"]:
        raise RuntimeError(f"archive size mismatch: wrote {written['size']} bytes, storage has {stored}")
    return stored


class S3Archiver:
    """Uploads home archives to s3://bucket/home-archives/<user>/<stamp>.tar.gz and reads back the size."""

    def __init__(self, bucket, stamp):
        import boto3  # present in the job image; not needed by the tests

        self.s3 = boto3.client("s3")
        self.bucket = bucket
        self.stamp = stamp

    def uploader(self, user):
        key = f"home-archives/{user}/{self.stamp}.tar.gz"

        def upload(fileobj):
            self.s3.upload_fileobj(fileobj, self.bucket, key)
            return self.s3.head_object(Bucket=self.bucket, Key=key)["ContentLength"]

        return upload


def run(root, volume, activity, warn_after, reset_after, report_dir, dry_run=True, archiver=None, at=None, on_enter=None):
    """``on_enter(rel)`` (tests) runs before each directory is listed, as a user might act."""
    at = now() if at is None else at
    stamp = iso(at).replace(":", "")
    reset_on = iso(at + max(0, reset_after - warn_after))[:10]
    decisions = plan(root, activity, at, warn_after, reset_after)
    lines, usage, errors = [], [], 0
    for user, action, idle in decisions:
        outcome = action if action in (KEEP, UNKNOWN) else f"would-{action}" if dry_run else None
        try:
            with opened_below(root, user) as home:
                size = sum(e.size for e in scan(home, "", "", on_enter) if not e.is_dir)
                if outcome is None and action == WARN:
                    write_new_file(home, NOTICE, notice_text(user, reset_on))
                    outcome = "warned"
                elif outcome is None and action == RESET:
                    try:
                        archive_home(home, user, archiver.uploader(user), on_enter)
                        empty_directory(home)
                        outcome = "archived-and-reset"
                    except Exception as err:  # any failure: keep the data, report it
                        errors += 1
                        outcome = f"error: {err}"
        except OSError as err:  # the home itself was swapped for a link or removed: leave it
            size = 0
            errors += 1
            outcome = f"error: {err.strerror}"
        usage.append((user, size))
        idle_days = "" if idle is None else f"{idle / 86400:.0f}"
        lines.append(report_line(outcome, idle_days, size, user))
    if "_shared" in os.listdir(root) and stat.S_ISDIR(os.lstat(os.path.join(root, "_shared")).st_mode):
        usage.append(("_shared", tree_size(os.path.join(root, "_shared"))))
    header = f"# inactive homes of {volume}: warn after {warn_after}s, reset after {reset_after}s, {'dry run' if dry_run else 'applied'}\naction\tidle_days\tbytes\tuser\n"
    report = write_report(report_dir, f"retention-{volume}", header, lines, stamp)
    prom = exposition([("dandihub_directory_size_bytes", "Bytes used by a home or shared directory.", "gauge", [({"volume": volume, "directory": name}, size) for name, size in usage])])
    write_into(report_dir, "usage.prom", prom)
    return report, decisions, errors


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--homes", required=True)
    p.add_argument("--volume", required=True)
    p.add_argument("--bucket", required=True)
    p.add_argument("--hub-api", required=True)
    p.add_argument("--warn-after", type=int, required=True)
    p.add_argument("--reset-after", type=int, required=True)
    p.add_argument("--report-dir", required=True)
    p.add_argument("--apply", action="store_true", help="warn and reset (default: dry run)")
    a = p.parse_args(argv)
    if a.reset_after <= a.warn_after:
        raise SystemExit("--reset-after must be longer than --warn-after")
    token = os.environ["JUPYTERHUB_API_TOKEN"]
    activity = hub_activity(a.hub_api, token)  # any failure ends the run before anything changes
    at = now()
    archiver = S3Archiver(a.bucket, iso(at).replace(":", "")) if a.apply else None
    report, decisions, errors = run(a.homes, a.volume, activity, a.warn_after, a.reset_after, a.report_dir, not a.apply, archiver, at)
    counts = {}
    for _, action, _ in decisions:
        counts[action] = counts.get(action, 0) + 1
    print(f"{a.volume}: {counts}; {errors} errors; report: {report}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
