"""ControllerResolutionService: thin servicer over resolution, the privacy facts and the rule
packs."""

from ..model import FactKind
from ..usecases.facts import FactService
from ..usecases.packs import PackService
from ..usecases.resolution import ResolutionService
from ..v1 import resolution_pb2 as rpb
from ..v1 import resolution_pb2_grpc as rpb_grpc
from .convert import (
    consent_pb, contract_pb, dispute_pb, objection_pb, packs_pb, read_date, read_proof, read_time,
    resolution_wire,
)
from .access import DealerScope
from .errors import handles_errors
from .pages import fact_page, next_page_token, page_request


class ControllerResolutionServicer(rpb_grpc.ControllerResolutionServiceServicer):
    def __init__(self, resolution: ResolutionService, facts: FactService, packs: PackService,
                 scope: DealerScope):
        self.resolution = resolution
        self.facts = facts
        self.packs = packs
        self.scope = scope

    @handles_errors()
    def ResolveControllers(self, request, context):
        self.scope.check_customer(context, request.customer_id)
        return resolution_wire(self.resolution.resolve(
            request.customer_id, read_date(request.as_of, "as_of"), request.language,
            read_time(request.known_on, "known_on")))

    @handles_errors()
    def RecordConsent(self, request, context):
        consents, changed = self.facts.record_consent(
            request.customer_id, request.channel,
            read_time(request.given_at, "given_at"), read_time(request.withdrawn_at, "withdrawn_at"),
            read_proof(request.proof) if request.HasField("proof") else None)
        return rpb.RecordConsentResponse(
            consent=consent_pb(consents[0]) if request.channel else None, changed=changed,
            consents=[consent_pb(c) for c in consents])

    @handles_errors("contract.")
    def RecordContract(self, request, context):
        c = request.contract
        contract, created = self.facts.record_contract(
            c.id, c.customer_id, c.kind, c.partner, c.dealer_id,
            read_date(c.start, "contract.start"), read_date(c.end, "contract.end"))
        return rpb.RecordContractResponse(contract=contract_pb(contract), created=created)

    @handles_errors()
    def RecordDispute(self, request, context):
        dispute = self.facts.record_dispute(
            request.customer_id, read_time(request.opened_at, "opened_at"),
            read_time(request.closed_at, "closed_at"), request.subject, request.dispute_id)
        return rpb.RecordDisputeResponse(dispute=dispute_pb(dispute))

    @handles_errors()
    def ListConsents(self, request, context):
        page = fact_page(self.facts, self.scope, FactKind.CONSENTS, "ListConsents", request, context)
        return rpb.ListConsentsResponse(consents=[consent_pb(c) for c in page.items],
                                        next_page_token=next_page_token(page, "ListConsents", request.customer_id))

    @handles_errors()
    def ListContracts(self, request, context):
        page = fact_page(self.facts, self.scope, FactKind.CONTRACTS, "ListContracts", request, context)
        return rpb.ListContractsResponse(contracts=[contract_pb(c) for c in page.items],
                                         next_page_token=next_page_token(page, "ListContracts", request.customer_id))

    @handles_errors()
    def ListDisputes(self, request, context):
        page = fact_page(self.facts, self.scope, FactKind.DISPUTES, "ListDisputes", request, context)
        return rpb.ListDisputesResponse(disputes=[dispute_pb(d) for d in page.items],
                                        next_page_token=next_page_token(page, "ListDisputes", request.customer_id))

    @handles_errors()
    def ListObjections(self, request, context):
        page = fact_page(self.facts, self.scope, FactKind.OBJECTIONS, "ListObjections", request, context)
        return rpb.ListObjectionsResponse(objections=[objection_pb(o) for o in page.items],
                                          next_page_token=next_page_token(page, "ListObjections", request.customer_id))

    @handles_errors()
    def RecordObjection(self, request, context):
        objection, created = self.facts.record_objection(
            request.customer_id, request.purpose, read_time(request.objected_at, "objected_at"))
        return rpb.RecordObjectionResponse(objection=objection_pb(objection), created=created)

    @handles_errors()
    def ListRulePacks(self, request, context):
        page = self.packs.in_use(page_request(request.page_size, request.page_token, "ListRulePacks"))
        return rpb.ListRulePacksResponse(packs=packs_pb(page.items),
                                         next_page_token=next_page_token(page, "ListRulePacks"))

    @handles_errors()
    def ReloadRulePacks(self, request, context):
        return rpb.ReloadRulePacksResponse(packs=packs_pb(self.packs.reload()))
