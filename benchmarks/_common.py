"""Shared helpers of the benchmark scripts: machine, summaries, JSON, the ``--scheduler`` option.

``--scheduler`` runs the joblib sweeps on a Dask cluster (see ``use_scheduler``).
"""

import atexit
import contextlib
import json
import os
import platform
from pathlib import Path

import numpy as np

RESULTS = Path(__file__).parent / "results"

_SCHEDULER = contextlib.ExitStack()
atexit.register(_SCHEDULER.close)
_ACTIVE = {}


def machine_info() -> dict:
    """The machine and library versions a benchmark ran on (and the Dask scheduler, if any)."""
    import scipy

    info = {
        "python": platform.python_version(),
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "cpu_count": os.cpu_count(),
    }
    if _ACTIVE:
        info["scheduler"] = _ACTIVE["description"]
    return info


def summary(values) -> dict:
    """Median, min and max of a list of numbers."""
    v = np.asarray(values, dtype=float)
    return {"median": float(np.median(v)), "min": float(v.min()), "max": float(v.max())}


def write_json(payload: dict, path) -> Path:
    """Write ``payload`` (with numpy scalars) as indented JSON, creating folders."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(payload, indent=2, default=float) + "\n")
    return path


def parse_args(parser):
    """``parser.parse_args()`` plus ``--scheduler``, which it activates (see use_scheduler)."""
    parser.add_argument(
        "--scheduler",
        default=None,
        metavar="ADDRESS",
        help="run the joblib tasks on Dask: 'local' (a LocalCluster of 2 worker processes), "
        "'local:N' (N workers) or a scheduler address such as tcp://host:8786 "
        "(default: joblib's own loky processes)",
    )
    args = parser.parse_args()
    use_scheduler(args.scheduler)
    return args


def use_scheduler(address: str | None):
    """Send every ``joblib.Parallel`` of this process to a Dask cluster, until exit.

    ``"local"`` / ``"local:N"`` start a ``dask.distributed.LocalCluster`` with 2 / N worker
    processes of one thread each (like loky's workers, which get ``cpu_count // n_jobs``
    BLAS threads); any other string is the address of a running scheduler. Needs
    ``dask[distributed]`` (the ``dask`` extra). Returns the client, or None.
    """
    if address is None:
        return None
    import joblib
    from dask.distributed import Client, LocalCluster

    if address == "local" or address.startswith("local:"):
        n_workers = int(address.split(":", 1)[1]) if ":" in address else 2
        cluster = _SCHEDULER.enter_context(
            LocalCluster(
                n_workers=n_workers,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
            )
        )
        client = _SCHEDULER.enter_context(Client(cluster))
        description = f"dask LocalCluster, {n_workers} worker processes x 1 thread"
    else:
        client = _SCHEDULER.enter_context(Client(address))
        n_threads = sum(client.nthreads().values())
        description = f"dask scheduler {address}, {n_threads} worker threads"
    _SCHEDULER.enter_context(joblib.parallel_config(backend="dask"))
    _ACTIVE["description"] = description
    print("scheduler:", description, flush=True)
    return client
