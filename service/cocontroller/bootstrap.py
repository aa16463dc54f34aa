"""The composition root: the one place that builds the application's objects from its
settings. Entry points (the gRPC server, the CLI's server-side commands, a job's worker
processes) ask for an `App` here; nothing else constructs collaborators."""

from dataclasses import dataclass
from pathlib import Path

from . import clock, resources, tenants
from .config import Settings
from .domain.assignment import Assigner
from .domain.cache_use import CacheUse
from .domain.geo import BelgiumBoundary
from .domain.postcodes import PostcodeDirectory
from .domain.resolution import Resolver
from .errors import AlreadyExists
from .keys import key_beside
from .model import ErasurePlan, InitResult, Tenant
from .rules.engine import RuleEngine
from .store import Store
from .store.dialect import is_url
from .usecases.assignment import AssignmentService
from .usecases.audit import AuditService
from .usecases.customers import CustomerService
from .usecases.erasure import ErasureService
from .usecases.facts import FactService
from .usecases.leads import LeadService
from .usecases.network import NetworkService
from .usecases.notifications import Notifications
from .usecases.packs import PackService
from .usecases.reassign import Decided, ReassignService
from .usecases.resolution import ResolutionService
from .usecases.retention import RetentionSweep
from .usecases.rights import RightsService
from .usecases.schedule import ScheduledChanges
from .usecases.runtime import RuntimeHolder
from .usecases.workers import WorkerEntry
from .usecases.synthetic import SyntheticData


@dataclass(frozen=True)
class App:
    """The wired application: its settings, the store, the runtime, and the use cases."""

    settings: Settings
    store: Store
    runtime: RuntimeHolder
    postcodes: PostcodeDirectory
    boundary: BelgiumBoundary
    assignment: AssignmentService
    customers: CustomerService
    facts: FactService
    resolution: ResolutionService
    rights: RightsService
    network: NetworkService
    reassign: ReassignService
    audit: AuditService
    packs: PackService
    synthetic: SyntheticData
    erasure: ErasureService
    sweep: RetentionSweep
    leads: LeadService
    schedule: ScheduledChanges
    notifications: Notifications

    def cache_uses(self) -> dict[str, CacheUse]:
        """How often each cache answered, by the name the metrics give it: read at scrape
        time, and sent by the leads' process to the server (api/apart.py)."""
        return {
            "assignment_decisions": self.assignment.assigner.memo_use,
            "place_decisions": self.assignment.assigner.places_use,
            "resolution_outcomes": self.resolution.resolver.memo_use,
            "nearest_dealers": self.runtime.nearest_use,
            "assignment_views": self.assignment.views_use,
            "place_answers": self.assignment.places_use,
            "resolution_answers": self.resolution.answers_use,
        }


def rules_dir(settings: Settings) -> Path:
    return Path(settings.rules_dir) if settings.rules_dir else resources.packs_dir()


def data_dir(settings: Settings) -> Path:
    return Path(settings.data_dir) if settings.data_dir else resources.data_dir()


def build_tenant(settings: Settings, tenant: Tenant | None = None) -> App:
    """The application of one tenant (`settings.tenant` unless given): its database and packs."""
    return build(tenants.settings_of(settings, tenant or tenants.chosen(settings)))


def build_tenants(settings: Settings) -> dict[str, App]:
    """One application per tenant served, by tenant id, the default first: each its own
    store, packs, network and use cases, so no tenant's call can reach another's rows."""
    return {tenant.id: build_tenant(settings, tenant) for tenant in tenants.served(settings)}


def build(settings: Settings, create: bool = False) -> App:
    """The application over the settings' database, which must exist unless `create`, with
    the settings' packs as they stand (`build_tenant` picks a tenant's)."""
    store = Store(settings.db, create=create)
    data = data_dir(settings)
    rules = rules_dir(settings)
    postcodes = PostcodeDirectory(data / "postcodes.csv")
    boundary = BelgiumBoundary(data / "belgium.geojson")
    engine = RuleEngine()
    runtime = RuntimeHolder(engine, rules / resources.ASSIGNMENT_PACK, rules / resources.PRIVACY_PACK, store.network,
                            store.packs)
    assignment = AssignmentService(store, runtime, Assigner(engine), postcodes, boundary)
    facts = FactService(store, runtime, assignment)
    workers = WorkerEntry(start=start_worker, decide=decide_in_worker, sweep=sweep_in_worker, args=(settings,))
    resolution = ResolutionService(store, runtime, Resolver(engine), assignment)
    erasure = ErasureService(store, runtime, resolution, key_beside(settings.db, "erasurekey", settings.erasure_key))
    customers = CustomerService(store, postcodes, boundary, assignment, erasure)
    reassign = ReassignService(store, runtime, assignment, postcodes, workers, settings.claim_hold_s)
    schedule = ScheduledChanges(store, reassign)
    packs = PackService(runtime, store)
    return App(
        settings=settings,
        store=store,
        runtime=runtime,
        postcodes=postcodes,
        boundary=boundary,
        assignment=assignment,
        customers=customers,
        facts=facts,
        resolution=resolution,
        rights=RightsService(store, assignment, resolution, facts),
        network=NetworkService(store, runtime, postcodes, boundary, settings.backdate_window_days,
                               settings.notice_lead_days, schedule.wake.set),
        reassign=reassign,
        audit=AuditService(store, runtime),
        packs=packs,
        synthetic=SyntheticData(
            store, lambda: runtime.recent().network, postcodes, boundary, data / "province-population.csv"
        ),
        erasure=erasure,
        sweep=RetentionSweep(store, runtime, resolution.resolver, erasure, workers, settings.claim_hold_s),
        leads=LeadService(store, runtime, customers, assignment),
        schedule=schedule,
        notifications=Notifications(store, runtime, packs, schedule),
    )


def create_database(settings: Settings, demo: bool, tenant: Tenant | None = None) -> InitResult:
    """A new database for a tenant (`settings.tenant` unless given), with its fictional demo
    network when `demo`. An existing file is never touched."""
    tenant = tenant or tenants.chosen(settings)
    if not is_url(tenant.db) and Path(tenant.db).exists():
        raise AlreadyExists(f"database {tenant.db} exists; init makes new databases only")
    app = build(tenants.settings_of(settings, tenant), create=True)
    try:
        dealers = app.network.seed(Path(tenant.demo_dealers)) if demo else 0
    finally:
        app.store.close()
    return InitResult(tenant.id, tenant.db, dealers, demo)


# A worker process of a large job: its own application on the same database.
_worker: App | None = None


def start_worker(settings: Settings) -> None:
    global _worker
    _worker = build(settings)


def decide_in_worker(ids: list[str], at_text: str, keep: bool) -> tuple[list[str], Decided]:
    return ids, _worker.reassign.decide_batch(ids, clock.from_text(at_text), keep)


def sweep_in_worker(ids: list[str], at_text: str) -> tuple[list[str], list[tuple[str, ErasurePlan]]]:
    return ids, _worker.sweep.decide(ids, clock.from_text(at_text), _worker.erasure.policy())
