"""The gRPC server: the four services of every tenant served, health and reflection, on one
address. It is grpc.aio's, on an event loop of its own thread (loop.py); where each call
runs, on the loop, in a worker thread or in the process for leads (apart.py), is
handlers.py's."""

import asyncio
import logging

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection

from ..errors import FailedPrecondition
from ..v1 import assignment_pb2 as pb
from ..v1 import network_pb2 as npb
from ..v1 import resolution_pb2 as rpb
from ..v1 import rights_pb2 as xpb
from .access import DealerScope
from .assignment import DealerAssignmentServicer
from .handlers import HeavyPool, Workers, add_services
from .loop import EventLoop, Server
from .network import DealerNetworkServicer
from .operations import Operations
from .resolution import ControllerResolutionServicer
from .rights import DataSubjectRightsServicer
from .shedding import Backlog, Pushback, Shedding
from .tenancy import Tenancy
from .tls import server_credentials


_DESCRIPTORS = (
    pb.DESCRIPTOR.services_by_name["DealerAssignmentService"],
    rpb.DESCRIPTOR.services_by_name["ControllerResolutionService"],
    npb.DESCRIPTOR.services_by_name["DealerNetworkService"],
    xpb.DESCRIPTOR.services_by_name["DataSubjectRightsService"],
)

SERVICES = tuple(descriptor.full_name for descriptor in _DESCRIPTORS)

# Calls grpcio lets wait; beyond, it refuses them itself (without a retry delay). Shedding
# refuses long before, in microseconds a call, so only a burst far beyond what the service
# is sized for gets here.
_BACKLOG = 1024

log = logging.getLogger(__name__)


def build_server(apps: dict, address: str, max_workers: int,
                 ops: Operations | None = None) -> tuple[Server, int]:
    """A started server over the tenants' applications (by tenant id, the default first: see
    bootstrap.build_tenants); returns it with the port it bound (address may end in :0). A
    port another process holds is refused: grpcio would otherwise share it (SO_REUSEPORT) and
    the two servers would split the traffic. `ops` (metrics, call logs, draining) are the
    entry point's, or the server's own. The server-wide settings are the default tenant's."""
    ops = ops or Operations()
    event_loop = ops.event_loop = EventLoop()
    try:
        return event_loop.run(_start(apps, address, max_workers, ops, event_loop))
    except BaseException:
        event_loop.loop.call_soon_threadsafe(event_loop.loop.stop)
        raise


async def _start(apps: dict, address: str, max_workers: int, ops: Operations,
                 event_loop: EventLoop) -> tuple[Server, int]:
    settings = next(iter(apps.values())).settings
    tenancy = Tenancy(apps)
    # mTLS only; the roles in the client certificates decide who may call what (access.py).
    credentials = server_credentials(settings, address)
    # Light calls that would queue are refused with a retry delay (shedding.py), heavy ones
    # beyond their pool too. grpcio's own limit only caps what a burst can queue.
    pushback = Pushback()
    backlog = Backlog(settings.max_concurrent_rpcs)
    servers_before = Backlog.server_ids()
    server = grpc.aio.server(
        options=[("grpc.so_reuseport", 0), ("grpc.max_receive_message_length", settings.max_message_bytes)],
        maximum_concurrent_rpcs=_BACKLOG,
        # The one interceptor: it logs and counts every call, those the handlers refuse too.
        interceptors=[
            ops.observe(apps, tenancy, backlog),
        ],
    )
    # Requests are parsed inside the handlers, so undecodable bytes are INVALID_ARGUMENT; each
    # call runs on its tenant's servicers.
    servicers = {tenant: _servicers(app, ops) for tenant, app in apps.items()}
    for app in apps.values():
        app.store.on_event_loop()
    heavy = HeavyPool(max(1, min(settings.heavy_calls, max_workers - 1)), pushback)
    workers = Workers(max_workers, 2 * len(apps) + 2, heavy, settings.stream_stall_s, ops.apart)
    add_services(server, [
        (descriptor, {tenant: found[number] for tenant, found in servicers.items()})
        for number, descriptor in enumerate(_DESCRIPTORS)
    ], {tenant: app.store for tenant, app in apps.items()}, workers, tenancy,
        Shedding(settings.max_concurrent_rpcs, settings.max_queue_ms / 1000, pushback, backlog))
    health_servicer = ops.health = health.aio.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    reflection.enable_server_reflection((*SERVICES, health.SERVICE_NAME, reflection.SERVICE_NAME), server)
    try:
        port = server.add_secure_port(address, credentials)
    except RuntimeError:
        port = 0
    if port == 0:
        workers.shutdown()
        raise FailedPrecondition(f"cannot bind {address}: is another server using it?")
    await server.start()
    # The calls waiting in gRPC core, which shedding refuses beyond what can wait.
    created = Backlog.server_ids() - servers_before
    if created:
        backlog.watch(max(created))
    else:
        log.warning("channelz does not list the new server: load shedding cannot see calls waiting in gRPC core")
    for name in (*SERVICES, ""):
        await health_servicer.set(name, health_pb2.HealthCheckResponse.SERVING)
    if ops.apart is not None:
        ops.apart.start(asyncio.get_running_loop(), ops.stopping)
    return Server(event_loop, server, workers), port


def _servicers(app, ops: Operations) -> tuple:
    """One tenant's servicers, in the order of _DESCRIPTORS, over its application alone."""
    scope = DealerScope(app.assignment.assigned_dealer)
    return (
        DealerAssignmentServicer(app.assignment, app.customers, app.facts, app.network, app.leads, scope),
        ControllerResolutionServicer(app.resolution, app.facts, app.packs, scope),
        DealerNetworkServicer(app.network, app.reassign, app.audit, app.schedule, ops.stopping),
        DataSubjectRightsServicer(app.rights, app.erasure, app.sweep, scope, ops.stopping),
    )
