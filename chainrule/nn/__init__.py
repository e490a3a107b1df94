"""Neural-network building blocks: modules, layers, losses, initialization."""

from chainrule.nn import functional
