"""The gRPC server: thin servicers that validate the shape of a request, call the domain
(app.CoController) and map the answer to protobuf.

Domain errors map to one status each; bad input always carries google.rpc.BadRequest field
violations, so a client never sees UNKNOWN or INTERNAL for what it sent.
"""

import datetime as dt
import functools
import logging
import signal
import threading
from concurrent import futures

import grpc
from google.protobuf import timestamp_pb2
from google.rpc import code_pb2, error_details_pb2, status_pb2
from google.type import date_pb2
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection
from grpc_status import rpc_status

from . import clock
from .app import AssignmentView, CoController
from .dealers import DealerVersion
from .errors import AlreadyExists, DomainError, FailedPrecondition, InvalidArgument, NotFound
from .reassign import DEFAULT_BATCH, Scope
from .history import CONTACT_KINDS
from .rulepack import RulePackError
from .v1 import assignment_pb2 as pb
from .v1 import assignment_pb2_grpc as pb_grpc
from .v1 import network_pb2 as npb
from .v1 import network_pb2_grpc as npb_grpc
from .v1 import resolution_pb2 as rpb
from .v1 import resolution_pb2_grpc as rpb_grpc

log = logging.getLogger(__name__)

# Handler threads. The work is Python under one GIL on a small machine: more threads only add
# wake-ups and lock hand-offs (measured: 4 serve a third more calls/s than 16). One of them
# at most runs a re-assignment job, which holds its thread while it streams.
WORKERS = 4

_BASES = {name: pb.AssignmentBasis.Value(f"ASSIGNMENT_BASIS_{name}") for name in
          ("PURCHASE", "PREFERRED", "HISTORY", "NEAREST")}
_CONTACT_KINDS = {pb.ContactKind.Value(f"CONTACT_KIND_{k.upper()}"): k for k in CONTACT_KINDS}
_CUSTOMER_KINDS = {pb.CUSTOMER_KIND_PRIVATE: "private", pb.CUSTOMER_KIND_PROFESSIONAL: "professional"}


class BadField(Exception):
    """A request field that cannot even be read (a date that does not exist, ...)."""

    def __init__(self, field: str, description: str):
        self.field, self.description = field, description
        super().__init__(f"{field}: {description}")


def _abort(context, code, message, violations=()):
    detail = None
    if violations:
        detail = error_details_pb2.BadRequest(
            field_violations=[
                error_details_pb2.BadRequest.FieldViolation(field=f, description=d)
                for f, d in violations
            ]
        )
    status = status_pb2.Status(code=code, message=message)
    if detail is not None:
        status.details.add().Pack(detail)
    context.abort_with_status(rpc_status.to_status(status))


def _abort_for(context, error: Exception, prefix: str):
    if isinstance(error, BadField):
        _abort(context, code_pb2.INVALID_ARGUMENT, str(error), [(error.field, error.description)])
    elif isinstance(error, InvalidArgument):
        violations = [(prefix + f, d) for f, d in error.violations]
        _abort(context, code_pb2.INVALID_ARGUMENT,
               "; ".join(f"{f}: {d}" for f, d in violations), violations)
    elif isinstance(error, NotFound):
        _abort(context, code_pb2.NOT_FOUND, str(error))
    elif isinstance(error, AlreadyExists):
        _abort(context, code_pb2.ALREADY_EXISTS, str(error))
    else:
        _abort(context, code_pb2.FAILED_PRECONDITION, str(error))


def handles_errors(prefix: str = ""):
    """Maps domain errors to statuses; `prefix` turns a domain field name into the request's
    field path (for instance "customer.")."""

    def wrap(method):
        @functools.wraps(method)
        def call(self, request, context):
            try:
                return method(self, request, context)
            except (BadField, DomainError) as e:
                _abort_for(context, e, prefix)

        return call

    return wrap


def streams_errors(method):
    """handles_errors for a server-streaming method: errors surface while it is iterated."""

    @functools.wraps(method)
    def call(self, request, context):
        try:
            yield from method(self, request, context)
        except (BadField, DomainError) as e:
            _abort_for(context, e, "")

    return call


def read_date(message: date_pb2.Date, field: str) -> dt.date | None:
    if message.year == 0 and message.month == 0 and message.day == 0:
        return None
    try:
        day = dt.date(message.year, message.month, message.day)
    except ValueError as e:
        raise BadField(field, f"{message.year}-{message.month}-{message.day} is not a date: {e}") from None
    if not clock.in_range(day):
        raise BadField(field, f"{day} is outside {clock.EARLIEST} to {clock.LATEST}")
    return day


def read_time(message: timestamp_pb2.Timestamp, field: str) -> dt.datetime | None:
    if message.seconds == 0 and message.nanos == 0:
        return None
    try:
        instant = message.ToDatetime(tzinfo=clock.UTC)
    except (ValueError, OverflowError) as e:
        raise BadField(field, f"not a valid timestamp: {e}") from None
    if not clock.in_range(instant.date()):
        raise BadField(field, f"{instant.isoformat()} is outside {clock.EARLIEST} to {clock.LATEST}")
    return instant


def date_pb(day: dt.date | None) -> date_pb2.Date | None:
    return date_pb2.Date(year=day.year, month=day.month, day=day.day) if day else None


def time_pb(instant: dt.datetime | None) -> timestamp_pb2.Timestamp | None:
    if instant is None:
        return None
    stamp = timestamp_pb2.Timestamp()
    stamp.FromDatetime(instant)
    return stamp


def dealer_pb(version: DealerVersion, active: bool) -> pb.Dealer:
    return pb.Dealer(
        id=version.dealer_id, legal_name=version.legal_name, trade_name=version.trade_name,
        enterprise_number=version.enterprise_number, street=version.street,
        postcode=version.postcode, town=version.town,
        location=pb.GeoPoint(latitude=version.lat, longitude=version.lon),
        languages=version.languages, roles=version.roles,
        active_from=date_pb(version.active_from), active_until=date_pb(version.active_until),
        active=active,
    )


def assignment_pb(view: AssignmentView) -> pb.Assignment:
    return pb.Assignment(
        customer_id=view.customer_id,
        dealer=dealer_pb(view.dealer, view.dealer_active),
        basis=_BASES[view.basis],
        explanation=view.explanation,
        distance_km=round(view.distance_km, 3),
        point=pb.GeoPoint(latitude=view.point[0], longitude=view.point[1]),
        point_source=view.point_source,
        rules_version=view.rules_version,
        rule_id=view.rule_id,
        runners_up=[
            pb.DealerCandidate(dealer_id=r["dealer_id"], dealer_name=r.get("dealer_name", ""),
                               basis=_BASES[r["basis"]], distance_km=r["distance_km"],
                               score=r["score"])
            for r in view.runners_up
        ],
        skipped=[pb.SkippedDealer(dealer_id=s["dealer_id"], basis=_BASES[s["basis"]],
                                  reason=s["reason"]) for s in view.skipped],
        valid_from=time_pb(view.valid_from),
        valid_to=time_pb(view.valid_to),
        stored=view.stored,
        decision_date=date_pb(view.decision_date),
        assignment_id=view.id,
    )


def customer_pb(row: dict) -> pb.Customer:
    kinds = {v: k for k, v in _CUSTOMER_KINDS.items()}
    customer = pb.Customer(
        id=row["id"], postcode=row["postcode"], language=row["language"],
        kind=kinds[row["kind"]], enterprise_number=row["enterprise_number"] or "",
        created_at=time_pb(clock.from_text(row["created_at"])),
        updated_at=time_pb(clock.from_text(row["updated_at"])),
    )
    if row["lat"] is not None:
        customer.point.CopyFrom(pb.GeoPoint(latitude=row["lat"], longitude=row["lon"]))
    return customer


def contact_pb(contact) -> pb.ContactEvent:
    kinds = {v: k for k, v in _CONTACT_KINDS.items()}
    return pb.ContactEvent(
        event_id=contact.event_id, customer_id=contact.customer_id,
        dealer_id=contact.dealer_id, kind=kinds[contact.kind],
        occurred_at=time_pb(contact.occurred_at),
    )


def preference_pb(preference) -> pb.Preference:
    return pb.Preference(
        id=preference.id, customer_id=preference.customer_id, dealer_id=preference.dealer_id,
        designated_at=time_pb(preference.designated_at), revoked_at=time_pb(preference.revoked_at),
    )


class DealerAssignmentServicer(pb_grpc.DealerAssignmentServiceServicer):
    def __init__(self, app: CoController):
        self.app = app

    @handles_errors()
    def AssignDealer(self, request, context):
        # The audit names who asked (x-caller metadata) and why (the request's reason).
        trigger = ":".join(["api", *filter(None, [_named_caller(context), request.reason])])
        view, changed = self.app.assign(request.customer_id, trigger)
        return pb.AssignDealerResponse(assignment=assignment_pb(view), changed=changed)

    @handles_errors()
    def GetResponsibleDealer(self, request, context):
        as_of = read_date(request.as_of, "as_of")
        subject = request.WhichOneof("subject")
        if subject == "customer_id":
            view = self.app.responsible_for_customer(request.customer_id, as_of)
        elif subject == "location":
            point = request.location.point if request.location.HasField("point") else None
            try:
                view = self.app.responsible_for_location(
                    request.location.postcode,
                    point.latitude if point else None,
                    point.longitude if point else None,
                    as_of,
                )
            except InvalidArgument as e:
                raise InvalidArgument([("location." + f, d) for f, d in e.violations]) from None
        else:
            raise BadField("subject", "give a customer_id or a location")
        return pb.GetResponsibleDealerResponse(assignment=assignment_pb(view))

    @handles_errors()
    def ListAssignments(self, request, context):
        views = self.app.assignments(request.customer_id)
        return pb.ListAssignmentsResponse(assignments=[assignment_pb(v) for v in views])

    @handles_errors("customer.")
    def UpsertCustomer(self, request, context):
        c = request.customer
        if c.kind == pb.CUSTOMER_KIND_UNSPECIFIED:
            kind = "private"
        elif c.kind in _CUSTOMER_KINDS:
            kind = _CUSTOMER_KINDS[c.kind]
        else:
            raise BadField("customer.kind", f"unknown kind {c.kind}")
        point = c.point if c.HasField("point") else None
        row, created = self.app.upsert_customer(
            c.id, c.postcode,
            point.latitude if point else None, point.longitude if point else None,
            c.language, kind, c.enterprise_number,
        )
        return pb.UpsertCustomerResponse(customer=customer_pb(row), created=created)

    @handles_errors()
    def GetCustomer(self, request, context):
        return pb.GetCustomerResponse(customer=customer_pb(self.app.get_customer(request.customer_id)))

    @handles_errors("event.")
    def RecordContact(self, request, context):
        e = request.event
        if e.kind not in _CONTACT_KINDS:
            raise BadField("event.kind", "must be one of " + ", ".join(
                pb.ContactKind.Name(k) for k in _CONTACT_KINDS))
        contact, created = self.app.record_contact(
            e.event_id, e.customer_id, e.dealer_id, _CONTACT_KINDS[e.kind],
            read_time(e.occurred_at, "event.occurred_at"),
        )
        return pb.RecordContactResponse(event=contact_pb(contact), created=created)

    @handles_errors()
    def SetPreferredDealer(self, request, context):
        preference = self.app.set_preference(
            request.customer_id, request.dealer_id,
            read_time(request.designated_at, "designated_at"),
        )
        return pb.SetPreferredDealerResponse(preference=preference_pb(preference))

    @handles_errors()
    def RevokePreferredDealer(self, request, context):
        preference = self.app.revoke_preference(
            request.customer_id, read_time(request.revoked_at, "revoked_at")
        )
        return pb.RevokePreferredDealerResponse(preference=preference_pb(preference))

    @handles_errors()
    def ListDealers(self, request, context):
        dealers = self.app.list_dealers(read_date(request.as_of, "as_of"), request.active_only)
        return pb.ListDealersResponse(dealers=[dealer_pb(v, active) for v, active in dealers])

    @handles_errors()
    def GetDealer(self, request, context):
        if not request.dealer_id:
            raise BadField("dealer_id", "is required")
        version, active = self.app.get_dealer(request.dealer_id, read_date(request.as_of, "as_of"))
        return pb.GetDealerResponse(dealer=dealer_pb(version, active))

    @handles_errors()
    def LookupPostcode(self, request, context):
        p = self.app.lookup_postcode(request.postcode)
        return pb.LookupPostcodeResponse(postcode=pb.PostcodeInfo(
            postcode=p.postcode, point=pb.GeoPoint(latitude=p.lat, longitude=p.lon),
            point_source=p.point_source, place=p.place,
            municipality_refnis=p.municipality_refnis, municipality_nl=p.municipality_nl,
            municipality_fr=p.municipality_fr, municipality_de=p.municipality_de,
            province_nl=p.province_nl, province_fr=p.province_fr,
            region_nl=p.region_nl, region_fr=p.region_fr, language_area=p.language_area,
        ))


def _citation(c) -> rpb.Citation | None:
    return rpb.Citation(section=c["section"], text=c["text"]) if c else None


def resolution_pb(r) -> rpb.ResolveControllersResponse:
    return rpb.ResolveControllersResponse(
        customer_id=r.customer_id, as_of=date_pb(r.as_of), language=r.language,
        controllers=[
            rpb.Controller(role=c["role"], id=c["id"], name=c["name"], legal_name=c["legal_name"],
                           address=c["address"], enterprise_number=c["enterprise_number"],
                           assignment_basis=c["basis"] or "", explanation=c["explanation"] or "",
                           label=c["label"], rule_id=c["rule"], citation=_citation(c["citation"]))
            for c in r.controllers
        ],
        purposes=[
            rpb.Purpose(id=p["id"], label=p["label"], group=p["group"],
                        legal_basis=rpb.LegalBasis.Value("LEGAL_BASIS_" + p["legal_basis"].upper()),
                        article=p["article"], controllers=p["controllers"], why=p["why"],
                        channel=p["channel"] or "", rule_id=p["rule"], citation=_citation(p["citation"]))
            for p in r.purposes
        ],
        recipients=[
            rpb.Recipient(id=x["id"], label=x["label"], name=x["name"], address=x["address"],
                          country=x["country"], category=x["category"], purpose=x["purpose"],
                          marketing=x["marketing"], channels=x["channels"], rule_id=x["rule"],
                          citation=_citation(x["citation"]))
            for x in r.recipients
        ],
        transfers=[
            rpb.Transfer(id=t["id"], label=t["label"], country=t["country"],
                         safeguard=rpb.Safeguard.Value("SAFEGUARD_" + t["safeguard"].upper()),
                         article=t["article"], applies_to=t["applies_to"], recipients=t["recipients"],
                         rule_id=t["rule"], citation=_citation(t["citation"]))
            for t in r.transfers
        ],
        retention=[
            rpb.RetentionItem(id=x["id"], label=x["label"], category=x["category"], method=x["method"],
                              anchor=x["anchor"] or "",
                              anchor_date=date_pb(dt.date.fromisoformat(x["anchor_date"])) if x["anchor_date"] else None,
                              erase_after=date_pb(x["erase_after"]), legal_hold=x["legal_hold"],
                              due=x["due"], rule_id=x["rule"], citation=_citation(x["citation"]))
            for x in r.retention
        ],
        notices=[rpb.Notice(id=n["id"], label=n["label"], refers_to=n["refers_to"], rule_id=n["rule"],
                            citation=_citation(n["citation"])) for n in r.notices],
        findings=[rpb.Finding(id=f["id"], label=f["label"], severity=f["severity"], code=f["code"],
                              rule_id=f["rule"], citation=_citation(f["citation"])) for f in r.findings],
        earliest_erase_date=date_pb(r.earliest_erase_date),
        rules_version=r.rules_version,
        fired_rules=r.fired_rules,
    )


def _packs_pb(app: CoController) -> list[rpb.RulePack]:
    return [
        rpb.RulePack(name=c.pack.name, version=c.pack.version, path=str(c.pack.path), rules=len(c.pack.rules))
        for c in (app.assignment_pack.current, app.privacy_pack.current)
    ]


class ControllerResolutionServicer(rpb_grpc.ControllerResolutionServiceServicer):
    def __init__(self, app: CoController):
        self.app = app

    @handles_errors()
    def ResolveControllers(self, request, context):
        return resolution_pb(self.app.resolve(
            request.customer_id, read_date(request.as_of, "as_of"), request.language))

    @handles_errors()
    def RecordConsent(self, request, context):
        consent, changed = self.app.record_consent(
            request.customer_id, request.channel,
            read_time(request.given_at, "given_at"), read_time(request.withdrawn_at, "withdrawn_at"))
        return rpb.RecordConsentResponse(consent=rpb.Consent(
            id=consent.id, customer_id=consent.customer_id, channel=consent.channel,
            given_at=time_pb(consent.given_at), withdrawn_at=time_pb(consent.withdrawn_at),
        ), changed=changed)

    @handles_errors("contract.")
    def RecordContract(self, request, context):
        c = request.contract
        contract, created = self.app.record_contract(
            c.id, c.customer_id, c.kind, c.partner, c.dealer_id,
            read_date(c.start, "contract.start"), read_date(c.end, "contract.end"))
        return rpb.RecordContractResponse(contract=rpb.Contract(
            id=contract.id, customer_id=contract.customer_id, kind=contract.kind,
            partner=contract.partner, dealer_id=contract.dealer_id or "",
            start=date_pb(contract.start_date), end=date_pb(contract.end_date),
        ), created=created)

    @handles_errors()
    def RecordDispute(self, request, context):
        d = self.app.record_dispute(
            request.customer_id, read_time(request.opened_at, "opened_at"),
            read_time(request.closed_at, "closed_at"), request.subject, request.dispute_id)
        return rpb.RecordDisputeResponse(dispute=rpb.Dispute(
            id=d.id, customer_id=d.customer_id, subject=d.subject,
            opened_at=time_pb(d.opened_at), closed_at=time_pb(d.closed_at)))

    @handles_errors()
    def ListRulePacks(self, request, context):
        return rpb.ListRulePacksResponse(packs=_packs_pb(self.app))

    @handles_errors()
    def ReloadRulePacks(self, request, context):
        try:
            self.app.reload_rules()
        except RulePackError as e:
            raise FailedPrecondition(f"rule packs not reloaded, the previous versions keep serving: {e}") from None
        return rpb.ReloadRulePacksResponse(packs=_packs_pb(self.app))


_BASIS_OR_UNSET = {**_BASES, None: pb.ASSIGNMENT_BASIS_UNSPECIFIED}


def change_pb(c) -> npb.AssignmentChange:
    """A job's difference (reassign.Change) or a stored assignment row."""
    if isinstance(c, dict):
        return npb.AssignmentChange(
            customer_id=c["customer_id"], old_dealer_id=c["previous_dealer_id"] or "",
            new_dealer_id=c["dealer_id"], old_basis=_BASIS_OR_UNSET[c["previous_basis"]],
            new_basis=_BASES[c["basis"]], reason=c["explanation"], trigger=c["trigger"],
            rules_version=c["rules_version"], at=time_pb(clock.from_text(c["valid_from"])),
        )
    return npb.AssignmentChange(
        customer_id=c.customer_id, old_dealer_id=c.old_dealer_id or "", new_dealer_id=c.new_dealer_id,
        old_basis=_BASIS_OR_UNSET[c.old_basis], new_basis=_BASES[c.new_basis], reason=c.reason,
    )


def _dealer_fields(request_fields, dealer_id: str) -> dict:
    f = request_fields
    fields = {
        "id": dealer_id, "legal_name": f.legal_name, "trade_name": f.trade_name,
        "enterprise_number": f.enterprise_number, "street": f.street, "postcode": f.postcode,
        "town": f.town, "languages": list(f.languages), "roles": list(f.roles),
    }
    if f.HasField("location"):
        fields.update(lat=f.location.latitude, lon=f.location.longitude)
    return fields


def _named_caller(context) -> str:
    """The x-caller metadata a client sends to be named in the audit trail, or ""."""
    return next((value for key, value in context.invocation_metadata() if key == "x-caller"), "")


def _caller(context) -> str:
    """Who asked, for the audit trail: the x-caller metadata, else the peer address."""
    return f"api:{_named_caller(context) or context.peer()}"


class DealerNetworkServicer(npb_grpc.DealerNetworkServiceServicer):
    def __init__(self, app: CoController):
        self.app = app
        self._job_running = threading.Lock()

    @handles_errors()
    def AddDealer(self, request, context):
        change, version = self.app.registry.add_dealer(
            _dealer_fields(request.dealer, request.dealer_id), read_date(request.effective, "effective"),
            _caller(context))
        return npb.AddDealerResponse(dealer=dealer_pb(version, True), change_id=change)

    @handles_errors()
    def UpdateDealer(self, request, context):
        fields = _dealer_fields(request.dealer, request.dealer_id)
        del fields["id"]
        change, version = self.app.registry.update_dealer(
            request.dealer_id, fields, read_date(request.effective, "effective"), _caller(context))
        return npb.UpdateDealerResponse(dealer=dealer_pb(version, True), change_id=change)

    @handles_errors()
    def CloseDealer(self, request, context):
        change, version = self.app.registry.close_dealer(
            request.dealer_id, read_date(request.effective, "effective"), _caller(context))
        return npb.CloseDealerResponse(dealer=dealer_pb(version, False), change_id=change)

    @streams_errors
    def ReassignCustomers(self, request, context):
        if not self._job_running.acquire(blocking=False):
            _abort(context, code_pb2.RESOURCE_EXHAUSTED,
                   "a re-assignment job is running on this server; retry when it has finished")
        try:
            yield from self._reassign(request, context)
        finally:
            self._job_running.release()

    def _reassign(self, request, context):
        scope = Scope(tuple(request.scope.postcodes), tuple(request.scope.dealer_ids))
        for progress in self.app.reassign(
            request.job_id, scope, request.dry_run, _caller(context), request.batch_size or DEFAULT_BATCH
        ):
            yield npb.ReassignCustomersResponse(
                job_id=progress.job_id, dry_run=progress.dry_run, total=progress.total,
                processed=progress.processed, changed=progress.changed,
                rate_per_second=progress.rate, eta_seconds=progress.eta_s,
                finished=progress.finished, resumed=progress.resumed,
                changes=[change_pb(c) for c in progress.changes],
                summary=[
                    npb.DealerPairCount(old_dealer_id=old or "", new_dealer_id=new, customers=n)
                    for (old, new), n in sorted(progress.pairs.items(), key=lambda x: (x[0][0] or "", x[0][1]))
                ] if progress.finished else [],
            )

    @handles_errors()
    def ListAssignmentChanges(self, request, context):
        subject = request.WhichOneof("subject")
        rows = self.app.assignment_changes(
            job_id=request.job_id if subject == "job_id" else None,
            customer_id=request.customer_id if subject == "customer_id" else None)
        return npb.ListAssignmentChangesResponse(changes=[change_pb(r) for r in rows])

    @handles_errors()
    def ListNotices(self, request, context):
        return npb.ListNoticesResponse(notices=[
            npb.CustomerNotice(
                id=n["id"], customer_id=n["customer_id"], old_dealer_id=n["old_dealer_id"],
                new_dealer_id=n["new_dealer_id"], trigger=n["trigger"],
                created_at=time_pb(clock.from_text(n["created_at"])),
                exported_at=time_pb(clock.from_text(n["exported_at"])) if n["exported_at"] else None,
            )
            for n in self.app.notices(request.pending_only, request.job_id or None)
        ])

    @handles_errors()
    def MarkNoticesExported(self, request, context):
        return npb.MarkNoticesExportedResponse(marked=self.app.mark_notices_exported(list(request.notice_ids)))


def build_server(app: CoController, address: str, max_workers: int = WORKERS) -> tuple[grpc.Server, int]:
    """A started server; returns it with the port it bound (address may end in :0)."""
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=max_workers))
    pb_grpc.add_DealerAssignmentServiceServicer_to_server(DealerAssignmentServicer(app), server)
    rpb_grpc.add_ControllerResolutionServiceServicer_to_server(ControllerResolutionServicer(app), server)
    npb_grpc.add_DealerNetworkServiceServicer_to_server(DealerNetworkServicer(app), server)
    health_servicer = health.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    services = [
        pb.DESCRIPTOR.services_by_name["DealerAssignmentService"].full_name,
        rpb.DESCRIPTOR.services_by_name["ControllerResolutionService"].full_name,
        npb.DESCRIPTOR.services_by_name["DealerNetworkService"].full_name,
        health.SERVICE_NAME,
        reflection.SERVICE_NAME,
    ]
    reflection.enable_server_reflection(services, server)
    port = server.add_insecure_port(address)
    if port == 0:
        raise OSError(f"cannot bind {address}")
    server.start()
    for name in services[:3] + [""]:
        health_servicer.set(name, health_pb2.HealthCheckResponse.SERVING)
    return server, port


def _reload(app: CoController) -> None:
    try:
        app.reload_rules()
        log.info("rule packs reloaded: %s", ", ".join(c.version for c in (app.assignment_pack.current, app.privacy_pack.current)))
    except RulePackError as e:
        log.error("rule packs not reloaded, the previous versions keep serving: %s", e)


def serve(db_path: str, port: int, host: str = "localhost") -> None:
    """Runs until SIGINT or SIGTERM, then drains calls in flight for up to 5 seconds."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    app = CoController(db_path)
    server, bound = build_server(app, f"{host}:{port}")
    log.info("cocontroller serving on %s:%d (database %s, rules %s, %s)", host, bound, db_path,
             app.assignment_pack.current.version, app.privacy_pack.current.version)
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    signal.signal(signal.SIGHUP, lambda *_: _reload(app))
    stop.wait()
    log.info("stopping")
    server.stop(grace=5).wait()
