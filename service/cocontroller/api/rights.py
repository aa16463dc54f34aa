"""DataSubjectRightsService: thin servicer over the data subject's rights."""

from ..usecases.rights import RightsService
from ..v1 import resolution_pb2 as rpb
from ..v1 import rights_pb2 as xpb
from ..v1 import rights_pb2_grpc as xpb_grpc
from .access import DealerScope
from .convert import (
    consent_pb, contact_pb, contract_pb, customer_pb, dispute_pb, kept_assignment_pb, notice_pb, objection_pb,
    preference_pb, resolution_wire, time_pb,
)
from .errors import handles_errors


class DataSubjectRightsServicer(xpb_grpc.DataSubjectRightsServiceServicer):
    def __init__(self, rights: RightsService, scope: DealerScope):
        self.rights = rights
        self.scope = scope

    @handles_errors()
    def ExportCustomer(self, request, context):
        self.scope.check_customer(context, request.customer_id)
        found = self.rights.export(request.customer_id, request.language)
        return xpb.ExportCustomerResponse(
            customer=customer_pb(found.customer),
            earlier_versions=[xpb.CustomerVersion(customer=customer_pb(v.customer),
                                                  superseded_time=time_pb(v.superseded_at))
                              for v in found.earlier_versions],
            contacts=[contact_pb(c) for c in found.contacts],
            preferences=[preference_pb(p) for p in found.preferences],
            consents=[consent_pb(c) for c in found.consents],
            contracts=[contract_pb(c) for c in found.contracts],
            earlier_contract_versions=[
                xpb.ContractVersion(contract=contract_pb(v.contract), record_time=time_pb(v.recorded_at),
                                    superseded_time=time_pb(v.superseded_at))
                for v in found.earlier_contract_versions],
            disputes=[dispute_pb(d) for d in found.disputes],
            objections=[objection_pb(o) for o in found.objections],
            assignments=[kept_assignment_pb(a) for a in found.assignments],
            notices=[notice_pb(n) for n in found.notices],
            resolution=rpb.ResolveControllersResponse.FromString(resolution_wire(found.resolution)),
            export_time=time_pb(found.exported_at),
        )
