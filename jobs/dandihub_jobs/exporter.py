"""dandihub's Prometheus exporter: storage use against quotas, and who is in which group.

    python3 -m dandihub_jobs.exporter --config /etc/dandihub-exporter/config.json

The config (written at synth) lists each group volume as mounted here (read-only), its quotas,
and the hub API. Every ``interval`` seconds a background thread measures:

- dandihub_directory_size_bytes{volume,directory,kind}: bytes in each home (kind="home") and in
  the shared directory (kind="shared"); symlinks are not followed;
- dandihub_directory_quota_bytes{volume,directory,kind}: its hard limit (home-nfs mode only);
- dandihub_volume_size_bytes / dandihub_volume_free_bytes{volume}: the file system;
- dandihub_user_group_info{username,group} = 1 for each member of each hub group, so any panel
  can sum per-user series by group (a user in two groups appears in both);
- dandihub_instance_hourly_price_usd{instance_type,capacity_type}: the price table written at
  synth (on-demand list prices; spot with the configured discount), to price nodes by group;
- dandihub_exporter_last_success_timestamp_seconds{source="storage"|"hub"}.

GET /metrics answers from the last measurement (never walks a tree on request). A source that
fails keeps its previous values and its timestamp stops advancing (an alert watches it).
"""
import argparse
import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from .files import tree_size
from .hub_api import list_all
from .prom import exposition


def measure_volume(volume, statvfs=os.statvfs):
    """Families of samples for one volume: sizes, quotas, file system size and free space."""
    root, name = volume["path"], volume["volume"]
    shared_dir = volume.get("sharedDir", "_shared")
    sizes, quotas = [], []
    try:
        entries = sorted(os.listdir(root)) if volume.get("directories", True) else []
    except FileNotFoundError:
        entries = []
    for entry in entries:
        path = os.path.join(root, entry)
        if os.path.islink(path) or not os.path.isdir(path):
            continue
        if entry == shared_dir:
            kind, quota = "shared", volume.get("sharedQuotaBytes")
        elif entry.startswith("_") or entry in volume.get("exclude", []):
            continue
        else:
            kind, quota = "home", volume.get("overrides", {}).get(entry, volume.get("homeQuotaBytes"))
        labels = {"volume": name, "directory": entry, "kind": kind}
        sizes.append((labels, tree_size(path)))
        if quota is not None:
            quotas.append((labels, quota))
    fs = statvfs(root)
    return {
        "sizes": sizes,
        "quotas": quotas,
        "fs_size": [({"volume": name}, fs.f_blocks * fs.f_frsize)],
        "fs_free": [({"volume": name}, fs.f_bavail * fs.f_frsize)],
    }


def memberships(groups):
    """Samples of dandihub_user_group_info from the hub's group models (with their users)."""
    return [({"username": user, "group": g["name"]}, 1) for g in sorted(groups, key=lambda g: g["name"]) for user in sorted(g.get("users", []))]


class State:
    """The latest measurement of each source, read by the HTTP handler."""

    def __init__(self):
        self.lock = threading.Lock()
        self.storage = {"sizes": [], "quotas": [], "fs_size": [], "fs_free": []}
        self.members = []
        self.success = {}

    def update_storage(self, volumes, **io):
        merged = {"sizes": [], "quotas": [], "fs_size": [], "fs_free": []}
        for v in volumes:
            for key, samples in measure_volume(v, **io).items():
                merged[key].extend(samples)
        with self.lock:
            self.storage = merged
            self.success["storage"] = time.time()

    def update_members(self, api_url, token, fetch=None):
        samples = memberships(list_all(api_url, "/groups", token, fetch))
        with self.lock:
            self.members = samples
            self.success["hub"] = time.time()

    def render(self, prices=()):
        with self.lock:
            s, members, success = self.storage, self.members, dict(self.success)
        price_samples = [({"instance_type": p["instanceType"], "capacity_type": p["capacityType"]}, p["usd"]) for p in prices]
        return exposition(
            [
                ("dandihub_directory_size_bytes", "Bytes in a home or shared directory.", "gauge", s["sizes"]),
                ("dandihub_directory_quota_bytes", "Hard limit of a home or shared directory.", "gauge", s["quotas"]),
                ("dandihub_volume_size_bytes", "Size of a group volume's file system.", "gauge", s["fs_size"]),
                ("dandihub_volume_free_bytes", "Free bytes of a group volume's file system.", "gauge", s["fs_free"]),
                ("dandihub_user_group_info", "1 for each member of each hub group.", "gauge", members),
                ("dandihub_instance_hourly_price_usd", "Hourly price of an instance type by capacity type (dandihub price table).", "gauge", price_samples),
                (
                    "dandihub_exporter_last_success_timestamp_seconds",
                    "When each source was last measured without error.",
                    "gauge",
                    [({"source": k}, v) for k, v in sorted(success.items())],
                ),
            ]
        )


def refresh(state, config, token, log=sys.stderr):
    """One round over both sources; a failing source is logged and keeps its old values."""
    for name, step in (
        ("storage", lambda: state.update_storage(config["volumes"])),
        ("hub", lambda: state.update_members(config["hubApi"], token)),
    ):
        try:
            step()
        except Exception as e:  # keep serving what we have
            log.write(json.dumps({"source": name, "error": f"{type(e).__name__}: {e}"}) + "\n")


def make_handler(state, prices=()):
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            if self.path not in ("/metrics", "/"):
                self.send_error(404)
                return
            body = state.render(prices).encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):  # scrapes every 30s are not news
            pass

    return Handler


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--config", required=True)
    args = p.parse_args(argv)
    with open(args.config, encoding="utf-8") as f:
        config = json.load(f)
    token = os.environ.get("JUPYTERHUB_API_TOKEN", "")
    state = State()

    def loop():
        while True:
            refresh(state, config, token)
            time.sleep(config.get("interval", 1800))

    threading.Thread(target=loop, daemon=True).start()
    ThreadingHTTPServer(("", config.get("port", 9090)), make_handler(state, config.get("prices", []))).serve_forever()


if __name__ == "__main__":
    main()
