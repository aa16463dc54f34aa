"""The gRPC server: the three services, health and reflection, on one address."""

from concurrent import futures

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection

from ..errors import FailedPrecondition
from ..v1 import assignment_pb2 as pb
from ..v1 import assignment_pb2_grpc as pb_grpc
from ..v1 import network_pb2 as npb
from ..v1 import network_pb2_grpc as npb_grpc
from ..v1 import resolution_pb2 as rpb
from ..v1 import resolution_pb2_grpc as rpb_grpc
from .assignment import DealerAssignmentServicer
from .network import DealerNetworkServicer
from .resolution import ControllerResolutionServicer

SERVICES = (
    pb.DESCRIPTOR.services_by_name["DealerAssignmentService"].full_name,
    rpb.DESCRIPTOR.services_by_name["ControllerResolutionService"].full_name,
    npb.DESCRIPTOR.services_by_name["DealerNetworkService"].full_name,
)


def build_server(app, address: str, max_workers: int) -> tuple[grpc.Server, int]:
    """A started server over the application's use cases; returns it with the port it bound
    (address may end in :0). A port another process holds is refused: grpcio would otherwise
    share it (SO_REUSEPORT) and the two servers would split the traffic."""
    server = grpc.server(
        futures.ThreadPoolExecutor(max_workers=max_workers), options=[("grpc.so_reuseport", 0)]
    )
    pb_grpc.add_DealerAssignmentServiceServicer_to_server(
        DealerAssignmentServicer(app.assignment, app.customers, app.facts, app.network), server)
    rpb_grpc.add_ControllerResolutionServiceServicer_to_server(
        ControllerResolutionServicer(app.resolution, app.facts, app.packs), server)
    npb_grpc.add_DealerNetworkServiceServicer_to_server(
        DealerNetworkServicer(app.network, app.reassign, app.audit), server)
    health_servicer = health.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    reflection.enable_server_reflection((*SERVICES, health.SERVICE_NAME, reflection.SERVICE_NAME), server)
    try:
        port = server.add_insecure_port(address)
    except RuntimeError:
        port = 0
    if port == 0:
        raise FailedPrecondition(f"cannot bind {address}: is another server using it?")
    server.start()
    for name in (*SERVICES, ""):
        health_servicer.set(name, health_pb2.HealthCheckResponse.SERVING)
    return server, port
