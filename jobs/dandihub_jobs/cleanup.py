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

from .files import inside, iso, now, report_line, walk, write_report


def plan(target, older_than, at, scandir=os.scandir):
    """Entries below ``target`` to remove, children first: old files and links, then old
    directories every child of which is being removed."""
    limit = at - older_than
    removable = set()
    result = []
    for e in walk(target, scandir):
        if e.is_dir:
            try:
                with scandir(e.path) as it:
                    children = [c.path for c in it]
            except FileNotFoundError:
                continue
            if e.mtime < limit and all(c in removable for c in children):
                removable.add(e.path)
                result.append(e)
        elif e.mtime < limit:
            removable.add(e.path)
            result.append(e)
    return result


def apply(entries, root):
    """Removes planned entries; returns (removed, errors). Never touches anything outside root."""
    removed, errors = [], []
    for e in entries:
        if not inside(root, e.path):
            errors.append((e, "outside the root"))
            continue
        try:
            if e.is_dir and not e.is_link:
                os.rmdir(e.path)
            else:
                os.unlink(e.path)
            removed.append(e)
        except FileNotFoundError:
            continue  # someone else removed it: fine
        except OSError as err:
            errors.append((e, err.strerror or str(err)))
    return removed, errors


def run(root, path, older_than, report_dir, name, dry_run=True, at=None, scandir=os.scandir):
    at = now() if at is None else at
    target = os.path.join(root, path)
    if not inside(root, target) or os.path.islink(target):
        raise SystemExit(f"refusing {target}: not a real directory inside {root}")
    entries = plan(target, older_than, at, scandir)
    if dry_run:
        lines = [report_line("would-remove", e.size, iso(e.mtime), e.path) for e in entries]
        errors = []
    else:
        removed, errors = apply(entries, root)
        lines = [report_line("removed", e.size, iso(e.mtime), e.path) for e in removed]
        lines += [report_line(f"error: {why}", e.size, iso(e.mtime), e.path) for e, why in errors]
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
