"""``chainrule launch``: run any script on N ranks (torchrun's role), on MPI."""

from __future__ import annotations

import argparse
import os
import sys


def _launch_command(args: argparse.Namespace) -> int:
    from chainrule.distributed.launch import launch

    if not args.module and not os.path.isfile(args.script):
        print(f"chainrule launch: error: script {args.script!r} does not exist", file=sys.stderr)
        return 2
    hosts = args.hosts.split(",") if args.hosts and not os.path.isfile(args.hosts) else None
    hostfile = args.hosts if args.hosts and os.path.isfile(args.hosts) else None
    env = {}
    if args.timeout:
        env["CHAINRULE_DIST_TIMEOUT"] = str(args.timeout)
    try:
        return launch(args.script, args.args, args.nproc, hosts, hostfile, args.module, env)
    except (FileNotFoundError, ValueError) as e:
        print(f"chainrule launch: error: {e}", file=sys.stderr)
        return 2


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``chainrule launch`` to the command's subparsers."""
    p = sub.add_parser(
        "launch",
        help="run a script on N processes (ranks) with chainrule.distributed, on MPI",
        description=(
            "Run SCRIPT on N ranks through the MPI launcher (mpiexec). Each rank calls "
            "chainrule.distributed.init_process_group(); RANK, WORLD_SIZE, LOCAL_RANK and "
            "LOCAL_WORLD_SIZE are set as torchrun sets them. A rank that fails ends the job "
            "with a line naming it."
        ),
    )
    p.add_argument(
        "-n",
        "--nproc",
        "--nproc-per-node",
        type=int,
        default=2,
        metavar="N",
        help="number of ranks (default 2)",
    )
    p.add_argument(
        "--hosts",
        metavar="HOSTS|FILE",
        help="machines to run on: 'a:2,b:2' or a hostfile with one host[:slots] per "
        "line (reached by ssh, as MPI does)",
    )
    p.add_argument(
        "--timeout",
        type=float,
        metavar="SECONDS",
        help="collective timeout: a rank waiting longer names the late ranks and "
        "aborts the job (default: init_process_group's, 30 minutes)",
    )
    p.add_argument(
        "-m",
        "--module",
        action="store_true",
        help="SCRIPT is a module name, run as python -m SCRIPT",
    )
    p.add_argument("script", metavar="SCRIPT", help="the Python script to run on every rank")
    p.add_argument("args", nargs=argparse.REMAINDER, help="arguments for the script")
    p.set_defaults(func=_launch_command)
