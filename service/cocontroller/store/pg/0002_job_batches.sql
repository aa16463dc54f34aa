-- m015_job_batches: a job's batches, each claimed by one process for a while and done in
-- the transaction of its writes (see store/migrations.py for the reasons).
CREATE TABLE "job_batches" (
   "job_id" TEXT COLLATE "C" NOT NULL REFERENCES "reassign_jobs"("id") DEFERRABLE INITIALLY IMMEDIATE,
   "seq" BIGINT NOT NULL,
   "after_id" TEXT COLLATE "C" NOT NULL,
   "last_id" TEXT COLLATE "C" NOT NULL,
   "ordinal" BIGINT NOT NULL,
   "size" BIGINT NOT NULL,
   "status" TEXT COLLATE "C" NOT NULL,
   "claim" TEXT COLLATE "C" NOT NULL,
   "claimed_until" DOUBLE PRECISION NOT NULL,
   PRIMARY KEY ("job_id", "seq")
);

CREATE INDEX "idx_job_batches_job_id_status_claimed_until"
    ON "job_batches" ("job_id", "status", "claimed_until");
