"""``chainrule.nn.parallel``: PyTorch's data-parallel wrappers.

``DistributedDataParallel`` trains one replica per process (``chainrule.distributed``, on MPI);
``DataParallel`` and ``data_parallel`` run the module as it is on the one CPU device.
"""

from chainrule.nn.parallel.data_parallel import DataParallel, data_parallel
from chainrule.nn.parallel.distributed import DistributedDataParallel
from chainrule.nn.parallel.sync_batchnorm import SyncBatchNorm
