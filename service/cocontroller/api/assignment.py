"""DealerAssignmentService: thin servicer over the customer, fact, assignment and network use
cases."""

import hashlib

from google.rpc import code_pb2

from .. import clock
from ..errors import InvalidArgument
from ..model import CustomerField, FactKind, Lead, LeadContact, LeadKind
from ..usecases.assignment import AssignmentService
from ..usecases.customers import CustomerService
from ..usecases.facts import FactService
from ..usecases.leads import LeadService
from ..usecases.network import NetworkService
from ..v1 import assignment_pb2 as pb
from ..v1 import assignment_pb2_grpc as pb_grpc
from .convert import (
    CONTACT_KINDS, CUSTOMER_KINDS, LEAD_KINDS, assignment_pb, customer_change, contact_pb, customer_pb, dealer_pb, kept_assignment_pb,
    postcode_pb, preference_pb, read_date, read_time,
)
from .access import DealerScope
from .errors import BadField, abort, handles_errors
from .metadata import caller
from .pages import fact_page, next_page_token, page_request


class DealerAssignmentServicer(pb_grpc.DealerAssignmentServiceServicer):
    def __init__(self, assignment: AssignmentService, customers: CustomerService,
                 facts: FactService, network: NetworkService, leads: LeadService, scope: DealerScope):
        self.assignment = assignment
        self.customers = customers
        self.facts = facts
        self.network = network
        self.leads = leads
        self.scope = scope

    @handles_errors()
    def AssignDealer(self, request, context):
        # The audit names who asked (the principal, x-caller as an annotation) and why.
        trigger = caller(context) + (f"; reason={request.reason}" if request.reason else "")
        view, changed = self.assignment.assign(request.customer_id, trigger)
        return pb.AssignDealerResponse(assignment=assignment_pb(view), changed=changed)

    @handles_errors()
    def GetResponsibleDealer(self, request, context):
        as_of = read_date(request.as_of, "as_of")
        known_on = read_time(request.known_on, "known_on")
        subject = request.WhichOneof("subject")
        if subject == "customer_id":
            self.scope.check_customer(context, request.customer_id)
            view = self.assignment.responsible_for_customer(request.customer_id, as_of, known_on)
        elif subject == "location":
            point = request.location.point if request.location.HasField("point") else None
            try:
                view = self.assignment.responsible_for_location(
                    request.location.postcode,
                    point.latitude if point else None,
                    point.longitude if point else None,
                    as_of,
                    known_on,
                )
            except InvalidArgument as e:
                raise e.prefixed("location.", ("postcode", "point")) from None
        else:
            raise BadField("subject", "give a customer_id or a location")
        return pb.GetResponsibleDealerResponse(assignment=kept_assignment_pb(view))

    @handles_errors()
    def ListAssignments(self, request, context):
        self.scope.check_customer(context, request.customer_id)
        query = ("ListAssignments", request.customer_id)
        page = self.assignment.history(request.customer_id, page_request(request.page_size, request.page_token, *query))
        return pb.ListAssignmentsResponse(assignments=[kept_assignment_pb(v) for v in page.items],
                                          next_page_token=next_page_token(page, *query))

    @handles_errors()
    def ListContacts(self, request, context):
        page = fact_page(self.facts, self.scope, FactKind.CONTACTS, "ListContacts", request, context)
        return pb.ListContactsResponse(contacts=[contact_pb(c) for c in page.items],
                                       next_page_token=next_page_token(page, "ListContacts", request.customer_id))

    @handles_errors()
    def ListPreferences(self, request, context):
        page = fact_page(self.facts, self.scope, FactKind.PREFERENCES, "ListPreferences", request, context)
        return pb.ListPreferencesResponse(
            preferences=[preference_pb(p) for p in page.items],
            next_page_token=next_page_token(page, "ListPreferences", request.customer_id))

    @handles_errors("customer.")
    def UpsertCustomer(self, request, context):
        c = request.customer
        if c.kind != pb.CUSTOMER_KIND_UNSPECIFIED and c.kind not in CUSTOMER_KINDS:
            raise BadField("customer.kind", f"unknown kind {c.kind}")
        point = c.point if c.HasField("point") else None
        customer, created = self.customers.upsert(
            c.id, c.postcode,
            point.latitude if point else None, point.longitude if point else None,
            c.language, CUSTOMER_KINDS.get(c.kind, ""), c.enterprise_number, request.accept_distant_point,
            request.readmit_erased,
        )
        return pb.UpsertCustomerResponse(customer=customer_pb(customer), created=created)

    @handles_errors()
    def UpdateCustomer(self, request, context):
        c = request.customer
        change = customer_change(c)
        try:
            customer = self.customers.update(c.id, change, tuple(request.update_mask.paths), c.etag,
                                             request.accept_distant_point)
        except InvalidArgument as e:
            raise e.prefixed("customer.", ("id", *CustomerField)) from None
        return pb.UpdateCustomerResponse(customer=customer_pb(customer))

    @handles_errors()
    def CreateLead(self, request, context):
        c = request.customer
        change = customer_change(c)
        for i, contact in enumerate(request.contacts):
            if contact.kind not in LEAD_KINDS:
                raise BadField(f"contacts[{i}].kind", f"must be one of {', '.join(LeadKind)}")
        contacts = tuple(
            LeadContact(LEAD_KINDS[x.kind], x.occurred_at.ToDatetime(tzinfo=clock.UTC) if x.HasField("occurred_at")
                        else None, x.dealer_id, x.event_id)
            for x in request.contacts)
        # What was asked, but the request id: the same id with another request is refused.
        asked = pb.CreateLeadRequest()
        asked.CopyFrom(request)
        asked.request_id = ""
        fingerprint = hashlib.sha256(asked.SerializeToString(deterministic=True)).hexdigest()
        try:
            return self.leads.create(request.request_id, c.id, change, tuple(request.update_mask.paths), contacts,
                                     request.accept_distant_point, fingerprint, _lead_answer)
        except InvalidArgument as e:
            raise e.prefixed("customer.", tuple(CustomerField)) from None

    @handles_errors()
    def GetCustomer(self, request, context):
        self.scope.check_customer(context, request.customer_id)
        return pb.GetCustomerResponse(customer=customer_pb(self.customers.get(request.customer_id)))

    @handles_errors("event.")
    def RecordContact(self, request, context):
        e = request.event
        acting = self.scope.acting_dealer(context)
        if acting is not None and e.dealer_id and e.dealer_id != acting:  # empty: INVALID_ARGUMENT below
            abort(code_pb2.PERMISSION_DENIED, f"a dealer records its own contacts only ({acting})")
        if e.kind not in CONTACT_KINDS:
            raise BadField("event.kind", "must be one of " + ", ".join(
                pb.ContactKind.Name(k) for k in CONTACT_KINDS))
        contact, created = self.facts.record_contact(
            e.event_id, e.customer_id, e.dealer_id, CONTACT_KINDS[e.kind],
            read_time(e.occurred_at, "event.occurred_at"),
        )
        return pb.RecordContactResponse(event=contact_pb(contact), created=created)

    @handles_errors()
    def SetPreferredDealer(self, request, context):
        preference = self.facts.set_preference(
            request.customer_id, request.dealer_id, read_time(request.designated_at, "designated_at"))
        return pb.SetPreferredDealerResponse(preference=preference_pb(preference))

    @handles_errors()
    def RevokePreferredDealer(self, request, context):
        preference = self.facts.revoke_preference(request.customer_id, read_time(request.revoked_at, "revoked_at"))
        return pb.RevokePreferredDealerResponse(preference=preference_pb(preference))

    @handles_errors()
    def ListDealers(self, request, context):
        as_of = read_date(request.as_of, "as_of")
        known_on = read_time(request.known_on, "known_on")
        query = ("ListDealers", as_of, request.active_only, known_on)
        page = self.network.list_dealers(
            as_of, request.active_only, page_request(request.page_size, request.page_token, *query), known_on)
        return pb.ListDealersResponse(dealers=[dealer_pb(d.version, d.active) for d in page.items],
                                      next_page_token=next_page_token(page, *query))

    @handles_errors()
    def GetDealer(self, request, context):
        if not request.dealer_id:
            raise BadField("dealer_id", "is required")
        found = self.network.get_dealer(
            request.dealer_id, read_date(request.as_of, "as_of"), read_time(request.known_on, "known_on"))
        return pb.GetDealerResponse(dealer=dealer_pb(found.version, found.active))

    @handles_errors()
    def LookupPostcode(self, request, context):
        return pb.LookupPostcodeResponse(postcode=postcode_pb(self.network.lookup_postcode(request.postcode)))


def _lead_answer(lead: Lead) -> bytes:
    """A lead's answer as the wire carries it, kept as such for a retry."""
    return pb.CreateLeadResponse(
        customer=customer_pb(lead.customer), customer_created=lead.customer_created,
        contacts=[contact_pb(c) for c in lead.contacts], assignment=assignment_pb(lead.responsible),
    ).SerializeToString()
