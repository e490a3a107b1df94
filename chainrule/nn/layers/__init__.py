"""Layers grouped by family; each module lists its public classes in ``__all__``."""

from chainrule.nn.layers.activation import *
from chainrule.nn.layers.attention import *
from chainrule.nn.layers.conv import *
from chainrule.nn.layers.dropout import *
from chainrule.nn.layers.embedding import *
from chainrule.nn.layers.linear import *
from chainrule.nn.layers.normalization import *
from chainrule.nn.layers.pooling import *
from chainrule.nn.layers.recurrent import *
from chainrule.nn.layers.transformer import *
from chainrule.nn.layers.distance import *
from chainrule.nn.layers.pixelshuffle import *
from chainrule.nn.layers.upsampling import *
from chainrule.nn.layers.padding import *
from chainrule.nn.layers.lazy import *
from chainrule.nn.layers.normalization_extra import *
from chainrule.nn.layers.legacy import *
