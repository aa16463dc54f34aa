"""DataSubjectRightsService: thin servicer over the data subject's rights."""

import threading

from ..model import Erasure, ErasureOutcome, ErasureReason, Restriction, SweepProgress
from ..usecases.erasure import ErasureService
from ..usecases.retention import DEFAULT_BATCH, RetentionSweep
from ..usecases.rights import RightsService
from ..v1 import resolution_pb2 as rpb
from ..v1 import rights_pb2 as xpb
from ..v1 import rights_pb2_grpc as xpb_grpc
from .access import DealerScope
from .convert import (
    RECTIFIABLE_KINDS, contract_pb, customer_pb, date_pb, fact_pb, held_pb, kept_assignment_pb, notice_pb,
    objection_pb, preference_pb, read_correction, resolution_wire, time_pb,
)
from .errors import BadField, handles_errors, streams_errors
from .jobs import streamed
from .metadata import caller

_OUTCOMES = {
    ErasureOutcome.ERASED: xpb.ERASURE_OUTCOME_ERASED,
    ErasureOutcome.RESTRICTED: xpb.ERASURE_OUTCOME_RESTRICTED,
    ErasureOutcome.HELD: xpb.ERASURE_OUTCOME_HELD,
}
_REASONS = {ErasureReason.REQUEST: xpb.ERASURE_REASON_REQUEST, ErasureReason.RETENTION: xpb.ERASURE_REASON_RETENTION}


class DataSubjectRightsServicer(xpb_grpc.DataSubjectRightsServiceServicer):
    def __init__(self, rights: RightsService, erasure: ErasureService, sweep: RetentionSweep, scope: DealerScope,
                 stopping: threading.Event):
        self.rights = rights
        self.erasure = erasure
        self.sweep = sweep
        self.scope = scope
        self.stopping = stopping
        self._sweeping = threading.Lock()

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
            restriction=restriction_pb(found.restriction),
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

    @handles_errors()
    def EraseCustomer(self, request, context):
        found = self.erasure.erase(request.customer_id, request.request_id, caller(context))
        return xpb.EraseCustomerResponse(erasure=erasure_pb(found))

    @streams_errors
    def SweepRetention(self, request, context):
        yield from streamed(
            self._sweeping, "retention sweep", request.job_id,
            lambda: self.sweep.run(request.job_id, request.dry_run, caller(context),
                                   request.batch_size or DEFAULT_BATCH, stop=self.stopping),
            sweep_pb)


def erasure_pb(e: Erasure) -> xpb.Erasure:
    return xpb.Erasure(
        request_id=e.request_id, reason=_REASONS[e.reason], request_time=time_pb(e.requested_at),
        outcome=_OUTCOMES[e.outcome], erased=[xpb.TableRows(table=c.table, rows=c.rows) for c in e.erased],
        kept=[xpb.TableRows(table=c.table, rows=c.rows) for c in e.kept], erase_date=date_pb(e.erase_on),
        caller=e.caller, scrubbed=e.scrubbed,
    )


def restriction_pb(r: Restriction | None) -> xpb.Restriction | None:
    if r is None:
        return None
    return xpb.Restriction(since=time_pb(r.since), reason=_REASONS[r.reason], request_id=r.request_id,
                           erase_date=date_pb(r.erase_on), legal_hold=r.legal_hold)


def sweep_pb(p: SweepProgress) -> xpb.SweepRetentionResponse:
    return xpb.SweepRetentionResponse(
        job_id=p.job_id, dry_run=p.dry_run, total=p.total, processed=p.processed, acted=p.acted,
        finished=p.finished, resumed=p.resumed, processed_before=p.processed_before,
        customers=[xpb.SweptCustomer(customer_id=i.customer_id, outcome=_OUTCOMES[i.outcome],
                                     erase_date=date_pb(i.erase_on)) for i in p.items],
        outcomes=[xpb.OutcomeCount(outcome=_OUTCOMES[o], customers=n) for o, n in p.outcomes],
    )
