"""Removes files not modified for a while from one directory of a shared volume.

    python3 -m dandihub_jobs.cleanup --root /data/_shared --path scratch \
        --older-than 2592000 --report-dir /data/_reports --name dandi-scratch [--apply]

Dry run unless ``--apply``: the report lists what would go. Files and symlinks (the link, never
its target) older than the limit are removed, then directories left empty that are themselves
older than the limit; the directory named by ``--path`` is kept.
"""
import argparse
import os
import sys

from .files import inside, iso, now, opened_below, remove_entries, report_line, scan, write_report


def plan(target_fd, target, older_than, at, on_enter=None):
    """Entries below the directory open as ``target_fd`` to remove, children first: old files
    and links, then old directories every child of which is being removed."""
    limit = at - older_than
    removable = set()
    children = {}
    result = []
    for e in scan(target_fd, target, "", on_enter):
        parent = e.rel.rpartition("/")[0]
        children.setdefault(parent, []).append(e.rel)
        if e.is_dir:
            if e.mtime < limit and all(c in removable for c in children.get(e.rel, [])):
                removable.add(e.rel)
                result.append(e)
        elif e.mtime < limit:
            removable.add(e.rel)
            result.append(e)
    return result


def run(root, path, older_than, report_dir, name, dry_run=True, at=None, on_enter=None, before_apply=None):
    """``before_apply`` (tests) runs between planning and removing, as a user might."""
    at = now() if at is None else at
    target = os.path.join(root, path)
    if not inside(root, target):
        raise SystemExit(f"refusing {target}: not inside {root}")
    try:
        with opened_below(root, path) as fd:
            entries = plan(fd, target, older_than, at, on_enter)
            if dry_run:
                lines = [report_line("would-remove", e.size, iso(e.mtime), e.path) for e in entries]
                errors = []
            else:
                if before_apply:
                    before_apply(entries)
                removed, errors = remove_entries(fd, entries)
                lines = [report_line("removed", e.size, iso(e.mtime), e.path) for e in removed]
                lines += [report_line(f"error: {why}", e.size, iso(e.mtime), e.path) for e, why in errors]
    except OSError as err:
        raise SystemExit(f"refusing {target}: not a real directory inside {root} ({err.strerror})")
    stamp = iso(at).replace(":", "")
    header = f"# cleanup of {target}: older than {older_than}s, {'dry run' if dry_run else 'applied'}\naction\tbytes\tmodified\tpath\n"
    report = write_report(report_dir, name, header, lines, stamp)
    return report, len(entries), len(errors)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--root", required=True)
    p.add_argument("--path", required=True)
    p.add_argument("--older-than", type=int, required=True, help="seconds")
    p.add_argument("--report-dir", required=True)
    p.add_argument("--name", required=True)
    p.add_argument("--apply", action="store_true", help="remove files (default: dry run)")
    a = p.parse_args(argv)
    report, planned, errors = run(a.root, a.path, a.older_than, a.report_dir, a.name, dry_run=not a.apply)
    print(f"{'removed' if a.apply else 'would remove'} {planned} entries; {errors} errors; report: {report}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
