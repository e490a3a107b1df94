"""Data-parallel training on many processes and machines, with PyTorch's ``torch.distributed``
names, on MPI (mpi4py over MPICH: ``pip install "chainrule[distributed]"``).

A job is started by ``chainrule launch -n N script.py`` (or ``mpiexec -n N python -m
chainrule.distributed.run script.py``); each process calls ``init_process_group()`` and wraps its
model in ``chainrule.nn.parallel.DistributedDataParallel``. mpi4py is imported by
``init_process_group``, never when chainrule is imported.

Example:
    >>> import chainrule.distributed as dist
    >>> dist.is_initialized()
    False
"""

from chainrule.distributed.collectives import (
    ReduceOp,
    Work,
    all_gather,
    all_gather_into_tensor,
    all_gather_object,
    all_reduce,
    barrier,
    broadcast,
    broadcast_object_list,
    gather,
    reduce_scatter,
    reduce_scatter_tensor,
    scatter,
)
from chainrule.distributed.process_group import (
    ProcessGroup,
    destroy_process_group,
    get_backend,
    get_local_rank,
    get_node_local_rank,
    get_rank,
    get_world_size,
    group,
    init_process_group,
    is_available,
    is_gloo_available,
    is_initialized,
    is_mpi_available,
    is_nccl_available,
    new_group,
)
