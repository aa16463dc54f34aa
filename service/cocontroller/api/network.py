"""DealerNetworkService: thin servicer over network changes, re-assignment jobs and the
audit trail."""

import threading

from ..model import JobProgress, Scope
from ..usecases.audit import AuditService
from ..usecases.network import NetworkService
from ..usecases.reassign import DEFAULT_BATCH, ReassignService
from ..usecases.schedule import ScheduledChanges
from ..v1 import network_pb2 as npb
from ..v1 import network_pb2_grpc as npb_grpc
from .convert import (
    SCHEDULE_STATUSES, change_pb, correction_of, dealer_fields, dealer_pb, logged_change_pb, notice_pb, read_date,
    read_time, scheduled_pb, stored_change_pb, time_pb,
)
from .errors import BadField, handles_errors, streams_errors
from .jobs import streamed
from .metadata import caller
from .pages import next_page_token, page_request


class DealerNetworkServicer(npb_grpc.DealerNetworkServiceServicer):
    def __init__(self, network: NetworkService, reassign: ReassignService, audit: AuditService,
                 schedule: ScheduledChanges, stopping: threading.Event | None = None):
        self.network = network
        self.reassign = reassign
        self.audit = audit
        self.schedule = schedule
        # One job at a time per server: a job holds a worker thread while it streams.
        self._job_running = threading.Lock()
        # Set when the server drains: a running job stops after its current batch.
        self.stopping = stopping or threading.Event()

    @handles_errors()
    def AddDealer(self, request, context):
        change = self.network.add_dealer(
            request.dealer_id, dealer_fields(request.dealer), read_date(request.effective, "effective"),
            caller(context), correction_of(request))
        return npb.AddDealerResponse(dealer=dealer_pb(change.dealer, True), change_id=change.id,
                                            scheduled=scheduled_pb(change.scheduled))

    @handles_errors()
    def UpdateDealer(self, request, context):
        change = self.network.update_dealer(
            request.dealer_id, dealer_fields(request.dealer), read_date(request.effective, "effective"),
            caller(context), correction_of(request))
        return npb.UpdateDealerResponse(dealer=dealer_pb(change.dealer, True), change_id=change.id,
                                               scheduled=scheduled_pb(change.scheduled))

    @handles_errors()
    def CloseDealer(self, request, context):
        change = self.network.close_dealer(
            request.dealer_id, read_date(request.effective, "effective"), caller(context), correction_of(request))
        return npb.CloseDealerResponse(dealer=dealer_pb(change.dealer, False), change_id=change.id,
                                       scheduled=scheduled_pb(change.scheduled))

    @handles_errors()
    def ReopenDealer(self, request, context):
        change = self.network.reopen_dealer(
            request.dealer_id, dealer_fields(request.dealer), read_date(request.effective, "effective"),
            caller(context), correction_of(request))
        return npb.ReopenDealerResponse(dealer=dealer_pb(change.dealer, True), change_id=change.id,
                                               scheduled=scheduled_pb(change.scheduled))

    @handles_errors()
    def CancelNetworkChange(self, request, context):
        cancelled = self.network.cancel_change(request.change_id, caller(context), request.reason)
        return npb.CancelNetworkChangeResponse(change=logged_change_pb(cancelled.change),
                                               withdrawn_notices=cancelled.withdrawn_notices)

    @handles_errors()
    def ListScheduledChanges(self, request, context):
        if request.status and request.status not in _STATUSES:
            raise BadField("status", f"{request.status} is not a schedule status")
        status = _STATUSES.get(request.status)
        query = ("ListScheduledChanges", request.status)
        page = self.schedule.listed(status, page_request(request.page_size, request.page_token, *query))
        return npb.ListScheduledChangesResponse(changes=[scheduled_pb(c) for c in page.items],
                                                next_page_token=next_page_token(page, *query))

    @streams_errors
    def ReassignCustomers(self, request, context):
        def progress():
            scope = Scope(tuple(request.scope.postcodes), tuple(request.scope.dealer_ids))
            preview = read_time(request.preview_time, "preview_time")
            if preview is not None and not request.dry_run:
                raise BadField("preview_time", "only a dry run can be given a decision instant")
            return self.reassign.run(request.job_id, scope, request.dry_run, caller(context),
                                     request.batch_size or DEFAULT_BATCH, at=preview, stop=self.stopping)

        yield from streamed(self._job_running, "re-assignment job", request.job_id, progress, _progress_pb)

    @handles_errors()
    def ListAssignmentChanges(self, request, context):
        subject = request.WhichOneof("subject")
        job_id = request.job_id if subject == "job_id" else None
        customer_id = request.customer_id if subject == "customer_id" else None
        query = ("ListAssignmentChanges", job_id, customer_id)
        page = self.audit.assignment_changes(
            job_id=job_id, customer_id=customer_id,
            page=page_request(request.page_size, request.page_token, *query))
        return npb.ListAssignmentChangesResponse(changes=[stored_change_pb(r) for r in page.items],
                                                 next_page_token=next_page_token(page, *query))

    @handles_errors()
    def ListNotices(self, request, context):
        query = ("ListNotices", request.pending_only, request.job_id)
        page = self.audit.notices(request.pending_only, request.job_id or None,
                                  page_request(request.page_size, request.page_token, *query))
        return npb.ListNoticesResponse(notices=[notice_pb(n) for n in page.items],
                                       next_page_token=next_page_token(page, *query))

    @handles_errors()
    def MarkNoticesExported(self, request, context):
        marked, at = self.audit.mark_notices_exported(
            list(request.notice_ids), read_time(request.export_time, "export_time"))
        return npb.MarkNoticesExportedResponse(marked=marked, export_time=time_pb(at))


def _progress_pb(p: JobProgress) -> npb.ReassignCustomersResponse:
    return npb.ReassignCustomersResponse(
        job_id=p.job_id, dry_run=p.dry_run, total=p.total, processed=p.processed,
        changed=p.changed, rate_per_second=p.rate, eta_seconds=p.eta_s, finished=p.finished,
        resumed=p.resumed, processed_before=p.processed_before,
        changes=[change_pb(c) for c in p.changes],
        summary=[npb.DealerPairCount(old_dealer_id=s.old_dealer_id or "", new_dealer_id=s.new_dealer_id,
                                     customers=s.customers) for s in p.summary],
    )


# A status filter from the request: unspecified lists all.
_STATUSES = {pb: status for status, pb in SCHEDULE_STATUSES.items()}
