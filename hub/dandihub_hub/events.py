"""Hub events (logins, server starts and stops) as one JSON log line each.

Every line starts with ``dandihub-event`` so the log shipper can pick these out of the hub's log
and send them to CloudWatch Logs, where they can be queried, e.g.::

    fields @timestamp, @message | parse @message 'dandihub-event *' as ev
    | filter ev like '"event": "spawn"'
"""
import json
import time

PREFIX = "dandihub-event"


def event_line(event, clock=time.time, **fields):
    """``dandihub-event {"event": ..., "time": ..., ...}`` with keys sorted (stable for tests and queries)."""
    return f"{PREFIX} " + json.dumps({"event": event, "time": round(clock(), 3), **fields}, sort_keys=True)


def log_event(log, event, **fields):
    log.info("%s", event_line(event, **fields))
