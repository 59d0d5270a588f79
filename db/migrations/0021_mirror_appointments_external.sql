-- Issue 18 point 4 (helper "mirror"): the appointments mirror follows the EMR's webhooks; one row per EMR appointment
-- in a practice, so a redelivered or raced 'booked' (ptflow's own booking and the EMR's event) never makes a twin.
CREATE UNIQUE INDEX "appointments_practice_external" ON "appointments" USING btree ("practice_id","external_id");