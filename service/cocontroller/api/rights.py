"""DataSubjectRightsService: thin servicer over the data subject's rights."""

from ..usecases.rights import RightsService
from ..v1 import resolution_pb2 as rpb
from ..v1 import rights_pb2 as xpb
from ..v1 import rights_pb2_grpc as xpb_grpc
from .access import DealerScope
from .convert import (
    RECTIFIABLE_KINDS, contract_pb, customer_pb, fact_pb, held_pb, kept_assignment_pb, notice_pb, objection_pb,
    preference_pb, read_correction, resolution_wire, time_pb,
)
from .errors import BadField, handles_errors


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
            contacts=[held_pb(c) for c in found.contacts],
            preferences=[preference_pb(p) for p in found.preferences],
            consents=[held_pb(c) for c in found.consents],
            contracts=[held_pb(c) for c in found.contracts],
            earlier_contract_versions=[
                xpb.ContractVersion(contract=contract_pb(v.contract), record_time=time_pb(v.recorded_at),
                                    superseded_time=time_pb(v.superseded_at), correction_reason=v.correction_reason)
                for v in found.earlier_contract_versions],
            disputes=[held_pb(d) for d in found.disputes],
            objections=[objection_pb(o) for o in found.objections],
            assignments=[kept_assignment_pb(a) for a in found.assignments],
            notices=[notice_pb(n) for n in found.notices],
            resolution=rpb.ResolveControllersResponse.FromString(resolution_wire(found.resolution)),
            export_time=time_pb(found.exported_at),
        )

    @handles_errors()
    def RectifyFact(self, request, context):
        self.scope.check_customer(context, request.customer_id)
        if request.kind not in RECTIFIABLE_KINDS:
            kinds = ", ".join(xpb.RectifiableKind.Name(k) for k in RECTIFIABLE_KINDS)
            raise BadField("kind", f"must be one of {kinds}")
        done = self.rights.rectify(RECTIFIABLE_KINDS[request.kind], request.customer_id, request.fact_id,
                                   request.reason, read_correction(request))
        return xpb.RectifyFactResponse(retracted=fact_pb(done.retracted), correction=fact_pb(done.correction),
                                       changed=done.changed)
