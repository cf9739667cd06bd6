# An ML2 mechanism driver for a Neutron without agents (tests/openstack/up.sh).
#
# Stock drivers (openvswitch, linuxbridge, ...) bind a port only when a live agent reports on
# the port's host; with none running, every port ends up `binding_failed` and Nova aborts the
# boot. This driver binds every port it is asked about, on its first segment, as an OVS port,
# and marks it ACTIVE. Nothing is plugged anywhere: the plane is API-only (Nova's fake driver).
#
# Neutron finds it by name (mechanism_drivers = escd_noop) through the entry point group
# neutron.ml2.mechanism_drivers; up.sh writes the .dist-info that declares it next to this file
# and puts that directory on neutron-server's PYTHONPATH only.
from neutron_lib import constants
from neutron_lib.api.definitions import portbindings
from neutron_lib.plugins.ml2 import api


class NoopMechanismDriver(api.MechanismDriver):
    def initialize(self):
        pass  # no agent, no state

    def bind_port(self, context):
        for segment in context.segments_to_bind:
            context.set_binding(segment[api.ID], portbindings.VIF_TYPE_OVS,
                                {portbindings.CAP_PORT_FILTER: False},
                                status=constants.PORT_STATUS_ACTIVE)
            return  # the first segment is enough
