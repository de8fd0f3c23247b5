"""One notebook kernel per report worker, kept for all the reports the worker renders.

Starting a Jupyter kernel and importing pandas, plotly and the report code in it takes about 3 s, most
of a report's time. So a worker starts one kernel and imports the notebooks' modules in it before its
first report (`warm`), and papermill runs each of the worker's notebooks in it: given a kernel manager it
did not create, papermill's client (nbclient's NotebookClient) executes the notebook and leaves the
kernel running, and the client it opened for the notebook is closed here after it.

Before each notebook the kernel forgets the one before: its namespace is emptied, its execution count
starts again at 1 (IPython's reset of a new session) and Python forgets which warnings it has shown, so
a notebook runs as it would in a new kernel; only the imported modules stay loaded, which is the point.
A report that fails leaves its kernel behind: it is shut down and the next report gets a new one, so
a kernel that died, hangs past the time limit or failed half-way is never trusted with another report.

The kernel ends with its worker: when the worker exits (multiprocessing's Finalize, which runs where
atexit does not), or, when the worker is killed, by ipykernel's own watch on its parent (within a
second). The kernel only reads; the worker writes the report.
"""
from __future__ import annotations

from multiprocessing.util import Finalize
from pathlib import Path
from queue import Empty

import papermill
from jupyter_client.manager import AsyncKernelManager
from jupyter_core.utils import run_sync
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbformat import NotebookNode

KERNEL = "python3"
START_SECONDS = 60  # papermill's own limit for a new kernel to answer
# The history in memory, as nbclient has it in the kernels it starts: two workers' kernels never share a file.
ARGUMENTS = ["--HistoryManager.hist_file=:memory:"]
# Entering and leaving catch_warnings marks the filters changed, which empties every module's record of
# the warnings already shown; the reset comes last, so not even `warnings` is left in the namespace.
RESET = "import warnings\nwith warnings.catch_warnings():\n    pass\nget_ipython().reset(new_session=True)\n"


class KernelFailed(Exception):
    """A report's kernel died or ran out of time; the message is the analyst's (Swedish)."""


class _Manager(AsyncKernelManager):
    """The kernel's manager; it keeps the clients it hands out, so that they are closed after each report."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.handed_out: list = []

    def client(self, **kwargs):
        client = super().client(**kwargs)
        self.handed_out.append(client)
        return client


class Kernel:
    """A kernel that runs notebook after notebook; started when first needed, renewed after a failure."""

    def __init__(self, cell_seconds: float) -> None:
        self.cell_seconds = cell_seconds
        self.manager: _Manager | None = None
        Finalize(self, self.stop, exitpriority=10)

    def run(self, notebook: Path, parameters: dict) -> NotebookNode:
        """papermill's run of the notebook with these parameters, as it would run in a new kernel."""
        try:
            # A kernel that died since the last report (the system ran out of memory, say) is replaced; one
            # killed a moment ago may still look alive (its threads are still ending), so its reset notices.
            if not self._ready() and not self._ready():
                raise KernelFailed(f"Ingen kärna kunde starta för rapporten (två försök, högst {START_SECONDS} s vardera).")
            return papermill.execute_notebook(
                str(notebook), None, parameters=parameters, kernel_name=KERNEL, progress_bar=False, log_output=False,
                km=self.manager, start_timeout=START_SECONDS, execution_timeout=self.cell_seconds,
            )
        except DeadKernelError:
            self.stop()
            raise KernelFailed("Kärnan som körde rapporten avslutades oväntat (till exempel för att minnet tog slut).") from None
        except CellTimeoutError:
            self.stop()
            raise KernelFailed(f"Rapporten tog längre tid än {self.cell_seconds:g} s och avbröts.") from None
        except BaseException:
            self.stop()
            raise
        finally:
            self._close_clients()

    def stop(self) -> None:
        """Shut the kernel down (at once: it holds nothing to save); the next run starts a new one."""
        manager, self.manager = self.manager, None
        if manager is None:
            return
        self._close_clients(manager)
        if run_sync(manager.is_alive)():
            run_sync(manager.shutdown_kernel)(now=True)
        else:  # it died: what is left of it (connection file, sockets) goes all the same
            run_sync(manager.cleanup_resources)()

    def _ready(self) -> bool:
        """A kernel with an empty namespace; False (and the kernel stopped) when it died or did not answer."""
        if self.manager is not None and not run_sync(self.manager.is_alive)():
            self.stop()
        if self.manager is None:
            self.manager = _Manager(kernel_name=KERNEL)
            run_sync(self.manager.start_kernel)(extra_arguments=ARGUMENTS)
        reply = self._execute(RESET)
        if reply is None:
            self.stop()
            return False
        if reply["content"]["status"] != "ok":
            raise RuntimeError(f"reset of the kernel failed: {reply['content']}")
        return True

    def warm(self, code: str) -> None:
        """Start the kernel and run `code` in it (the notebooks' imports) before the first report, so that
        no report pays for them; a kernel that fails here is left for the first report to renew."""
        try:
            if self._ready() and self._execute(code) is None:
                self.stop()
        except Exception:
            self.stop()

    def _execute(self, code: str) -> dict | None:
        """Run `code` silently and return the kernel's reply; None when the kernel died or did not answer.

        A connection of its own, for this one request: on the shell channel alone, where the request waits
        until a new kernel listens, and the only message to come back is its reply (no output is read)."""
        client, reply = self.manager.blocking_client(), None
        try:
            client.execute(code, silent=True, store_history=False)
            for _ in range(START_SECONDS):  # a second at a time, to notice a kernel that died
                try:
                    reply = client.get_shell_msg(timeout=1)
                    break
                except Empty:
                    if not run_sync(self.manager.is_alive)():
                        break
        finally:
            client.stop_channels()
        return reply

    def _close_clients(self, manager: _Manager | None = None) -> None:
        manager = manager or self.manager
        while manager is not None and manager.handed_out:
            manager.handed_out.pop().stop_channels()
