-- The schema of SQLite's migrations m001 to m014 (store/migrations.py), as PostgreSQL
-- holds it: instants and days stay fixed-width ISO text, so they sort and compare alike on
-- both backends; text compares byte by byte ("C"), as SQLite orders it, so ids walk in one
-- order on both. tests/store/test_backends.py checks the two keep the same columns.

-- A table's id, where the database gives it, is one more than the largest it holds: the id
-- SQLite gives an INTEGER PRIMARY KEY. A sequence would leave a gap wherever a transaction
-- rolled back (a killed job's last batch, a refused write), so a resumed job would store other
-- ids than an uninterrupted one, and the two backends other ids for the same history. Every
-- writer holds the write lock (WRITE_LOCK in store/postgres.py, taken here too for a statement
-- outside a transaction), so no two read the same largest id. VOLATILE: the rows a statement
-- has inserted so far count.
CREATE FUNCTION next_id(table_name TEXT) RETURNS BIGINT VOLATILE LANGUAGE plpgsql AS $$
DECLARE
    new_id BIGINT;
BEGIN
    PERFORM pg_advisory_xact_lock(1668244335);
    EXECUTE format('SELECT coalesce(max(id), 0) + 1 FROM %I', table_name) INTO new_id;
    RETURN new_id;
END
$$;

CREATE TABLE "dealers" (
   "id" TEXT COLLATE "C" PRIMARY KEY,
   "created_at" TEXT COLLATE "C"
);

CREATE TABLE "dealer_versions" (
   "id" BIGINT DEFAULT next_id('dealer_versions') PRIMARY KEY,
   "dealer_id" TEXT COLLATE "C" NOT NULL REFERENCES "dealers"("id") DEFERRABLE INITIALLY IMMEDIATE,
   "legal_name" TEXT COLLATE "C" NOT NULL,
   "trade_name" TEXT COLLATE "C",
   "enterprise_number" TEXT COLLATE "C" NOT NULL,
   "street" TEXT COLLATE "C",
   "postcode" TEXT COLLATE "C" NOT NULL,
   "town" TEXT COLLATE "C",
   "lat" DOUBLE PRECISION NOT NULL,
   "lon" DOUBLE PRECISION NOT NULL,
   "languages" TEXT COLLATE "C" NOT NULL,
   "roles" TEXT COLLATE "C" NOT NULL,
   "active_from" TEXT COLLATE "C" NOT NULL,
   "active_until" TEXT COLLATE "C",
   "recorded_at" TEXT COLLATE "C" NOT NULL,
   "change_id" TEXT COLLATE "C",
   "superseded_at" TEXT COLLATE "C",
   "superseded_by" TEXT COLLATE "C");

CREATE TABLE "customers" (
   "id" TEXT COLLATE "C" PRIMARY KEY,
   "postcode" TEXT COLLATE "C" NOT NULL,
   "lat" DOUBLE PRECISION,
   "lon" DOUBLE PRECISION,
   "language" TEXT COLLATE "C" NOT NULL,
   "kind" TEXT COLLATE "C" NOT NULL,
   "enterprise_number" TEXT COLLATE "C",
   "created_at" TEXT COLLATE "C" NOT NULL,
   "updated_at" TEXT COLLATE "C" NOT NULL,
   "point_outside_postcode" BIGINT NOT NULL DEFAULT 0);

CREATE TABLE "preferences" (
   "id" BIGINT DEFAULT next_id('preferences') PRIMARY KEY,
   "customer_id" TEXT COLLATE "C" NOT NULL REFERENCES "customers"("id") DEFERRABLE INITIALLY IMMEDIATE,
   "dealer_id" TEXT COLLATE "C" NOT NULL REFERENCES "dealers"("id") DEFERRABLE INITIALLY IMMEDIATE,
   "designated_at" TEXT COLLATE "C" NOT NULL,
   "revoked_at" TEXT COLLATE "C",
   "recorded_at" TEXT COLLATE "C" NOT NULL,
   "revoked_recorded_at" TEXT COLLATE "C");

CREATE INDEX "idx_preferences_customer_id_designated_at"
    ON "preferences" ("customer_id", "designated_at");

CREATE TABLE "assignments" (
   "id" BIGINT DEFAULT next_id('assignments') PRIMARY KEY,
   "customer_id" TEXT COLLATE "C" NOT NULL REFERENCES "customers"("id") DEFERRABLE INITIALLY IMMEDIATE,
   "dealer_id" TEXT COLLATE "C" NOT NULL REFERENCES "dealers"("id") DEFERRABLE INITIALLY IMMEDIATE,
   "basis" TEXT COLLATE "C" NOT NULL,
   "rule_id" TEXT COLLATE "C" NOT NULL,
   "valid_from" TEXT COLLATE "C" NOT NULL,
   "valid_to" TEXT COLLATE "C",
   "explanation" TEXT COLLATE "C" NOT NULL,
   "distance_km" DOUBLE PRECISION,
   "point_lat" DOUBLE PRECISION,
   "point_lon" DOUBLE PRECISION,
   "point_source" TEXT COLLATE "C",
   "runners_up" TEXT COLLATE "C",
   "skipped" TEXT COLLATE "C",
   "rules_version" TEXT COLLATE "C" NOT NULL,
   "decision_date" TEXT COLLATE "C" NOT NULL,
   "trigger" TEXT COLLATE "C" NOT NULL,
   "decided_at" TEXT COLLATE "C" NOT NULL,
   "previous_dealer_id" TEXT COLLATE "C",
   "previous_basis" TEXT COLLATE "C");

CREATE INDEX "idx_assignments_customer_id_valid_from"
    ON "assignments" ("customer_id", "valid_from");

CREATE UNIQUE INDEX assignments_current ON assignments(customer_id) WHERE valid_to IS NULL;

CREATE TABLE "consents" (
   "id" BIGINT DEFAULT next_id('consents') PRIMARY KEY,
   "customer_id" TEXT COLLATE "C" NOT NULL REFERENCES "customers"("id") DEFERRABLE INITIALLY IMMEDIATE,
   "channel" TEXT COLLATE "C" NOT NULL,
   "given_at" TEXT COLLATE "C" NOT NULL,
   "withdrawn_at" TEXT COLLATE "C",
   "recorded_at" TEXT COLLATE "C" NOT NULL,
   "withdrawn_recorded_at" TEXT COLLATE "C",
   "wording" TEXT COLLATE "C",
   "source" TEXT COLLATE "C",
   "proof_reference" TEXT COLLATE "C",
   "retracted_at" TEXT COLLATE "C",
   "retraction_reason" TEXT COLLATE "C",
   "corrects" BIGINT);

CREATE INDEX "idx_consents_customer_id_channel_given_at"
    ON "consents" ("customer_id", "channel", "given_at");

CREATE TABLE "contracts" (
   "id" TEXT COLLATE "C" PRIMARY KEY,
   "customer_id" TEXT COLLATE "C" NOT NULL REFERENCES "customers"("id") DEFERRABLE INITIALLY IMMEDIATE,
   "kind" TEXT COLLATE "C" NOT NULL,
   "partner" TEXT COLLATE "C",
   "dealer_id" TEXT COLLATE "C" REFERENCES "dealers"("id") DEFERRABLE INITIALLY IMMEDIATE,
   "start_date" TEXT COLLATE "C" NOT NULL,
   "end_date" TEXT COLLATE "C",
   "recorded_at" TEXT COLLATE "C" NOT NULL,
   "updated_at" TEXT COLLATE "C" NOT NULL,
   "retracted_at" TEXT COLLATE "C",
   "retraction_reason" TEXT COLLATE "C");

CREATE INDEX "idx_contracts_customer_id"
    ON "contracts" ("customer_id");

CREATE TABLE "disputes" (
   "id" BIGINT DEFAULT next_id('disputes') PRIMARY KEY,
   "customer_id" TEXT COLLATE "C" NOT NULL REFERENCES "customers"("id") DEFERRABLE INITIALLY IMMEDIATE,
   "subject" TEXT COLLATE "C",
   "opened_at" TEXT COLLATE "C" NOT NULL,
   "closed_at" TEXT COLLATE "C",
   "recorded_at" TEXT COLLATE "C" NOT NULL,
   "closed_recorded_at" TEXT COLLATE "C",
   "retracted_at" TEXT COLLATE "C",
   "retraction_reason" TEXT COLLATE "C",
   "corrects" BIGINT);

CREATE INDEX "idx_disputes_customer_id"
    ON "disputes" ("customer_id");

CREATE TABLE "network_changes" (
   "id" BIGINT DEFAULT next_id('network_changes') PRIMARY KEY,
   "kind" TEXT COLLATE "C" NOT NULL,
   "dealer_id" TEXT COLLATE "C" NOT NULL REFERENCES "dealers"("id") DEFERRABLE INITIALLY IMMEDIATE,
   "effective_date" TEXT COLLATE "C" NOT NULL,
   "details" TEXT COLLATE "C" NOT NULL,
   "caller" TEXT COLLATE "C" NOT NULL,
   "recorded_at" TEXT COLLATE "C" NOT NULL,
   "reason" TEXT COLLATE "C",
   "confirmed" BIGINT,
   "cancelled_at" TEXT COLLATE "C",
   "cancelled_by" TEXT COLLATE "C",
   "cancel_reason" TEXT COLLATE "C");

CREATE TABLE "reassign_jobs" (
   "id" TEXT COLLATE "C" PRIMARY KEY,
   "scope" TEXT COLLATE "C" NOT NULL,
   "decision_at" TEXT COLLATE "C" NOT NULL,
   "status" TEXT COLLATE "C" NOT NULL,
   "cursor" TEXT COLLATE "C",
   "processed" BIGINT NOT NULL,
   "changed" BIGINT NOT NULL,
   "started_at" TEXT COLLATE "C" NOT NULL,
   "updated_at" TEXT COLLATE "C" NOT NULL,
   "finished_at" TEXT COLLATE "C",
   "caller" TEXT COLLATE "C" NOT NULL,
   "kind" TEXT COLLATE "C" NOT NULL DEFAULT 'reassign');

CREATE INDEX "idx_assignments_trigger"
    ON "assignments" ("trigger");

CREATE TABLE "rule_pack_versions" (
   "name" TEXT COLLATE "C",
   "version" TEXT COLLATE "C",
   "content_hash" TEXT COLLATE "C" NOT NULL,
   "first_served_at" TEXT COLLATE "C" NOT NULL,
   "files" TEXT COLLATE "C",
   PRIMARY KEY ("name", "version")
);

CREATE UNIQUE INDEX dealer_versions_standing ON dealer_versions(dealer_id, active_from) WHERE superseded_at IS NULL;

CREATE TABLE "contract_history" (
   "id" BIGINT DEFAULT next_id('contract_history') PRIMARY KEY,
   "contract_id" TEXT COLLATE "C" NOT NULL REFERENCES "contracts"("id") DEFERRABLE INITIALLY IMMEDIATE,
   "customer_id" TEXT COLLATE "C" NOT NULL REFERENCES "customers"("id") DEFERRABLE INITIALLY IMMEDIATE,
   "kind" TEXT COLLATE "C" NOT NULL,
   "partner" TEXT COLLATE "C",
   "dealer_id" TEXT COLLATE "C",
   "start_date" TEXT COLLATE "C" NOT NULL,
   "end_date" TEXT COLLATE "C",
   "recorded_at" TEXT COLLATE "C" NOT NULL,
   "superseded_at" TEXT COLLATE "C" NOT NULL,
   "correction_reason" TEXT COLLATE "C");

CREATE INDEX "idx_contract_history_customer_id"
    ON "contract_history" ("customer_id");

CREATE TABLE "rule_pack_swaps" (
   "id" BIGINT DEFAULT next_id('rule_pack_swaps') PRIMARY KEY,
   "name" TEXT COLLATE "C" NOT NULL,
   "version" TEXT COLLATE "C" NOT NULL,
   "served_from" TEXT COLLATE "C" NOT NULL
);

CREATE INDEX "idx_rule_pack_swaps_name_served_from"
    ON "rule_pack_swaps" ("name", "served_from");

CREATE TABLE "customer_history" (
   "id" BIGINT DEFAULT next_id('customer_history') PRIMARY KEY,
   "customer_id" TEXT COLLATE "C" NOT NULL REFERENCES "customers"("id") DEFERRABLE INITIALLY IMMEDIATE,
   "postcode" TEXT COLLATE "C" NOT NULL,
   "lat" DOUBLE PRECISION,
   "lon" DOUBLE PRECISION,
   "language" TEXT COLLATE "C" NOT NULL,
   "kind" TEXT COLLATE "C" NOT NULL,
   "enterprise_number" TEXT COLLATE "C",
   "created_at" TEXT COLLATE "C" NOT NULL,
   "updated_at" TEXT COLLATE "C" NOT NULL,
   "point_outside_postcode" BIGINT,
   "superseded_at" TEXT COLLATE "C" NOT NULL
);

CREATE INDEX "idx_customer_history_customer_id_superseded_at"
    ON "customer_history" ("customer_id", "superseded_at");

CREATE TABLE "objections" (
   "id" BIGINT DEFAULT next_id('objections') PRIMARY KEY,
   "customer_id" TEXT COLLATE "C" NOT NULL REFERENCES "customers"("id") DEFERRABLE INITIALLY IMMEDIATE,
   "purpose" TEXT COLLATE "C" NOT NULL,
   "objected_at" TEXT COLLATE "C" NOT NULL,
   "recorded_at" TEXT COLLATE "C" NOT NULL
);

CREATE INDEX "idx_objections_customer_id_objected_at"
    ON "objections" ("customer_id", "objected_at");

CREATE TABLE "erasures" (
   "request_id" TEXT COLLATE "C" PRIMARY KEY,
   "subject" TEXT COLLATE "C",
   "reason" TEXT COLLATE "C" NOT NULL,
   "requested_at" TEXT COLLATE "C" NOT NULL,
   "outcome" TEXT COLLATE "C" NOT NULL,
   "erased" TEXT COLLATE "C" NOT NULL,
   "kept" TEXT COLLATE "C" NOT NULL,
   "erase_on" TEXT COLLATE "C",
   "caller" TEXT COLLATE "C" NOT NULL
);

CREATE TABLE "suppressions" (
   "subject" TEXT COLLATE "C" PRIMARY KEY,
   "since" TEXT COLLATE "C" NOT NULL,
   "request_id" TEXT COLLATE "C" NOT NULL
);

CREATE TABLE "restrictions" (
   "customer_id" TEXT COLLATE "C" PRIMARY KEY REFERENCES "customers"("id") DEFERRABLE INITIALLY IMMEDIATE,
   "since" TEXT COLLATE "C" NOT NULL,
   "reason" TEXT COLLATE "C" NOT NULL,
   "request_id" TEXT COLLATE "C" NOT NULL,
   "erase_on" TEXT COLLATE "C",
   "legal_hold" BIGINT NOT NULL
);

CREATE TABLE "contact_statistics" (
   "month" TEXT COLLATE "C",
   "dealer_id" TEXT COLLATE "C",
   "kind" TEXT COLLATE "C",
   "contacts" BIGINT NOT NULL,
   PRIMARY KEY ("month", "dealer_id", "kind")
);

CREATE TABLE "contact_events" (
   "event_id" TEXT COLLATE "C" PRIMARY KEY,
   "customer_id" TEXT COLLATE "C" NOT NULL REFERENCES "customers"("id") DEFERRABLE INITIALLY IMMEDIATE,
   "dealer_id" TEXT COLLATE "C" REFERENCES "dealers"("id") DEFERRABLE INITIALLY IMMEDIATE,
   "kind" TEXT COLLATE "C" NOT NULL,
   "occurred_at" TEXT COLLATE "C" NOT NULL,
   "recorded_at" TEXT COLLATE "C" NOT NULL,
   "retracted_at" TEXT COLLATE "C",
   "retraction_reason" TEXT COLLATE "C",
   "corrects" TEXT COLLATE "C");

CREATE INDEX "idx_contact_events_customer_id_occurred_at"
    ON "contact_events" ("customer_id", "occurred_at");

CREATE TABLE "requests" (
   "request_id" TEXT COLLATE "C" PRIMARY KEY,
   "method" TEXT COLLATE "C" NOT NULL,
   "customer_id" TEXT COLLATE "C" NOT NULL REFERENCES "customers"("id") DEFERRABLE INITIALLY IMMEDIATE,
   "fingerprint" TEXT COLLATE "C" NOT NULL,
   "answer" BYTEA NOT NULL,
   "created_at" TEXT COLLATE "C" NOT NULL
);

CREATE INDEX "idx_requests_customer_id"
    ON "requests" ("customer_id");

CREATE TABLE "scheduled_changes" (
   "change_id" BIGINT PRIMARY KEY REFERENCES "network_changes"("id") DEFERRABLE INITIALLY IMMEDIATE,
   "kind" TEXT COLLATE "C" NOT NULL,
   "dealer_id" TEXT COLLATE "C" NOT NULL,
   "effective_date" TEXT COLLATE "C" NOT NULL,
   "notice_on" TEXT COLLATE "C" NOT NULL,
   "scope" TEXT COLLATE "C" NOT NULL,
   "status" TEXT COLLATE "C" NOT NULL,
   "job_id" TEXT COLLATE "C" NOT NULL,
   "announce_job_id" TEXT COLLATE "C" NOT NULL,
   "created_at" TEXT COLLATE "C" NOT NULL,
   "announced_at" TEXT COLLATE "C",
   "applied_at" TEXT COLLATE "C",
   "cancelled_at" TEXT COLLATE "C"
);

CREATE INDEX "idx_scheduled_changes_status_notice_on"
    ON "scheduled_changes" ("status", "notice_on");

CREATE TABLE "notices" (
   "id" BIGINT DEFAULT next_id('notices') PRIMARY KEY,
   "customer_id" TEXT COLLATE "C" NOT NULL REFERENCES "customers"("id") DEFERRABLE INITIALLY IMMEDIATE,
   "assignment_id" BIGINT REFERENCES "assignments"("id") DEFERRABLE INITIALLY IMMEDIATE,
   "old_dealer_id" TEXT COLLATE "C" NOT NULL,
   "new_dealer_id" TEXT COLLATE "C" NOT NULL,
   "trigger" TEXT COLLATE "C" NOT NULL,
   "created_at" TEXT COLLATE "C" NOT NULL,
   "exported_at" TEXT COLLATE "C",
   "kind" TEXT COLLATE "C" NOT NULL DEFAULT 'change',
   "effective_at" TEXT COLLATE "C",
   "explanation" TEXT COLLATE "C",
   "cancelled_at" TEXT COLLATE "C");

CREATE INDEX "idx_notices_exported_at"
    ON "notices" ("exported_at");

CREATE INDEX "idx_notices_trigger_customer_id"
    ON "notices" ("trigger", "customer_id");
