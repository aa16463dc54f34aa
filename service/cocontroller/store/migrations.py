"""The schema, moved forward by migrations (sqlite-utils' Migrations, recorded in the
database), each applied once and in order."""

import sqlite_utils
from sqlite_utils.migrations import Migrations

MIGRATIONS = Migrations("cocontroller")


@MIGRATIONS()
def m001_initial(db: sqlite_utils.Database) -> None:
    db["dealers"].create({"id": str, "created_at": str}, pk="id")
    db["dealer_versions"].create(
        {
            "id": int, "dealer_id": str, "legal_name": str, "trade_name": str,
            "enterprise_number": str, "street": str, "postcode": str, "town": str,
            "lat": float, "lon": float, "languages": str, "roles": str,
            "active_from": str, "active_until": str, "recorded_at": str, "change_id": str,
        },
        pk="id",
        foreign_keys=[("dealer_id", "dealers", "id")],
        not_null={"dealer_id", "legal_name", "enterprise_number", "postcode", "lat", "lon",
                  "languages", "roles", "active_from", "recorded_at"},
    )
    db["dealer_versions"].create_index(["dealer_id", "active_from"], unique=True)
    db["customers"].create(
        {
            "id": str, "postcode": str, "lat": float, "lon": float, "language": str,
            "kind": str, "enterprise_number": str, "created_at": str, "updated_at": str,
        },
        pk="id",
        not_null={"postcode", "language", "kind", "created_at", "updated_at"},
    )
    db["contact_events"].create(
        {
            "event_id": str, "customer_id": str, "dealer_id": str, "kind": str,
            "occurred_at": str, "recorded_at": str,
        },
        pk="event_id",
        foreign_keys=[("customer_id", "customers", "id"), ("dealer_id", "dealers", "id")],
        not_null={"customer_id", "dealer_id", "kind", "occurred_at", "recorded_at"},
    )
    db["contact_events"].create_index(["customer_id", "occurred_at"])
    db["preferences"].create(
        {
            "id": int, "customer_id": str, "dealer_id": str, "designated_at": str,
            "revoked_at": str, "recorded_at": str,
        },
        pk="id",
        foreign_keys=[("customer_id", "customers", "id"), ("dealer_id", "dealers", "id")],
        not_null={"customer_id", "dealer_id", "designated_at", "recorded_at"},
    )
    db["preferences"].create_index(["customer_id", "designated_at"])
    db["assignments"].create(
        {
            "id": int, "customer_id": str, "dealer_id": str, "basis": str, "rule_id": str,
            "valid_from": str, "valid_to": str, "explanation": str, "distance_km": float,
            "point_lat": float, "point_lon": float, "point_source": str,
            "runners_up": str, "skipped": str, "rules_version": str, "decision_date": str,
            "trigger": str, "decided_at": str,
        },
        pk="id",
        foreign_keys=[("customer_id", "customers", "id"), ("dealer_id", "dealers", "id")],
        not_null={"customer_id", "dealer_id", "basis", "rule_id", "valid_from",
                  "explanation", "rules_version", "decision_date", "trigger", "decided_at"},
    )
    db["assignments"].create_index(["customer_id", "valid_from"])
    db.execute(
        "CREATE UNIQUE INDEX assignments_current ON assignments(customer_id) "
        "WHERE valid_to IS NULL"
    )



@MIGRATIONS()
def m002_privacy_facts(db: sqlite_utils.Database) -> None:
    """The facts controller resolution reads: consents per channel, contracts, disputes."""
    db["consents"].create(
        {"id": int, "customer_id": str, "channel": str, "given_at": str, "withdrawn_at": str,
         "recorded_at": str},
        pk="id",
        foreign_keys=[("customer_id", "customers", "id")],
        not_null={"customer_id", "channel", "given_at", "recorded_at"},
    )
    db["consents"].create_index(["customer_id", "channel", "given_at"])
    db["contracts"].create(
        {"id": str, "customer_id": str, "kind": str, "partner": str, "dealer_id": str,
         "start_date": str, "end_date": str, "recorded_at": str, "updated_at": str},
        pk="id",
        foreign_keys=[("customer_id", "customers", "id"), ("dealer_id", "dealers", "id")],
        not_null={"customer_id", "kind", "start_date", "recorded_at", "updated_at"},
    )
    db["contracts"].create_index(["customer_id"])
    db["disputes"].create(
        {"id": int, "customer_id": str, "subject": str, "opened_at": str, "closed_at": str,
         "recorded_at": str},
        pk="id",
        foreign_keys=[("customer_id", "customers", "id")],
        not_null={"customer_id", "opened_at", "recorded_at"},
    )
    db["disputes"].create_index(["customer_id"])


@MIGRATIONS()
def m003_network_changes_jobs_audit(db: sqlite_utils.Database) -> None:
    """Dealer-network changes, resumable re-assignment jobs, the audit of who changed an
    assignment from what, and the notices owed to customers whose controller changed."""
    db["network_changes"].create(
        {"id": int, "kind": str, "dealer_id": str, "effective_date": str, "details": str,
         "caller": str, "recorded_at": str},
        pk="id",
        foreign_keys=[("dealer_id", "dealers", "id")],
        not_null={"kind", "dealer_id", "effective_date", "details", "caller", "recorded_at"},
    )
    db["reassign_jobs"].create(
        {"id": str, "scope": str, "decision_at": str, "status": str, "cursor": str,
         "processed": int, "changed": int, "started_at": str, "updated_at": str,
         "finished_at": str, "caller": str},
        pk="id",
        not_null={"scope", "decision_at", "status", "processed", "changed", "started_at",
                  "updated_at", "caller"},
    )
    db["assignments"].add_column("previous_dealer_id", str)
    db["assignments"].add_column("previous_basis", str)
    db["assignments"].create_index(["trigger"])
    db["notices"].create(
        {"id": int, "customer_id": str, "assignment_id": int, "old_dealer_id": str,
         "new_dealer_id": str, "trigger": str, "created_at": str, "exported_at": str},
        pk="id",
        foreign_keys=[("customer_id", "customers", "id"), ("assignment_id", "assignments", "id")],
        not_null={"customer_id", "assignment_id", "old_dealer_id", "new_dealer_id", "trigger",
                  "created_at"},
    )
    db["notices"].create_index(["exported_at"])


@MIGRATIONS()
def m004_rule_pack_versions(db: sqlite_utils.Database) -> None:
    """The content hash each pack version first served with: stored answers cite a pack
    version, so one version must always mean the same rules."""
    db["rule_pack_versions"].create(
        {"name": str, "version": str, "content_hash": str, "first_served_at": str},
        pk=("name", "version"),
        not_null={"content_hash", "first_served_at"},
    )


@MIGRATIONS()
def m005_recorded_time(db: sqlite_utils.Database) -> None:
    """Two time axes: every row keeps when the service learned it, and what it learned later
    no longer overwrites what it knew before.

    A dealer version is never updated or deleted again: a change that ends or replaces it
    marks it superseded (when, by which change) and adds the new version, so the network as
    known at any instant can be read back. The end of a consent, a dispute or a preference
    keeps its own recorded time, and a contract's earlier versions move to contract_history.
    Rows recorded before this migration had no such times: their ends count as known from
    the row's own recorded time (the earliest the service can vouch for)."""
    db["dealer_versions"].add_column("superseded_at", str)
    db["dealer_versions"].add_column("superseded_by", str)
    db.execute("DROP INDEX IF EXISTS idx_dealer_versions_dealer_id_active_from")
    db.execute(
        "CREATE UNIQUE INDEX dealer_versions_standing ON dealer_versions(dealer_id, active_from) "
        "WHERE superseded_at IS NULL"
    )
    db["network_changes"].add_column("reason", str)
    db["network_changes"].add_column("confirmed", int)
    db["network_changes"].add_column("cancelled_at", str)
    db["network_changes"].add_column("cancelled_by", str)
    db["network_changes"].add_column("cancel_reason", str)
    for table, end in (("consents", "withdrawn_at"), ("disputes", "closed_at"), ("preferences", "revoked_at")):
        db[table].add_column(f"{end.removesuffix('_at')}_recorded_at", str)
        db.execute(
            f"UPDATE {table} SET {end.removesuffix('_at')}_recorded_at = recorded_at WHERE {end} IS NOT NULL"
        )
    db["contract_history"].create(
        {"id": int, "contract_id": str, "customer_id": str, "kind": str, "partner": str, "dealer_id": str,
         "start_date": str, "end_date": str, "recorded_at": str, "superseded_at": str},
        pk="id",
        foreign_keys=[("contract_id", "contracts", "id"), ("customer_id", "customers", "id")],
        not_null={"contract_id", "customer_id", "kind", "start_date", "recorded_at", "superseded_at"},
    )
    db["contract_history"].create_index(["customer_id"])


@MIGRATIONS()
def m006_point_outside_postcode(db: sqlite_utils.Database) -> None:
    """A customer's coordinates that lie farther from their postcode than the tolerance,
    accepted because the caller said so: kept flagged, so every reader knows."""
    db["customers"].add_column("point_outside_postcode", int, not_null_default=0)


@MIGRATIONS()
def m007_rule_pack_history(db: sqlite_utils.Database) -> None:
    """What each pack version said and when it served: an answer as given on an earlier day
    is given again with the rules that served then, not today's."""
    db["rule_pack_versions"].add_column("files", str)
    db["rule_pack_swaps"].create(
        {"id": int, "name": str, "version": str, "served_from": str},
        pk="id",
        not_null={"name", "version", "served_from"},
    )
    db["rule_pack_swaps"].create_index(["name", "served_from"])


@MIGRATIONS()
def m008_customer_history(db: sqlite_utils.Database) -> None:
    """A customer's earlier details (an old address, another language), each kept with the
    instant a later upsert replaced it: what the service knew of the customer on any day."""
    db["customer_history"].create(
        {"id": int, "customer_id": str, "postcode": str, "lat": float, "lon": float, "language": str,
         "kind": str, "enterprise_number": str, "created_at": str, "updated_at": str,
         "point_outside_postcode": int, "superseded_at": str},
        pk="id",
        foreign_keys=[("customer_id", "customers", "id")],
        not_null={"customer_id", "postcode", "language", "kind", "created_at", "updated_at", "superseded_at"},
    )
    db["customer_history"].create_index(["customer_id", "superseded_at"])


@MIGRATIONS()
def m009_consent_proof(db: sqlite_utils.Database) -> None:
    """What each consent agreed to, where it was given and the reference of its proof (GDPR
    art. 7(1): the controller must be able to show it). Consents recorded before have none."""
    for column in ("wording", "source", "proof_reference"):
        db["consents"].add_column(column, str)


@MIGRATIONS()
def m010_objections(db: sqlite_utils.Database) -> None:
    """A customer's objections (GDPR art. 21): to one purpose resting on legitimate interest,
    or to direct marketing, from `objected_at`; `recorded_at` for the recorded-time axis."""
    db["objections"].create(
        {"id": int, "customer_id": str, "purpose": str, "objected_at": str, "recorded_at": str},
        pk="id",
        foreign_keys=[("customer_id", "customers", "id")],
        not_null={"customer_id", "purpose", "objected_at", "recorded_at"},
    )
    db["objections"].create_index(["customer_id", "objected_at"])


@MIGRATIONS()
def m011_erasure(db: sqlite_utils.Database) -> None:
    """Erasure and restriction (GDPR art. 17 and 18) and the retention sweep.

    `erasures` is the audit that an erasure happened: its request (or sweep job) id, the
    subject only as a keyed hash, what was erased and what stays restricted, never the data.
    `suppressions` holds the keyed hashes of erased subjects, so a re-import is not silent.
    `restrictions` marks a customer whose remaining records serve only their legal purposes
    until `erase_on` (none while a legal hold lasts). `contact_statistics` counts the contacts
    of erased customers per month, dealer and kind: anonymised use, with no identifier.
    `reassign_jobs.kind` tells a re-assignment from a retention sweep; both walk customers."""
    db["erasures"].create(
        {"request_id": str, "subject": str, "reason": str, "requested_at": str, "outcome": str,
         "erased": str, "kept": str, "erase_on": str, "caller": str},
        pk="request_id",
        not_null={"reason", "requested_at", "outcome", "erased", "kept", "caller"},
    )
    db["suppressions"].create(
        {"subject": str, "since": str, "request_id": str},
        pk="subject",
        not_null={"since", "request_id"},
    )
    db["restrictions"].create(
        {"customer_id": str, "since": str, "reason": str, "request_id": str, "erase_on": str,
         "legal_hold": int},
        pk="customer_id",
        foreign_keys=[("customer_id", "customers", "id")],
        not_null={"since", "reason", "request_id", "legal_hold"},
    )
    db["contact_statistics"].create(
        {"month": str, "dealer_id": str, "kind": str, "contacts": int},
        pk=("month", "dealer_id", "kind"),
        not_null={"contacts"},
    )
    db["reassign_jobs"].add_column("kind", str, not_null_default="reassign")


@MIGRATIONS()
def m012_rectification(db: sqlite_utils.Database) -> None:
    """Rectification (GDPR art. 16): a contact, consent, contract or dispute taken back is
    marked, never deleted: `retracted_at` is when the service took it back (recorded time,
    so what was known before stays readable) and `retraction_reason` why. A correction is
    recorded as a new row naming the row it corrects (`corrects`); a contract is corrected as
    a new version of itself, and the version it replaces keeps the reason in
    contract_history."""
    for table, id_type in (("contact_events", str), ("consents", int), ("disputes", int)):
        db[table].add_column("retracted_at", str)
        db[table].add_column("retraction_reason", str)
        db[table].add_column("corrects", id_type)
    db["contracts"].add_column("retracted_at", str)
    db["contracts"].add_column("retraction_reason", str)
    db["contract_history"].add_column("correction_reason", str)


@MIGRATIONS()
def m013_leads(db: sqlite_utils.Database) -> None:
    """A lead for the brand (a request through the brand's own site) names no dealer: a
    contact's dealer becomes optional. `requests` keeps the answer to each idempotent call
    (AIP-155) by its request id, with the fingerprint of what was asked, so a retry gets the
    same answer and writes nothing; the answer names its customer, so an erasure removes it."""
    _make_optional(db, "contact_events", '"dealer_id" TEXT')
    db["requests"].create(
        {"request_id": str, "method": str, "customer_id": str, "fingerprint": str, "answer": bytes,
         "created_at": str},
        pk="request_id",
        foreign_keys=[("customer_id", "customers", "id")],
        not_null={"method", "customer_id", "fingerprint", "answer", "created_at"},
    )
    db["requests"].create_index(["customer_id"])


@MIGRATIONS()
def m014_scheduled_changes(db: sqlite_utils.Database) -> None:
    """A network change recorded ahead of its day owes a job on that day and notices a lead
    time before it: `scheduled_changes` holds both, so a server restarted in between still
    runs each once. A notice may now come before any assignment moved (an announcement): it
    keeps its own start and explanation, is linked to the version once applied, and can be
    cancelled while unsent."""
    db["scheduled_changes"].create(
        {"change_id": int, "kind": str, "dealer_id": str, "effective_date": str, "notice_on": str,
         "scope": str, "status": str, "job_id": str, "announce_job_id": str, "created_at": str,
         "announced_at": str, "applied_at": str, "cancelled_at": str},
        pk="change_id",
        foreign_keys=[("change_id", "network_changes", "id")],
        not_null={"kind", "dealer_id", "effective_date", "notice_on", "scope", "status", "job_id",
                  "announce_job_id", "created_at"},
    )
    db["scheduled_changes"].create_index(["status", "notice_on"])
    _make_optional(db, "notices", '"assignment_id" INTEGER')
    db["notices"].add_column("kind", str, not_null_default="change")
    db["notices"].add_column("effective_at", str)
    db["notices"].add_column("explanation", str)
    db["notices"].add_column("cancelled_at", str)
    db["notices"].create_index(["trigger", "customer_id"])


@MIGRATIONS()
def m015_job_batches(db: sqlite_utils.Database) -> None:
    """A job is shared by every process that runs it: each claims the next batch of its walk
    (the ids after `after_id` up to `last_id`) for a while, and the batch is done in the same
    transaction as its writes. A claim left by a process that died expires and is taken
    again. The job's `cursor` now marks how far its walk is cut into batches; a job begun
    before goes on from it. `ordinal` is the batch's place in the walk (its customers'
    ordinals start there), so audit keys do not depend on which process wrote it."""
    db["job_batches"].create(
        {"job_id": str, "seq": int, "after_id": str, "last_id": str, "ordinal": int, "size": int, "status": str,
         "claim": str, "claimed_until": float},
        pk=("job_id", "seq"),
        foreign_keys=[("job_id", "reassign_jobs", "id")],
        not_null={"after_id", "last_id", "ordinal", "size", "status", "claim", "claimed_until"},
    )
    db["job_batches"].create_index(["job_id", "status", "claimed_until"])


def _make_optional(db: sqlite_utils.Database, table: str, column: str) -> None:
    """Drops NOT NULL from a referencing `column` ('"name" TYPE') of `table`: SQLite cannot
    alter a column, so the table is made again from its own SQL, rows and indexes kept."""
    sql = db.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", [table]).fetchone()[0]
    indexes = [index for (index,) in db.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL", [table])]
    optional = sql.replace(f"{column} NOT NULL REFERENCES", f"{column} REFERENCES", 1)
    if optional == sql:
        raise RuntimeError(f"{table}.{column} is not the column this migration expects")
    db.execute(optional.replace(f'CREATE TABLE "{table}"', f'CREATE TABLE "{table}_new"', 1))
    db.execute(f"INSERT INTO {table}_new SELECT * FROM {table}")
    db.execute(f"DROP TABLE {table}")
    db.execute(f"ALTER TABLE {table}_new RENAME TO {table}")
    for index in indexes:
        db.execute(index)
