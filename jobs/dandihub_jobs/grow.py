"""Grows a group's EBS volume before it fills, up to the cap the deployment file sets.

    python3 -m dandihub_jobs.grow --mount /data --volume-id vol-... --cap-gib 2048 \
        --history /data/_reports/grow-history.json [--threshold 0.8] [--dry-run]

Runs every 15 minutes beside each NFS volume (the volume mounted through its claim). Each run:

1. measures the file system's used bytes (statvfs of the mount) and remembers it, with the time,
   in the history file on the volume (a day of samples);
2. reads the volume's size and its last modification from EC2;
3. grows when used space passes ``threshold`` of the size: to enough room for twice the growth
   of the last six hours (EBS allows one modification per volume every six hours, so a step must
   last until the next chance) and at least 10% or 10 GiB more, never past the cap;
4. leaves it when a modification is still running or started less than six hours ago.

The NFS server's resizer grows the XFS file system when the device grows (jupyterhub-home-nfs
``autoResizer``). Terraform ignores the size after creation, so it never shrinks a grown volume.
One JSON line per run; exit 1 if EC2 refused.
"""
import argparse
import json
import math
import os
import sys
import time

GIB = 2**30
SIX_HOURS = 6 * 3600
KEEP_SECONDS = 24 * 3600
MIN_STEP_GIB = 10
MIN_STEP_FRACTION = 0.10
# States in which EC2 refuses a new modification of the volume.
BUSY_STATES = ("modifying", "optimizing")


def used_bytes(mount, statvfs=os.statvfs):
    fs = statvfs(mount)
    return (fs.f_blocks - fs.f_bfree) * fs.f_frsize


def load_history(path):
    try:
        with open(path) as f:
            return [(float(t), int(u)) for t, u in json.load(f)]
    except (FileNotFoundError, ValueError, TypeError):
        return []


def save_history(path, samples):
    tmp = f"{path}.tmp"
    with open(tmp, "w") as f:
        json.dump(samples, f)
    os.replace(tmp, path)


def growth_over_six_hours(samples, now):
    """Bytes added over the last six hours (0 when shrinking or with less than an hour of samples)."""
    older = [(t, u) for t, u in samples if now - t >= SIX_HOURS]
    recent = [(t, u) for t, u in samples if now - t < SIX_HOURS]
    if not samples:
        return 0
    latest_t, latest_u = max(samples)
    if older:
        base_t, base_u = max(older)
    elif recent and latest_t - min(recent)[0] >= 3600:
        # Less than six hours known: scale what was seen to six hours.
        base_t, base_u = min(recent)
    else:
        return 0
    span = latest_t - base_t
    return max(0, int((latest_u - base_u) * SIX_HOURS / span)) if span > 0 else 0


def target_gib(size_gib, used, growth_6h, cap_gib, threshold):
    """The size to grow to, or None to leave it."""
    if used < threshold * size_gib * GIB or size_gib >= cap_gib:
        return None
    room_for = used + 2 * growth_6h
    wanted = math.ceil(room_for / threshold / GIB)
    step = max(MIN_STEP_GIB, math.ceil(size_gib * MIN_STEP_FRACTION))
    return min(cap_gib, max(wanted, size_gib + step))


def last_modification(ec2, volume_id):
    """The newest modification of the volume, or None (a filter, not VolumeIds: the latter errors when there is none)."""
    mods = ec2.describe_volumes_modifications(Filters=[{"Name": "volume-id", "Values": [volume_id]}]).get("VolumesModifications", [])
    return max(mods, key=lambda m: m["StartTime"].timestamp()) if mods else None


def grow(ec2, mount, volume_id, cap_gib, history_path, threshold=0.8, dry_run=False, now=None, statvfs=os.statvfs):
    now = time.time() if now is None else now
    used = used_bytes(mount, statvfs)
    samples = [s for s in load_history(history_path) if now - s[0] <= KEEP_SECONDS] + [(now, used)]
    save_history(history_path, samples)
    growth = growth_over_six_hours(samples, now)
    size_gib = ec2.describe_volumes(VolumeIds=[volume_id])["Volumes"][0]["Size"]
    record = {"volume_id": volume_id, "size_gib": size_gib, "used_gib": round(used / GIB, 2), "growth_6h_gib": round(growth / GIB, 2), "cap_gib": cap_gib}
    target = target_gib(size_gib, used, growth, cap_gib, threshold)
    if target is None:
        at_cap = size_gib >= cap_gib and used >= threshold * size_gib * GIB
        return {**record, "action": "at-cap" if at_cap else "none"}
    mod = last_modification(ec2, volume_id)
    if mod and (mod.get("ModificationState") in BUSY_STATES or now - mod["StartTime"].timestamp() < SIX_HOURS):
        return {**record, "action": "wait", "target_gib": target, "last_modification": mod.get("ModificationState")}
    if dry_run:
        return {**record, "action": "would-grow", "target_gib": target}
    ec2.modify_volume(VolumeId=volume_id, Size=target)
    return {**record, "action": "grow", "target_gib": target}


def main(argv=None, ec2=None, out=sys.stdout, statvfs=os.statvfs):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--mount", required=True)
    p.add_argument("--volume-id", required=True)
    p.add_argument("--cap-gib", type=int, required=True)
    p.add_argument("--history", required=True)
    p.add_argument("--threshold", type=float, default=0.8)
    p.add_argument("--dry-run", action="store_true")
    a = p.parse_args(argv)
    if ec2 is None:
        import boto3  # only in the job image; tests pass a stand-in

        ec2 = boto3.client("ec2")
    try:
        record = grow(ec2, a.mount, a.volume_id, a.cap_gib, a.history, a.threshold, a.dry_run, statvfs=statvfs)
    except Exception as err:  # EC2 refused (permissions, rate): say so, fail the run
        out.write(json.dumps({"volume_id": a.volume_id, "action": "error", "error": str(err)}) + "\n")
        return 1
    out.write(json.dumps(record) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
