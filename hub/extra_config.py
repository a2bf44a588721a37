# dandihub: loaded into the chart's hub.extraConfig at synth time (src/features/hub/python.ts).
# JupyterHub runs it with `c`, its configuration object, in scope. The dandihub_hub package and
# settings.json are mounted next to each other by hub.extraFiles.
import sys

sys.path.insert(0, "/usr/local/etc/jupyterhub/dandihub")

from dandihub_hub.hub_config import configure  # noqa: E402

configure(c)  # noqa: F821
