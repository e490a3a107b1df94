"""torch.distributed's collectives on 2 MPI ranks: values, in-place semantics, errors."""

from __future__ import annotations

import json

import pytest

import chainrule
import chainrule.distributed as dist
from tests.distributed._jobs import needs_mpi, run_job

pytestmark = needs_mpi


def test_every_collective_on_two_ranks(tmp_path):
    rc, out, _ = run_job(
        tmp_path,
        """
        import json, chainrule as cr, chainrule.distributed as dist
        dist.init_process_group("gloo")  # PyTorch's CPU backend name runs on MPI
        r, n = dist.get_rank(), dist.get_world_size()
        res = {"rank": r, "size": n, "local": [dist.get_local_rank(), dist.get_node_local_rank()]}
        for op in ("SUM", "AVG", "MAX", "MIN", "PRODUCT"):
            t = cr.tensor([r + 1.0, 10.0 * (r + 1)])
            dist.all_reduce(t, op=getattr(dist.ReduceOp, op))
            res[op] = t.tolist()
        t = cr.tensor([r, r], dtype=cr.int64); dist.all_reduce(t); res["int_sum"] = t.tolist()
        t = cr.tensor([float(r)] * 3); w = dist.broadcast(t, src=1, async_op=True); w.wait()
        res["broadcast"] = t.tolist()
        parts = [cr.zeros(2) for _ in range(n)]; dist.all_gather(parts, cr.tensor([r, r + 0.5]))
        res["all_gather"] = [p.tolist() for p in parts]
        out = cr.zeros(4); dist.all_gather_into_tensor(out, cr.tensor([r, -r], dtype=cr.float32))
        res["all_gather_into_tensor"] = out.tolist()
        o = cr.zeros(2)
        dist.reduce_scatter(o, [cr.tensor([1.0, 2.0]) * (r + 1), cr.tensor([3.0, 4.0]) * (r + 1)])
        res["reduce_scatter"] = o.tolist()
        o = cr.zeros(1)
        dist.reduce_scatter_tensor(o, cr.tensor([1.0, 2.0]) + r, op=dist.ReduceOp.AVG)
        res["reduce_scatter_tensor"] = o.tolist()
        g = [cr.zeros(1) for _ in range(n)] if r == 0 else None
        dist.gather(cr.tensor([r * 7.0]), g, dst=0)
        res["gather"] = None if g is None else [x.tolist() for x in g]
        s = cr.zeros(2)
        dist.scatter(s, [cr.tensor([1.0, 1.0]), cr.tensor([2.0, 2.0])] if r == 1 else None, src=1)
        res["scatter"] = s.tolist()
        objs = [{"lr": 0.1, "names": ["a", "b"]}, 3] if r == 0 else [None, None]
        dist.broadcast_object_list(objs, src=0); res["objects"] = objs
        gathered = [None] * n
        dist.all_gather_object(gathered, {"rank": r})
        res["all_gather_object"] = gathered
        dist.barrier()
        json.dump(res, open(f"rank{r}.json", "w"))
        dist.destroy_process_group()
    """,
    )
    assert rc == 0, out
    r0, r1 = (json.loads((tmp_path / f"rank{r}.json").read_text()) for r in (0, 1))
    for r, res in ((0, r0), (1, r1)):
        assert res["rank"] == r and res["size"] == 2 and res["local"] == [r, r]
        assert res["SUM"] == [3.0, 30.0] and res["AVG"] == [1.5, 15.0]
        assert res["MAX"] == [2.0, 20.0] and res["MIN"] == [1.0, 10.0]
        assert res["PRODUCT"] == [2.0, 200.0] and res["int_sum"] == [1, 1]
        assert res["broadcast"] == [1.0, 1.0, 1.0]
        assert res["all_gather"] == [[0.0, 0.5], [1.0, 1.5]]
        assert res["all_gather_into_tensor"] == [0.0, 0.0, 1.0, -1.0]
        assert res["reduce_scatter"] == ([3.0, 6.0] if r == 0 else [9.0, 12.0])
        assert res["reduce_scatter_tensor"] == ([1.5] if r == 0 else [2.5])
        assert res["scatter"] == ([1.0, 1.0] if r == 0 else [2.0, 2.0])
        assert res["objects"] == [{"lr": 0.1, "names": ["a", "b"]}, 3]
        assert res["all_gather_object"] == [{"rank": 0}, {"rank": 1}]
    assert r0["gather"] == [[0.0], [7.0]] and r1["gather"] is None


def test_mismatched_shapes_raise_on_every_rank_in_seconds(tmp_path):
    rc, out, wall = run_job(
        tmp_path,
        """
        import chainrule as cr, chainrule.distributed as dist
        dist.init_process_group()
        r = dist.get_rank()
        dist.all_reduce(cr.ones(4, 3 if r == 0 else 2))
    """,
    )
    assert rc != 0 and wall < 10, out
    assert "all_reduce: the ranks called mismatched collectives" in out
    assert "rank 0: all_reduce of float32 (4, 3)" in out
    assert "rank 1: all_reduce of float32 (4, 2)" in out
    assert "chainrule launch: rank" in out


def test_different_collectives_are_named(tmp_path):
    rc, out, wall = run_job(
        tmp_path,
        """
        import chainrule as cr, chainrule.distributed as dist
        dist.init_process_group()
        if dist.get_rank() == 0:
            dist.all_reduce(cr.ones(2))
        else:
            dist.barrier()  # rank 1 skipped the all_reduce
    """,
    )
    assert rc != 0 and wall < 10, out
    assert "rank 0: all_reduce of float32 (2,)" in out and "rank 1: barrier" in out


def test_single_process_and_errors_without_a_group():
    with pytest.raises(RuntimeError, match="has not been initialized"):
        dist.get_rank()
    with pytest.raises(RuntimeError, match="has not been initialized"):
        dist.all_reduce(chainrule.ones(2))
    with pytest.raises(RuntimeError, match="needs GPUs"):
        dist.init_process_group("nccl")
    with pytest.raises(ValueError, match="unknown backend"):
        dist.init_process_group("tcp")
    dist.init_process_group()
    try:
        with pytest.raises(RuntimeError, match="already initialized"):
            dist.init_process_group()
        t = chainrule.tensor([2.0, 3.0])
        dist.all_reduce(t, op=dist.ReduceOp.AVG)
        assert t.tolist() == [2.0, 3.0] and dist.get_backend() == "mpi"
        with pytest.raises(TypeError, match="travel as JSON"):
            dist.broadcast_object_list([object()])
        with pytest.raises(ValueError, match="only the default group"):
            dist.all_reduce(t, group="other")
        with pytest.raises(NotImplementedError, match="subgroups"):
            dist.new_group([0, 5])
        with pytest.raises(ValueError, match="must be contiguous"):
            dist.all_reduce(chainrule.ones(3, 4).t())
    finally:
        dist.destroy_process_group()


def test_world_size_env_without_mpi_launcher(monkeypatch):
    monkeypatch.setenv("WORLD_SIZE", "4")
    with pytest.raises(RuntimeError, match="chainrule launch -n N"):
        dist.init_process_group()
    assert not dist.is_initialized()
