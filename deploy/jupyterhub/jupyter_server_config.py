"""The learner's server in a JupyterHub pod: Voilà only, with the same settings as `trygge serve`.

Copied into the image as /etc/jupyter/jupyter_server_config.py by deploy/jupyterhub/Dockerfile. Voilà runs here as a
Jupyter Server extension, where it has no preheated kernel pools: each page starts its kernel when opened (about
1.5 s of CPU with the validated-content cache the image build writes). The pod is the learner's own, so the
pool's job (a kernel ready before anyone asks) is done by JupyterHub's user placeholders instead.
"""

from widgets import voila_config

c = get_config()  # noqa: F821 - provided by Jupyter

c.ServerApp.jpserver_extensions = {
    "voila": True,
    "jupyterlab": False,
    "notebook": False,
    "jupyter_lsp": False,
    "jupyter_server_terminals": False,
}
c.ServerApp.terminals_enabled = False
c.ServerApp.root_dir = "/srv/trygge"
c.ServerApp.default_url = f"/voila/render/{voila_config.START_PAGE}"

c.VoilaConfiguration.template = voila_config.TEMPLATE_NAME
c.VoilaConfiguration.file_allowlist = voila_config.MEDIA_ALLOWLIST
c.VoilaConfiguration.file_denylist = voila_config.MEDIA_DENYLIST
c.VoilaConfiguration.allow_template_override = "NOTEBOOK"
c.VoilaConfiguration.allow_theme_override = "NO"
c.VoilaConfiguration.show_tracebacks = False
c.VoilaExecutor.allow_errors = True

# As Voilà's own server: the browser may only talk to widgets, never run code in the kernel (the kernel's environment
# holds the database address). Jupyter Server would otherwise pass any message, execute_request included.
c.MappingKernelManager.allowed_message_types = [
    "comm_open", "comm_close", "comm_msg", "comm_info_request", "kernel_info_request", "shutdown_request",
]
c.MappingKernelManager.cull_idle_timeout = voila_config.CULL_IDLE_TIMEOUT
c.MappingKernelManager.cull_interval = voila_config.CULL_INTERVAL
c.MappingKernelManager.cull_connected = False
