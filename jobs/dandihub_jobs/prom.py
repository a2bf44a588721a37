"""Prometheus text exposition format, for the usage file and the exporter."""


def _escape(value):
    return str(value).replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def sample(name, labels, value):
    """One line: ``name{label="value",...} value``; labels sorted, values escaped."""
    inner = ",".join(f'{k}="{_escape(v)}"' for k, v in sorted(labels.items()))
    return f"{name}{{{inner}}} {value}\n" if inner else f"{name} {value}\n"


def exposition(families):
    """Text for ``[(name, help, type, [(labels, value), ...]), ...]``, one HELP/TYPE header per family."""
    out = []
    for name, help_text, kind, samples in families:
        out.append(f"# HELP {name} {help_text}\n# TYPE {name} {kind}\n")
        out.extend(sample(name, labels, value) for labels, value in samples)
    return "".join(out)
