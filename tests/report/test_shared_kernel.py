"""A report worker keeps one notebook kernel for all its reports (pipeline/report/kernel.py), and a report
is the same bytes whether its kernel rendered other reports before it or was new.

The kernel's own behaviour is shown on tiny notebooks written here; the reports on a small INTOX
workspace run through the real CLI.
"""
from __future__ import annotations

import multiprocessing
import os
import re
import signal
import time
from pathlib import Path

import nbformat
import pytest
from cli_helpers import run
from intox_helpers import form, write_coverage, write_forms
from nbformat.v4 import new_code_cell, new_notebook

from pipeline.report.kernel import Kernel, KernelFailed

PERIOD = "2026-10"


def notebook(folder: Path, name: str, *cells: str) -> Path:
    """A notebook with a parameters cell (`folder`, where its helper modules are) and `cells`."""
    parameters = new_code_cell(f"folder = {str(folder)!r}", metadata={"tags": ["parameters"]})
    path = folder / f"{name}.ipynb"
    kernelspec = {"name": "python3", "display_name": "Python 3", "language": "python"}  # as the report notebooks have
    nbformat.write(new_notebook(cells=[parameters, *map(new_code_cell, cells)], metadata={"kernelspec": kernelspec}), path)
    return path


def run_in(kernel: Kernel, path: Path):
    """papermill's run of a notebook written by `notebook`, its parameter given as a report's are."""
    return kernel.run(path, {"folder": str(path.parent)})


def printed(executed, stream: str = "stdout") -> list[str]:
    return [output["text"] for cell in executed.cells for output in cell.get("outputs", []) if output.get("name") == stream]


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a killed child its parent has not yet reaped is a zombie: gone all the same
    return Path(f"/proc/{pid}/stat").read_text().split(") ")[-1][0] != "Z"


@pytest.fixture
def notebooks(tmp_path) -> dict[str, Path]:
    (tmp_path / "counted.py").write_text("imports = 0\n", encoding="utf-8")
    (tmp_path / "warner.py").write_text("import warnings\n\ndef warn():\n    warnings.warn('samma varning')\n", encoding="utf-8")
    start = "import os, sys\nsys.path.insert(0, folder)\nimport counted, warner"
    return {
        "first": notebook(tmp_path, "first", start, "counted.imports += 1\nleft_behind = 'x'\nwarner.warn()\nprint(os.getpid())"),
        "second": notebook(tmp_path, "second", start, "warner.warn()\nprint(os.getpid(), counted.imports, 'left_behind' in dir())"),
        "dies": notebook(tmp_path, "dies", "import os\nos._exit(1)"),
        "hangs": notebook(tmp_path, "hangs", "import time\ntime.sleep(60)"),
    }


def test_the_kernel_forgets_each_notebook_but_keeps_the_modules_it_imported(notebooks):
    kernel = Kernel(cell_seconds=60)
    try:
        first = run_in(kernel, notebooks["first"])
        second = run_in(kernel, notebooks["second"])
    finally:
        kernel.stop()
    pid = printed(first)[-1].strip()
    # the same kernel; the module was imported once and kept; the variable the first left is gone
    assert printed(second)[-1] == f"{pid} 1 False\n"
    # each notebook shows its warning, as a new kernel would (Python shows a warning once per place)
    for executed in (first, second):
        assert ["samma varning" in text for text in printed(executed, "stderr")] == [True]
    # parameters, papermill's injected parameters, the import, the code: counted from 1 in both
    for executed in (first, second):
        assert [cell.execution_count for cell in executed.cells] == [1, 2, 3, 4]


def test_a_warmed_kernel_has_the_modules_before_its_first_notebook_and_forgets_the_rest(notebooks):
    kernel = Kernel(cell_seconds=60)
    try:
        kernel.warm(f"import sys\nsys.path.insert(0, {str(notebooks['first'].parent)!r})\nimport counted\ncounted.imports += 1\nleft_behind = 1")
        warmed = printed(run_in(kernel, notebooks["second"]))[-1].split()
    finally:
        kernel.stop()
    # the module the warm-up imported is there (imported once), the warm-up's own variable is not
    assert warmed[1:] == ["1", "False"]


def test_a_warm_up_that_fails_leaves_a_kernel_for_the_first_notebook(notebooks):
    kernel = Kernel(cell_seconds=60)
    try:
        kernel.warm("import os\nos._exit(1)")  # the kernel dies while warming
        first = printed(run_in(kernel, notebooks["second"]))[-1].split()
    finally:
        kernel.stop()
    assert first[1:] == ["0", "False"]


def test_a_notebook_that_kills_its_kernel_fails_in_swedish_and_the_next_gets_a_new_kernel(notebooks):
    kernel = Kernel(cell_seconds=60)
    try:
        before = printed(run_in(kernel, notebooks["first"]))[-1].split()[0]
        with pytest.raises(KernelFailed, match="Kärnan som körde rapporten avslutades oväntat"):
            run_in(kernel, notebooks["dies"])
        after = printed(run_in(kernel, notebooks["second"]))[-1].split()
        assert after[0] != before and after[1:] == ["0", "False"]  # a new kernel, which imported the module anew
        os.kill(int(after[0]), signal.SIGKILL)  # a kernel that dies between two reports
        while alive(int(after[0])):
            time.sleep(0.05)
        again = printed(run_in(kernel, notebooks["second"]))[-1].split()
        assert again[0] != after[0] and again[1:] == ["0", "False"]
    finally:
        kernel.stop()


def test_a_notebook_past_the_time_limit_fails_in_swedish_and_its_kernel_is_ended(notebooks):
    kernel = Kernel(cell_seconds=1)
    try:
        before = int(printed(run_in(kernel, notebooks["first"]))[-1])
        with pytest.raises(KernelFailed, match=r"^Rapporten tog längre tid än 1 s och avbröts\.$"):
            run_in(kernel, notebooks["hangs"])  # it sleeps 60 s: without the limit it would end well
        assert not alive(before)  # the kernel still sleeping in the notebook is gone
        after = int(printed(run_in(kernel, notebooks["second"]))[-1].split()[0])
    finally:
        kernel.stop()
    assert after != before and not alive(after)


def test_each_notebooks_connections_to_the_kernel_are_closed(notebooks):
    kernel = Kernel(cell_seconds=60)
    try:
        run_in(kernel, notebooks["first"])
        opened = len(os.listdir("/proc/self/fd"))
        for _ in range(4):
            run_in(kernel, notebooks["second"])
        assert len(os.listdir("/proc/self/fd")) == opened
    finally:
        kernel.stop()


def _worker(path: Path, pids, done) -> None:
    """A process that runs a notebook in its kernel, tells the kernel's pid and ends (or waits to be killed)."""
    kernel = Kernel(cell_seconds=60)
    pids.send(int(printed(run_in(kernel, path))[-1]))
    done.wait()


@pytest.mark.parametrize("killed", [False, True])
def test_the_kernel_ends_with_its_worker(notebooks, killed):
    context = multiprocessing.get_context("fork")  # as the report workers are started
    here, there = context.Pipe()
    done = context.Event()
    worker = context.Process(target=_worker, args=(notebooks["first"], there, done))
    worker.start()
    assert here.poll(60), "the worker's notebook never ran"
    pid = here.recv()
    if killed:  # as the workers of a killed run: no exit handler runs, ipykernel sees its parent gone
        os.kill(worker.pid, signal.SIGKILL)
        worker.join(10)
        deadline = time.monotonic() + 10
        while alive(pid) and time.monotonic() < deadline:
            time.sleep(0.1)
    else:  # a worker that ends shuts its kernel down before it exits
        done.set()
        worker.join(30)
        assert worker.exitcode == 0
    assert not alive(pid)


# --- reports --------------------------------------------------------------------------------------


def lagesbild(root: Path, *args: str):
    return run([*args, "--workspace", str(root)])


@pytest.fixture(scope="module")
def workspace(tmp_path_factory) -> Path:
    """Forms from four municipalities of SuToHaMu in September and October 2026, built and published."""
    root = tmp_path_factory.mktemp("shared-kernel")
    write_coverage(root, {"torsby": (["1737", "1766", "1783", "1762"], "2026-09")})
    homes = ["Torsby", "Sunne", "Hagfors", "Munkfors"]
    write_forms(root, "torsby", "intox.csv", [form(str(i), f"2026-{9 + i % 2:02d}-{1 + i % 27:02d}", home=homes[i % 4]) for i in range(40)])
    for args in (["ingest"], ["build", "--period", PERIOD]):
        result = lagesbild(root, *args)
        assert result.returncode == 0, result.stdout + result.stderr
    return root


def test_a_report_made_after_others_in_one_kernel_is_the_same_bytes_as_one_made_alone(workspace):
    shared = lagesbild(workspace, "report", "--period", PERIOD, "--workers", "1")
    assert shared.returncode == 0, shared.stdout + shared.stderr
    # one worker, one kernel: the kommun notebook four times, then the region notebook three times
    order = re.findall(r"rapport \d/7: (.+) \(\d+,\d s\)", shared.stdout)
    assert order == ["Torsby", "Munkfors", "Sunne", "Hagfors", "Värmlands län", "SuToHaMu", "Riket"], shared.stdout
    folder = workspace / "reports" / PERIOD
    for area, path in (("1783", folder / "kommun" / "1783.html"), ("riket", folder / "region" / "riket.html")):
        after_others = path.read_bytes()
        path.unlink()
        alone = lagesbild(workspace, "report", "--period", PERIOD, "--area", area, "--workers", "1")  # a new worker and kernel
        assert alone.returncode == 0 and "Rapporter: 1 skapade, 0 oförändrade, 0 misslyckades." in alone.stdout, alone.stdout + alone.stderr
        assert path.read_bytes() == after_others, area


@pytest.mark.parametrize("value", ["0", "-1", "två"])
def test_the_number_of_workers_is_a_whole_number_of_at_least_one(tmp_path, value):
    result = lagesbild(tmp_path, "report", "--period", PERIOD, "--workers", value)
    assert result.returncode == 2
    assert f"Fel: ogiltigt värde för --workers: ange ett antal processer (1 eller fler), inte '{value}'." in result.stderr
